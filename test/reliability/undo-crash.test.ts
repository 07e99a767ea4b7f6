import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { cliEnv, ROOT, runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * An undo killed with SIGKILL half way, through the built CLI on the embedded sandbox (its fakes
 * live in the same process, so the kill stops both at once). The undo writes through the journalled
 * push path: the next command settles what was in flight, the cache then holds what upstream holds
 * (drift finds nothing), and running the same undo again finishes the numbers it never reached.
 */
describe('an undo killed half way', () => {
  const dir = tempDir('voicenum-undo-crash-');
  const home = dir.path;
  const cacheFile = join(home, 'profiles', 'sandbox', 'cache.db');
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const faults = JSON.stringify({ retell: { latencyMs: 150 } });
  const cli = (args: string[], input?: string) => runCli(['--sandbox', ...args], { home, input });
  afterAll(() => dir.cleanup());

  const undoEntries = () => {
    const db = new Database(cacheFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM audit_log WHERE error LIKE 'undo of %' AND outcome = 'applied'").pluck().get() as number;
    } finally {
      db.close();
    }
  };

  it('leaves the journal settled and the cache true to upstream; the same undo run again finishes it', async () => {
    // Enough numbers for several waves of 8: the kill lands with most of them not started.
    expect((await runCli(['sandbox', 'reset', '--numbers', '200'], { home })).code).toBe(0);
    expect((await cli(['sync'])).code).toBe(0);
    // Numbers that can make calls: the seed also holds one that cannot (a doctor case), which the rules refuse.
    const listed = await cli(['numbers', 'list', '--provider', 'retell', '--unassigned', 'outbound', '--json', 'e164,capabilities']);
    const numbers = (JSON.parse(listed.stdout) as { e164: string; capabilities: { voice: boolean | null } }[]).filter((n) => n.capabilities.voice !== false).map((n) => n.e164);
    expect(numbers.length).toBeGreaterThan(16);
    const assigned = await cli(['assign', '-', '--outbound', 'outbound-dialer'], `${numbers.join('\n')}\n`);
    expect(assigned.code, assigned.stderr).toBe(0);
    const batch = (JSON.parse((await cli(['history', '--json', 'batch'])).stdout) as { batch: string }[])[0]!.batch;

    // Killed once the first number is set back, with the others in flight or not started.
    const child = spawn(process.execPath, [`${ROOT}bin/voicenum.js`, '--sandbox', 'undo', '--last', '--yes'], { env: cliEnv(home, { VOICENUM_SANDBOX_FAULTS: faults }), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let i = 0; i < 6000 && undoEntries() < 1 && child.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await closed;
    const reverted = undoEntries();
    expect(reverted).toBeGreaterThanOrEqual(1);
    expect(reverted).toBeLessThan(numbers.length);

    // The next command settles the journal; then the cache is what upstream holds.
    const drift = await cli(['drift', '--provider', 'retell']);
    expect(drift.code, `${drift.stdout}${drift.stderr}`).toBe(0);
    const open = (JSON.parse((await cli(['history', '--json', 'outcome'])).stdout) as { outcome: string }[]).filter((h) => h.outcome === 'pending' || h.outcome === 'uncertain');
    expect(open).toEqual([]);

    // Run again, the undo finishes what the killed one did not reach, and passes over what it did.
    const again = await cli(['undo', '--batch', batch, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    const outcomes = tsv(again.stdout).map((row) => row[2]);
    expect(outcomes).toHaveLength(numbers.length);
    expect(outcomes.every((o) => o === 'applied' || o === 'unchanged')).toBe(true);
    expect(outcomes.filter((o) => o === 'unchanged').length).toBeGreaterThanOrEqual(reverted);
    expect(outcomes.filter((o) => o === 'applied').length).toBeGreaterThan(0);
    const upstream = readSandboxState(stateFile).retell.numbers;
    for (const e164 of numbers) expect(upstream.find((n) => n.phone_number === e164)!.outbound_agents ?? [], e164).toEqual([]);
    expect((await cli(['drift', '--provider', 'retell'])).code).toBe(0);
  }, 180_000);
});
