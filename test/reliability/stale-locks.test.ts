import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { currentProcess } from '../../src/store/process-identity.js';
import { exitedPid } from '../helpers/await.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { startSandboxWriter } from '../helpers/sandbox-writer.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Locks left behind by voicenum processes that were killed, through the built CLI: the next command
 * is not held up by them, whatever pid they name, and `sync` clears them.
 */
const plan = buildSeedPlan();
const vacant = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
const HOUR = 3_600_000;

describe('locks of killed processes', () => {
  const dir = tempDir('voicenum-locks-');
  const home = dir.path;
  const cacheFile = join(home, 'profiles', 'sandbox', 'cache.db');
  const cli = (args: string[], env: Record<string, string> = {}, timeoutMs?: number) => runCli(args, { home, env, timeoutMs });
  const withCache = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(cacheFile, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      return fn(db);
    } finally {
      db.close();
    }
  };
  const lockRows = () => withCache((db) => db.prepare('SELECT provider_id, pid, pid_start_time, process_token FROM number_locks ORDER BY provider_id').all() as { provider_id: string; pid: number; pid_start_time: string | null; process_token: string }[]);

  beforeAll(async () => {
    expect(vacant.length).toBeGreaterThanOrEqual(1);
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('an assign SIGKILLed mid-push leaves a lock naming pid 1 (alive); the next assign of that number goes ahead at once', { timeout: 150_000 }, async () => {
    const number = vacant[0]!.e164;
    const env: NodeJS.ProcessEnv = { ...process.env, VOICENUM_HOME: home, NO_COLOR: '1', VOICENUM_SANDBOX_FAULTS: JSON.stringify({ retell: { latencyMs: 2000 } }) };
    for (const key of Object.keys(env)) if (/^(RETELL|VAPI|BLAND|TWILIO|ELEVENLABS)_/.test(key)) delete env[key];
    const child = spawn(process.execPath, [`${ROOT}bin/voicenum.js`, '--sandbox', 'assign', number, '--inbound', 'sales', '--yes'], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Every answer of the fake takes 2 s, so once the lock row exists the push is in flight: kill it then.
    while (lockRows().length === 0) {
      expect(child.exitCode, 'the assign finished before it was caught holding its lock').toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const [left] = lockRows();
    expect(left).toMatchObject({ pid: child.pid });
    // As in a container: the dead holder's pid is 1, which is alive; and its lease is far from over.
    withCache((db) => db.prepare('UPDATE number_locks SET pid = 1, expires_at = ?').run(Date.now() + HOUR));

    // Before this was fixed, this waited 60 s for the "live" pid 1 and failed with a conflict.
    const next = await cli(['--sandbox', 'assign', number, '--inbound', 'support', '--yes'], {}, 120_000);
    expect(next.stderr).not.toMatch(/another voicenum process/);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/-> support/);
    expect(lockRows()).toEqual([]);
  });

  it('sync clears the locks of dead processes and keeps those of live ones', async () => {
    const me = currentProcess();
    withCache((db) => {
      const insert = db.prepare('INSERT INTO number_locks (provider, provider_id, hold_token, process_token, pid, pid_start_time, pid_scope, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (let i = 0; i < 5; i++) insert.run('retell', `dead-${i}`, `hold-${i}`, `process-${i}`, 1, '12345', me.scope, Date.now(), Date.now() + HOUR);
      insert.run('retell', 'live', 'hold-live', me.token, process.pid, me.startTime, me.scope, Date.now(), Date.now() + HOUR);
    });
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(lockRows().map((row) => row.provider_id)).toEqual(['live']);
  });

  it('a --sandbox write goes through the sandbox state\'s write lock of a process killed holding it, and an old lock file is cleared', async () => {
    const profile = join(home, 'profiles', 'sandbox');
    // What an earlier voicenum (a JSON state file under a lock file) could leave behind.
    writeFileSync(join(profile, 'sandbox-state.json.lock'), JSON.stringify({ pid: await exitedPid(), startTime: '12345', scope: currentProcess().scope, token: 'dead', hold: 'dead' }));
    const writer = startSandboxWriter(join(profile, 'sandbox-state.db'));
    await writer.said('holding');
    writer.child.kill('SIGKILL');
    await new Promise((resolve) => writer.child.once('exit', resolve));
    const label = await cli(['--sandbox', 'numbers', 'label', vacant[0]!.e164, 'after a crash']);
    expect(label.code, label.stderr).toBe(0);
    expect(readSandboxState(join(profile, 'sandbox-state.db')).retell.numbers.find((n) => n.phone_number === vacant[0]!.e164)!.nickname).toBe('after a crash');
    expect(existsSync(join(profile, 'sandbox-state.json.lock'))).toBe(false);
  });
});
