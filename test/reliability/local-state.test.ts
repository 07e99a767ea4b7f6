import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localStateFailure } from '../../src/config/local-state.js';
import { cacheFile, configFile } from '../../src/config/paths.js';
import { emptySlots, type ProviderSnapshot, type RemoteNumber } from '../../src/domain/model.js';
import { ExitCode, LocalStateError } from '../../src/domain/errors.js';
import { SANDBOX_KEYS, seedSandboxState, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { Store } from '../../src/store/index.js';
import { ROOT, runCli, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The local files going wrong: a damaged or foreign cache, a newer schema, a config that is not
 * JSON, files and folders voicenum may not write, VOICENUM_HOME being a file, a full disk. Each
 * ends in exit 8 with a message naming the file and what to do: never a stack trace, never the
 * "please report it" of a bug.
 */
function expectLocalState(result: CliResult, file: string): void {
  expect(result.code, result.stderr).toBe(ExitCode.LocalState);
  expect(result.stderr).toContain(file);
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).not.toMatch(/^ {4}at /m);
  expect(result.stderr).not.toMatch(/report|unexpected/i);
}

/** Before a cache is moved aside, the operator is told it holds the audit log, and how to keep it. */
function expectKeepTheAuditLog(result: CliResult, file: string): void {
  // Every case here is the sandbox's cache: the suggested command carries its flag.
  expect(result.stderr).toContain('audit log that `voicenum --sandbox history` shows');
  expect(result.stderr).toContain('keep it rather than delete it');
  expect(result.stderr).toContain(`mv ${file} ${file}.bak`);
}

/**
 * Permission checks do not apply to root, who runs the tests here and in CI: as root, the child
 * runs as `nobody` on files handed to it. Elsewhere the tests' own user is not root and chmod bites.
 */
const OTHER_USER = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
const canRunAsOtherUser = OTHER_USER === undefined || spawnSync(process.execPath, [join(ROOT, 'bin', 'voicenum.js'), '--version'], OTHER_USER).status === 0;
function handOver(path: string): void {
  if (OTHER_USER) execFileSync('chown', ['-R', `${OTHER_USER.uid}:${OTHER_USER.gid}`, path]);
}

describe('a damaged, foreign or unusable local state', () => {
  let dir: ReturnType<typeof tempDir>;
  let home: string;
  let cache: string;
  const cli = (args: string[], options: { env?: Record<string, string>; input?: string; user?: { uid: number; gid: number } } = {}) => runCli(args, { home, ...options });

  // One synced sandbox home, copied afresh for every test.
  const template = tempDir();
  beforeAll(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: template.path })).code).toBe(0);
    const sync = await runCli(['--sandbox', 'sync'], { home: template.path });
    expect(sync.code, sync.stderr).toBe(0);
    expect(existsSync(`${cacheFile(template.path, 'sandbox')}-wal`)).toBe(false);
  });
  afterAll(() => template.cleanup());
  beforeEach(() => {
    dir = tempDir();
    home = dir.path;
    cache = cacheFile(home, 'sandbox');
    cpSync(template.path, home, { recursive: true });
  });
  afterEach(() => {
    // Undo the chmods so the folder can be removed.
    if (existsSync(home) && statSync(home).isDirectory()) execFileSync('chmod', ['-R', 'u+rwX', home]);
    dir.cleanup();
  });

  it('a cache file that is not a database', async () => {
    writeFileSync(cache, 'these are not the bytes of a SQLite database\n'.repeat(100));
    for (const args of [['--sandbox', 'numbers', 'list'], ['--sandbox', 'history'], ['--sandbox', 'sync']]) {
      const result = await cli(args);
      expectLocalState(result, cache);
      expect(result.stderr).toMatch(/is damaged \(file is not a database\)/);
      expectKeepTheAuditLog(result, cache);
      expect(result.stderr).toContain('voicenum --sandbox sync');
    }
  });

  it('a truncated cache', async () => {
    truncateSync(cache, Math.floor(statSync(cache).size / 2));
    const result = await cli(['--sandbox', 'numbers', 'list']);
    expectLocalState(result, cache);
    expect(result.stderr).toMatch(/is damaged/);
    expectKeepTheAuditLog(result, cache);
  });

  it('a cache missing a table', async () => {
    const db = new Database(cache);
    db.exec('DROP TABLE audit_log');
    db.close();
    const result = await cli(['--sandbox', 'history']);
    expectLocalState(result, cache);
    expect(result.stderr).toMatch(/is damaged \(no such table: audit_log\)/);
    expectKeepTheAuditLog(result, cache);
  });

  it('a cache whose schema version does not match its tables', async () => {
    const db = new Database(cache);
    db.pragma('user_version = 2');
    db.close();
    const result = await cli(['--sandbox', 'numbers', 'list']);
    expectLocalState(result, cache);
    expect(result.stderr).toMatch(/is damaged \(table \w+ already exists\)/);
    expectKeepTheAuditLog(result, cache);
  });

  it('a cache written by a newer voicenum: refused with exit 8, and left as it was', async () => {
    const db = new Database(cache);
    db.pragma('user_version = 999');
    db.close();
    const before = readFileSync(cache);
    const result = await cli(['--sandbox', 'numbers', 'list']);
    expectLocalState(result, cache);
    expect(result.stderr).toMatch(/written by a newer voicenum \(schema 999; this version knows up to \d+\)/);
    expect(result.stderr).toMatch(/upgrade voicenum/);
    expectKeepTheAuditLog(result, cache);
    expect(readFileSync(cache).equals(before)).toBe(true);
  });

  it('VOICENUM_HOME is a regular file', async () => {
    const file = join(home, 'not-a-folder');
    writeFileSync(file, 'x');
    for (const args of [['--sandbox', 'numbers', 'list'], ['config', 'set', 'output', 'json'], ['config', 'get', 'output'], ['--sandbox', 'sync']]) {
      const result = await runCli(args, { home: file });
      expectLocalState(result, file);
      expect(result.stderr).toContain(`voicenum's home ${file} is a file, not a folder`);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('the cache is a folder', async () => {
    rmSync(cache);
    mkdirSync(cache);
    const result = await cli(['--sandbox', 'numbers', 'list']);
    expectLocalState(result, cache);
    expect(result.stderr).toMatch(/is a folder/);
  });

  describe('a config.json that is not JSON', () => {
    let sandbox: SandboxEnvironment;
    beforeAll(async () => {
      sandbox = await startSandbox();
    });
    afterAll(async () => {
      await sandbox.close();
    });

    for (const [name, text] of [['cut short', '{"profiles": {"default": {"settings": {"output": "js'], ['not an object', '[1, 2, 3]'], ['a profile of the wrong type', '{"profiles": {"default": 7}}']] as const) {
      it(`${name}: every command that reads or writes it stops, and it is not overwritten`, { timeout: 90_000 }, async () => {
        const config = configFile(home);
        writeFileSync(config, text);
        // The fakes' addresses only, so that `auth login` gets as far as storing the key.
        const addresses = Object.fromEntries(Object.entries(sandbox.env).filter(([key]) => key.startsWith('VOICENUM_')).map(([k, v]) => [k, v!]));
        const runs: [string[], string?][] = [
          [['config', 'set', 'output', 'json']],
          [['auth', 'login', 'retell', '--stdin'], SANDBOX_KEYS.retell],
          [['auth', 'logout', 'retell']],
          [['config', 'get', 'output']],
          [['config', 'list']],
          [['auth', 'status']],
        ];
        for (const [args, input] of runs) {
          const result = await cli(args, { env: addresses, ...(input ? { input } : {}) });
          expectLocalState(result, config);
          expect(result.stderr).toMatch(/the configuration .* is damaged/);
          expect(result.stderr).toContain(`mv ${config} ${config}.bak`);
        }
        expect(readFileSync(config, 'utf8')).toBe(text);
      });
    }
  });

  describe.skipIf(!canRunAsOtherUser)(`files voicenum may not read or write${OTHER_USER ? ' (run as nobody)' : ''}`, () => {
    const user = OTHER_USER;
    beforeEach(() => {
      handOver(home);
    });

    it('a cache it may not read', async () => {
      chmodSync(cache, 0o000);
      const result = await cli(['--sandbox', 'numbers', 'list'], { user });
      expectLocalState(result, cache);
      expect(result.stderr).toMatch(/permission denied/);
    });

    it("a profile folder it may not write: reading and syncing say so", async () => {
      chmodSync(join(home, 'profiles', 'sandbox'), 0o500);
      for (const args of [['--sandbox', 'numbers', 'list'], ['--sandbox', 'sync']]) {
        const result = await cli(args, { user });
        expectLocalState(result, cache);
        expect(result.stderr).toMatch(/cannot write the cache/);
      }
    });

    it('a config file it may not read, and a home folder it may not write', async () => {
      const config = configFile(home);
      writeFileSync(config, JSON.stringify({ profiles: { default: { settings: { output: 'json' } } } }));
      handOver(config);
      chmodSync(config, 0o000);
      for (const args of [['config', 'get', 'output'], ['config', 'set', 'output', 'table']]) {
        const result = await cli(args, { user });
        expectLocalState(result, config);
        expect(result.stderr).toMatch(/EACCES: permission denied/);
      }
      chmodSync(config, 0o600);
      chmodSync(home, 0o500);
      const result = await cli(['config', 'set', 'output', 'table'], { user });
      expectLocalState(result, home);
      expect(result.stderr).toMatch(/EACCES: permission denied/);
      expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ profiles: { default: { settings: { output: 'json' } } } });
    });
  });
});

