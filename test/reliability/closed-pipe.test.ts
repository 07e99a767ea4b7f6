import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFile } from '../../src/config/paths.js';
import { Store, type AuditEntry } from '../../src/store/index.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `voicenum … | head -1`: the reader goes away after one line while voicenum still has hundreds of
 * kilobytes to write (far past a pipe's 64 KiB buffer). voicenum must stop quietly and exit 0, like
 * `git log | head`, for every output format. (The terminal table also prints its count line on
 * stderr, as it does when read to the end; the other formats print nothing there.)
 */
interface PipeResult {
  code: number;
  stderr: string;
  firstLine: string;
}

/**
 * Run the built CLI inside a bash pipeline (`"$@"` are its arguments, `$VOICENUM_BIN` the
 * executable), with the home and environment given; the script's own exit status and output.
 */
function inPipeline(script: string, home: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, VOICENUM_HOME: home, NO_COLOR: '1', VOICENUM_BIN: join(ROOT, 'bin', 'voicenum.js'), ...env };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'voicenum-pipeline', ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Run the built CLI into `head` through bash, returning voicenum's own exit status (PIPESTATUS).
 * `head -1` for line output; piped JSON is one long line, so there `head -c` cuts it short.
 */
async function intoHead(home: string, args: string[], env: Record<string, string>, reader: string): Promise<PipeResult> {
  const script = `set -o pipefail; node "$VOICENUM_BIN" "$@" 2>"$VOICENUM_STDERR_FILE" | ${reader}; codes=("\${PIPESTATUS[@]}"); cat "$VOICENUM_STDERR_FILE" >&2; exit "\${codes[0]}"`;
  const { code, stdout, stderr } = await inPipeline(script, home, args, { VOICENUM_STDERR_FILE: join(home, 'stderr.txt'), ...env });
  return { code, stderr, firstLine: stdout };
}

describe('a reader that closes the pipe early', () => {
  const dir = tempDir();

  beforeAll(async () => {
    const reset = await runCli(['--sandbox', 'sandbox', 'reset', '--numbers', '5000'], { home: dir.path });
    expect(reset.code, reset.stderr).toBe(0);
    const sync = await runCli(['--sandbox', 'sync'], { home: dir.path, timeoutMs: 120_000 });
    expect(sync.code, sync.stderr).toBe(0);
    // An audit log long enough to overflow the pipe as well: 4,000 entries, written by the store itself.
    const store = Store.open(cacheFile(dir.path, 'sandbox'));
    const entries: AuditEntry[] = Array.from({ length: 4000 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
      osUser: 'tester',
      profile: 'sandbox',
      batch: `batch-${Math.floor(i / 100)}`,
      provider: 'retell',
      providerId: `+1415555${String(i).padStart(4, '0')}`,
      e164: `+1415555${String(i).padStart(4, '0')}`,
      field: 'inbound',
      before: '[]',
      after: JSON.stringify([{ agentId: 'agent_receptionist', name: 'receptionist', weight: 1 }]),
      outcome: 'applied',
      error: null,
    }));
    store.appendAudit(entries);
    store.close();
  }, 180_000);
  afterAll(() => dir.cleanup());

  const cases: [string, string[], Record<string, string>][] = [
    ['numbers list --plain', ['--sandbox', 'numbers', 'list', '--plain'], {}],
    ['numbers list as a terminal table', ['--sandbox', 'numbers', 'list'], { VOICENUM_FORCE_TTY: '1', COLUMNS: '200' }],
    ['numbers list --csv', ['--sandbox', 'numbers', 'list', '--csv'], {}],
    ['numbers list --json', ['--sandbox', 'numbers', 'list', '--json'], {}],
    ['history', ['--sandbox', 'history'], {}],
    ['history --json', ['--sandbox', 'history', '--json'], {}],
  ];
  for (const [name, args, env] of cases) {
    it(`${name}: ends quietly with exit 0`, async () => {
      // The output really is larger than a pipe holds, or the test would prove nothing.
      const whole = await runCli(args, { home: dir.path, env });
      expect(whole.code, whole.stderr).toBe(0);
      expect(whole.stdout.length).toBeGreaterThan(256 * 1024);

      const oneLine = whole.stdout.indexOf('\n') < 64 * 1024;
      const piped = await intoHead(dir.path, args, env, oneLine ? 'head -1' : 'head -c 1024');
      expect(piped.firstLine).toBe(oneLine ? `${whole.stdout.split('\n')[0]}\n` : whole.stdout.slice(0, 1024));
      // Nothing on stderr beyond what the command prints anyway (the table's count line): no error.
      expect(piped.stderr).not.toMatch(/EPIPE| {4}at |report|error/);
      expect(piped.stderr).toBe(whole.stderr);
      expect(piped.code).toBe(0);
    });
  }
});

/**
 * `voicenum … 2>&1 | slow-reader`: stdout and stderr on one pipe, which Node's stderr switches to
 * non-blocking mode, while the reader sleeps with the pipe full. voicenum writes stdout itself,
 * synchronously (src/output/io.ts): a full non-blocking pipe answers EAGAIN, and every byte must
 * still arrive, in order, with exit 0.
 */
describe('a slow reader of stdout and stderr on one pipe', () => {
  const dir = tempDir();
  beforeAll(async () => {
    const reset = await runCli(['--sandbox', 'sandbox', 'reset', '--numbers', '2000'], { home: dir.path });
    expect(reset.code, reset.stderr).toBe(0);
    const sync = await runCli(['--sandbox', 'sync'], { home: dir.path, timeoutMs: 120_000 });
    expect(sync.code, sync.stderr).toBe(0);
  }, 180_000);
  afterAll(() => dir.cleanup());

  for (const [name, args] of [['numbers list --json', ['--sandbox', 'numbers', 'list', '--json']], ['numbers list --plain', ['--sandbox', 'numbers', 'list', '--plain']]] as const) {
    it(`${name}: every byte arrives`, async () => {
      const whole = await runCli([...args], { home: dir.path });
      expect(whole.code, whole.stderr).toBe(0);
      expect(whole.stderr).toBe('');
      // More than a pipe holds (64 KiB), so the writer meets a full pipe.
      expect(whole.stdout.length).toBeGreaterThan(96 * 1024);
      const piped = await inPipeline('set -o pipefail; node "$VOICENUM_BIN" "$@" 2>&1 | (sleep 0.5; cat)', dir.path, args);
      expect(piped.code).toBe(0);
      expect(piped.stdout.length).toBe(whole.stdout.length);
      expect(piped.stdout).toBe(whole.stdout);
    }, 60_000);
  }
});
