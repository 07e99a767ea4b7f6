import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The safety gaps of the push path, through the built executable on the persisted sandbox: a
 * dashboard change is made by editing the fakes' persisted state between two commands, as a person at
 * the provider's dashboard would between two runs.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const seeded = (predicate: (n: SeedNumber) => boolean) => plan.numbers.find(predicate)!;

describe('push-path safety, end to end on the sandbox', () => {
  const dir = tempDir();
  const cli = (args: string[], env?: Record<string, string>) => runCli(['--sandbox', ...args], { home: dir.path, env });
  const stateFile = join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db');
  const readState = () => readSandboxState(stateFile);
  const onDashboard = (change: (state: SandboxState) => void) => {
    const state = readState();
    change(state);
    writeSandboxState(stateFile, state);
  };

  beforeEach(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
    expect((await cli(['sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('--dry-run reads upstream: a dashboard change is a conflict (exit 6) before the real run; --offline reads nothing', async () => {
    const number = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'));
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === number.e164)!.inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
    });
    const before = readState();
    const dry = await cli(['assign', number.e164, '--inbound', 'sales', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(6);
    expect(tsv(dry.stdout)).toContainEqual([number.e164, 'retell', 'inbound', '', '', 'conflict', `inbound of ${number.e164} is support upstream but receptionist in the cache`]);
    const offline = await cli(['--offline', 'assign', number.e164, '--inbound', 'sales', '--dry-run']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).not.toContain('conflict');
    expect(readState()).toEqual(before);
  });

  it('--force without --yes does not overwrite an agent put there on a dashboard', async () => {
    const vacant = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0 && n.slots.sms.length === 0);
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === vacant.e164)!.inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
    });
    const forced = await cli(['assign', vacant.e164, '--inbound', 'sales', '--force']);
    expect(forced.code).toBe(3);
    expect(forced.stderr).toMatch(/--force overwrites inbound .*support holds it upstream now.*confirm with --yes/);
    expect(readState().retell.numbers.find((n) => n.phone_number === vacant.e164)!.inbound_agents).toEqual([{ agent_id: agentId('retell', 'support'), weight: 1 }]);
  });

  it('a policy move lists every number it changes, the cleared Vapi texts included, in the result and history', async () => {
    expect((await cli(['config', 'set', 'policy.one-number-per-agent', 'on'])).code).toBe(0);
    const target = seeded((n) => n.provider === 'vapi' && n.status === 'active' && !n.importedFromTwilio && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist'));
    const texting = seeded((n) => n.provider === 'vapi' && n.importedFromTwilio && n.slots.inbound[0]?.agentId === agentId('vapi', 'booking'));
    const result = await cli(['assign', target.e164, '--inbound', 'booking', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const rows = tsv(result.stdout);
    expect(rows[0]!.slice(0, 3)).toEqual([target.e164, 'vapi', 'applied']);
    expect(rows.find((r) => r[0] === texting.e164)?.slice(2)).toEqual(['applied', expect.stringMatching(/^inbound: booking -> \(none\); sms: booking -> \(none\) \(policy one-number-per-agent/)]);
    const history = JSON.parse((await cli(['history', texting.e164, '--json'])).stdout) as { field: string; outcome: string }[];
    expect(history.map((h) => `${h.field} ${h.outcome}`)).toEqual(['inbound applied', 'sms applied']);
    expect((await cli(['config', 'set', 'policy.one-number-per-agent', 'off'])).code).toBe(0);
  });

  it('a trunk move names the platform it disconnects; the trunk\'s numbers agree across agents list, agents show and numbers list', async () => {
    const agents = JSON.parse((await cli(['agents', 'list', '--provider', 'twilio', '--json'])).stdout) as { id: string; kind: string; numbers: { inbound: number } }[];
    const trunk = agents.find((a) => a.kind === 'sip-trunk')!;
    const shown = JSON.parse((await cli(['agents', 'show', trunk.id, '--json'])).stdout) as { numbers: { inbound: { e164: string }[] } };
    const listed = JSON.parse((await cli(['numbers', 'list', '--agent', trunk.id, '--json', 'e164'])).stdout) as { e164: string }[];
    expect(shown.numbers.inbound.length).toBe(trunk.numbers.inbound);
    expect(listed.length).toBe(trunk.numbers.inbound);
    // One the trunk carries for Retell (the seed also has one on the trunk that no platform holds).
    const carried = seeded((n) => n.provider === 'retell' && n.importedFromTwilio && !n.label?.startsWith('doctor ')).e164;
    expect(shown.numbers.inbound.map((n) => n.e164)).toContain(carried);
    const refused = await cli(['assign', carried, '--provider', 'twilio', '--inbound', 'main-ivr']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/disconnects it from retell .*confirm with --yes/);
  });

  it('a Bland undo that fails leaves the number needs-attention with the fix', async () => {
    const number = seeded((n) => n.provider === 'bland' && n.slots.inbound[0]?.agentId === agentId('bland', 'receptionist'));
    const failed = await cli(['assign', number.e164, '--inbound', 'intake-flow', '--yes'], { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ bland: { failWritesAfter: 1 } }), VOICENUM_HTTP_MAX_ATTEMPTS: '1' });
    expect(failed.code).toBe(5);
    const flagged = tsv((await cli(['numbers', 'list', '--status', 'needs-attention', '--plain'])).stdout);
    expect(flagged.map((r) => r[0])).toEqual([number.e164]);
    const shown = JSON.parse((await cli(['numbers', 'show', number.e164, '--json'])).stdout) as { needsAttention: string };
    expect(shown.needsAttention).toMatch(/fix by hand in the Bland dashboard/);
  });
});