function number(e164: string): RemoteNumber {
  return { provider: 'retell', providerId: e164, e164, label: `line ${e164} ${'x'.repeat(200)}`, status: null, capabilities: { voice: true, sms: null }, region: null, fallback: null, origin: null, slots: emptySlots() };
}

describe('the disk filling up during a sync', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it("a real SQLITE_FULL inside the sync's transaction: the cache keeps its rows, and main() explains it with exit 8", () => {
    const file = cacheFile(dir.path, 'default');
    const store = Store.open(file);
    const first: ProviderSnapshot = { provider: 'retell', numbers: [number('+14155550100'), number('+14155550101')], agents: [], skipped: [], requests: 1 };
    store.replaceProvider(first, new Date('2026-11-01T10:00:00Z'));
    // SQLite refuses to grow the file past this many pages: the disk is "full" for this connection.
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 2}`);
    const big: ProviderSnapshot = { ...first, numbers: Array.from({ length: 3000 }, (_, i) => number(`+1415666${String(i).padStart(4, '0')}`)) };
    let thrown: unknown;
    try {
      store.replaceProvider(big, new Date('2026-11-02T10:00:00Z'));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('SQLITE_FULL');
    // The transaction rolled back: the previous sync's rows are whole.
    expect(store.listNumbers().map((n) => n.e164)).toEqual(['+14155550100', '+14155550101']);
    store.close();

    // What main() prints for it, in place of "unexpected failure, please report it".
    const explained = localStateFailure(thrown, { home: dir.path, cache: file });
    expect(explained).toBeInstanceOf(LocalStateError);
    expect(explained!.exitCode).toBe(8);
    expect(explained!.message).toContain(file);
    expect(explained!.message).toMatch(/is full .*rolled back, so the cache keeps its previous state/);
    expect(explained!.hint).toMatch(/free some space/);
  });
});

/** A real full disk, where the sandbox can mount a small tmpfs (root with CAP_SYS_ADMIN). */
const mountPoint = tempDir('voicenum-tmpfs-');
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint.path]).status === 0;
if (!canMount) mountPoint.cleanup();

describe.skipIf(!canMount)('a full disk under VOICENUM_HOME (a 2 MiB tmpfs)', () => {
  let sandbox: SandboxEnvironment;
  beforeAll(async () => {
    sandbox = await startSandbox({ state: seedSandboxState(20_000) });
  });
  afterAll(async () => {
    await sandbox.close();
    spawnSync('umount', [mountPoint.path]);
    mountPoint.cleanup();
  });

  it('sync stops with exit 8 naming the cache; config set then names the full disk', async () => {
    const home = join(mountPoint.path, 'home');
    const env = Object.fromEntries(Object.entries(sandbox.env).map(([k, v]) => [k, v!]));
    // Twilio is left out: its per-number region reads make the sync slow, and the others fill the disk.
    const sync = await runCli(['sync', '--provider', 'retell,vapi,bland'], { home, env, timeoutMs: 120_000 });
    const cache = cacheFile(home, 'default');
    expectLocalState(sync, cache);
    expect(sync.stderr).toMatch(/is full/);
    const set = await runCli(['config', 'set', 'output', 'json'], { home, env });
    expectLocalState(set, home);
    expect(set.stderr).toMatch(/is full \(ENOSPC\)/);
  }, 180_000);

  it('output redirected into a file on the full disk: exit 8, not a silently cut file', async () => {
    const home = tempDir();
    try {
      // Whatever the test before left free, fill it now.
      try {
        writeFileSync(join(mountPoint.path, 'filler'), Buffer.alloc(4 * 1024 * 1024));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      expect((await runCli(['--sandbox', 'sync'], { home: home.path })).code).toBe(0);
      const whole = await runCli(['--sandbox', 'numbers', 'list', '--plain'], { home: home.path });
      expect(whole.stdout.length).toBeGreaterThan(0);
      const out = join(mountPoint.path, 'out.txt');
      const redirected = spawnSync('bash', ['-c', 'node "$0" --sandbox numbers list --plain > "$1"', join(ROOT, 'bin', 'voicenum.js'), out], { env: { ...process.env, VOICENUM_HOME: home.path, NO_COLOR: '1' }, encoding: 'utf8' });
      expect(redirected.status, redirected.stderr).toBe(ExitCode.LocalState);
      expect(redirected.stderr).toMatch(/^error: writing the output failed \(ENOSPC/m);
      expect(redirected.stderr).not.toMatch(/^ {4}at /m);
      expect(readFileSync(out, 'utf8').length).toBeLessThan(whole.stdout.length);
    } finally {
      home.cleanup();
    }
  }, 120_000);
});
