import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Two voicenum processes at once on the same cache and the same (file-backed) sandbox upstream.
 * Every answer from the fakes is delayed, so both processes plan before either one writes.
 */
const plan = buildSeedPlan();
const vacant = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
const slow = JSON.stringify({ retell: { latencyMs: 400 } });

interface Listed {
  e164: string;
  slots: { inbound: { name: string }[] };
}

describe('two processes at once', () => {
  const dir = tempDir();
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { home: dir.path, env });
  const inbound = async (e164: string) => {
    const rows = JSON.parse((await cli(['--sandbox', 'numbers', 'list', '--json', 'e164,slots'])).stdout) as Listed[];
    return rows.find((n) => n.e164 === e164)!.slots.inbound.map((a) => a.name);
  };

  beforeAll(async () => {
    expect(vacant.length).toBeGreaterThanOrEqual(3);
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('assigning different numbers: both succeed, and both changes reach upstream', async () => {
    const [a, b] = await Promise.all([
      cli(['--sandbox', 'assign', vacant[0]!.e164, '--inbound', 'sales'], { VOICENUM_SANDBOX_FAULTS: slow }),
      cli(['--sandbox', 'assign', vacant[1]!.e164, '--inbound', 'support'], { VOICENUM_SANDBOX_FAULTS: slow }),
    ]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect((await cli(['--sandbox', 'sync', '--provider', 'retell'])).code).toBe(0);
    expect(await inbound(vacant[0]!.e164)).toEqual(['sales']);
    expect(await inbound(vacant[1]!.e164)).toEqual(['support']);
  });

  it('assigning the same number: one wins, the other reports a conflict; the audit log has both', async () => {
    const number = vacant[2]!.e164;
    const results = await Promise.all([
      cli(['--sandbox', 'assign', number, '--inbound', 'sales', '--yes'], { VOICENUM_SANDBOX_FAULTS: slow }),
      cli(['--sandbox', 'assign', number, '--inbound', 'support', '--yes'], { VOICENUM_SANDBOX_FAULTS: slow }),
    ]);
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 6]);
    const winner = results.find((r) => r.code === 0)!;
    const loser = results.find((r) => r.code === 6)!;
    const won = winner.stdout.includes('-> sales') ? 'sales' : 'support';
    expect(loser.stderr).toMatch(new RegExp(`changed upstream since the last sync: inbound is ${won} upstream but \\(none\\) in the cache`));
    // Nothing is lost: upstream and the cache both hold the winner's agent.
    expect(await inbound(number)).toEqual([won]);
    expect((await cli(['--sandbox', 'sync', '--provider', 'retell'])).code).toBe(0);
    expect(await inbound(number)).toEqual([won]);
    const history = JSON.parse((await cli(['--sandbox', 'history', number, '--json'])).stdout) as { outcome: string }[];
    expect(history.map((h) => h.outcome).sort()).toEqual(['applied', 'conflict']);
  });
});
