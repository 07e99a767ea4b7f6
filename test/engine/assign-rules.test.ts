import { describe, expect, it } from 'vitest';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { tsv } from '../helpers/run-cli.js';
import { useSandboxCli } from '../helpers/in-process.js';

/**
 * Every rule of product.md §2 with input that breaks it: the exit code, the message, and that
 * neither the fake upstream nor the cache changed. In-process, against the sandbox fakes over real
 * HTTP and a real SQLite cache, through the same `main()` the executable runs.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const seeded = (predicate: (n: SeedNumber) => boolean) => plan.numbers.find(predicate)!;

describe('the rules checked before any push', () => {
  const cli = useSandboxCli();
  const { run, expectRefused } = cli;
  const setConfig = (settings: Record<string, unknown>) => cli.setConfig(settings);
  const writesUpstream = () => cli.writesUpstream();
  const cacheSnapshot = () => cli.cacheSnapshot();

  it('1: a number takes agents of its own provider only', async () => {
    const retell = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
    await expectRefused(['assign', retell.e164, '--inbound', 'vapi:booking'], 3, /names a vapi agent, but .* is a retell number: a retell number takes retell agents only/);
    await expectRefused(['assign', retell.e164, '--inbound', 'booking'], 3, /no retell agent "booking" \(vapi has one/);
  });

  it('an agent name shared by several agents of the provider is ambiguous, and the error lists them', async () => {
    const vapi = seeded((n) => n.provider === 'vapi' && n.status === 'active');
    const result = await expectRefused(['assign', vapi.e164, '--inbound', 'survey', '--yes'], 3, /"survey" is ambiguous at vapi/);
    expect(result.stderr).toContain(agentId('vapi', 'survey'));
    expect(result.stderr).toContain(plan.agents.filter((a) => a.name === 'survey')[1]!.id);
  });

  it('2: a slot the provider does not have is refused with the reason', async () => {
    const vapi = seeded((n) => n.provider === 'vapi' && n.status === 'active');
    await expectRefused(['assign', vapi.e164, '--outbound', 'receptionist'], 3, /Vapi numbers have no outbound assignment: Vapi picks the assistant per call/);
    const twilio = seeded((n) => n.provider === 'twilio' && !plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164));
    await expectRefused(['assign', twilio.e164, '--outbound', 'main-ivr'], 3, /Twilio numbers have no outbound assignment/);
  });

  it('3: SMS on a number that cannot text is refused', async () => {
    const noSms = plan.numbers.find((n) => n.provider === 'twilio' && !n.smsCapable && plan.numbers.some((o) => o.provider === 'retell' && o.e164 === n.e164))!;
    await expectRefused(['assign', noSms.e164, '--sms', 'sms-concierge'], 3, /cannot send or receive texts/);
  });

  it('4: a draft-only agent needs --allow-draft; a voice agent cannot take texts', async () => {
    const retell = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0);
    await expectRefused(['assign', retell.e164, '--inbound', 'after-hours'], 3, /after-hours .* has no published version; pass --allow-draft/);
    await expectRefused(['assign', retell.e164, '--sms', 'sales'], 3, /sales is a voice agent; a retell sms slot takes a chat agent/);
    const allowed = await run(['assign', retell.e164, '--inbound', 'after-hours', '--allow-draft']);
    expect(allowed.code, allowed.stderr).toBe(0);
    const shown = JSON.parse((await run(['numbers', 'show', retell.e164, '--json'])).stdout) as { slots: { inbound: { name: string }[] } };
    expect(shown.slots.inbound.map((a) => a.name)).toEqual(['after-hours']);
  });

  it('5: a blocked number is refused', async () => {
    const blocked = seeded((n) => n.provider === 'vapi' && n.status === 'blocked');
    await expectRefused(['assign', blocked.e164, '--inbound', 'booking'], 3, /is blocked at vapi/);
  });

  it('6: a move needs --yes without a terminal, and so does unassigning a held slot', async () => {
    const held = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'));
    await expectRefused(['assign', held.e164, '--inbound', 'sales'], 3, /move inbound of .*: receptionist loses it at once, sales takes it — confirm with --yes/);
    await expectRefused(['unassign', held.e164, '--inbound'], 3, /unassign inbound .*confirm with --yes/);
    const moved = await run(['assign', held.e164, '--inbound', 'sales', '--yes']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/applied\tinbound: receptionist -> sales/);
  });

  it('a weighted split must sum to 1 (a usage error, before the cache is even read)', async () => {
    const retell = seeded((n) => n.provider === 'retell');
    await expectRefused(['assign', retell.e164, '--inbound', 'sales=0.7,support=0.2'], 2, /weights sum to 0.9, not 1/);
  });

  it('7a: one-agent-per-number refuses a second agent on the number', async () => {
    setConfig({ oneAgentPerNumber: true });
    const retell = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.sms.length === 0 && n.slots.outbound.length === 0);
    await expectRefused(['assign', retell.e164, '--outbound', 'outbound-dialer'], 3, /policy one-agent-per-number/);
  });

  it('7b: one-number-per-agent moves the agent off its other number', async () => {
    setConfig({ oneNumberPerAgent: true });
    const holders = plan.numbers.filter((n) => n.provider === 'vapi' && n.status === 'active' && n.slots.inbound[0]?.agentId === agentId('vapi', 'booking'));
    const target = seeded((n) => n.provider === 'vapi' && n.status === 'active' && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist') && !n.importedFromTwilio);
    expect(holders.length).toBeGreaterThan(0);
    await expectRefused(['assign', target.e164, '--inbound', 'booking'], 3, /policy one-number-per-agent: booking leaves/);
    const result = await run(['assign', target.e164, '--inbound', 'booking', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse((await run(['numbers', 'list', '--agent', 'vapi:booking', '--json', 'e164'])).stdout) as { e164: string }[];
    expect(listed.map((n) => n.e164)).toEqual([target.e164]);
    // It reached upstream: a fresh sync agrees.
    await run(['sync', '--provider', 'vapi']);
    const synced = JSON.parse((await run(['numbers', 'list', '--agent', 'vapi:booking', '--json', 'e164'])).stdout) as { e164: string }[];
    expect(synced.map((n) => n.e164)).toEqual([target.e164]);
  });

  it('8: a slot changed upstream behind the cache stops with a conflict showing both values; --force overrides', async () => {
    const number = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'));
    const upstream = cli.sandbox.state().retell.numbers.find((n) => n.phone_number === number.e164)!;
    upstream.inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
    const numbersBefore = (await run(['numbers', 'list', '--json'])).stdout;
    const writesBefore = writesUpstream().length;
    const conflict = await run(['assign', number.e164, '--inbound', 'sales', '--yes']);
    expect(conflict.code).toBe(6);
    expect(conflict.stderr).toMatch(/changed upstream since the last sync: inbound is support upstream but receptionist in the cache/);
    expect(writesUpstream().length).toBe(writesBefore);
    expect((await run(['numbers', 'list', '--json'])).stdout).toBe(numbersBefore);
    expect(upstream.inbound_agents).toEqual([{ agent_id: agentId('retell', 'support'), weight: 1 }]);
    const forced = await run(['assign', number.e164, '--inbound', 'sales', '--yes', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(upstream.inbound_agents?.map((a) => a.agent_id)).toEqual([agentId('retell', 'sales')]);
    const history = JSON.parse((await run(['history', number.e164, '--json'])).stdout) as { outcome: string; before: { name: string }[] }[];
    expect(history.slice(-2).map((h) => h.outcome)).toEqual(['conflict', 'applied']);
    expect(history.at(-1)!.before.map((a) => a.name)).toEqual(['support']);
  });

  describe('rollback of a change that needs several upstream steps', () => {
    const setUp = async () => {
      setConfig({ oneNumberPerAgent: true });
      // In the order the policy steps run: by number.
      const holders = plan.numbers.filter((n) => n.provider === 'vapi' && n.slots.inbound[0]?.agentId === agentId('vapi', 'booking')).sort((a, b) => a.e164.localeCompare(b.e164));
      const target = seeded((n) => n.provider === 'vapi' && n.status === 'active' && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist') && !n.importedFromTwilio);
      const upstream = (id: string) => (cli.sandbox.state().vapi as unknown as { phoneNumbers: { id: string; assistantId?: string | null }[] }).phoneNumbers.find((n) => n.id === id)!;
      return { holders, target, upstream };
    };

    it('a fault in a later step undoes the earlier ones, upstream and in the cache', async () => {
      const { holders, target, upstream } = await setUp();
      expect(holders.length).toBe(2);
      // The first policy step goes through; the second one's number always fails.
      cli.sandbox.fakes.vapi.setFaults({ pathContains: holders[1]!.id, serverError: { count: -1, status: 500 } });
      const result = await run(['assign', target.e164, '--inbound', 'booking', '--yes']);
      expect(result.code).toBe(5);
      expect(result.stdout).toMatch(/rolled-back/);
      expect(upstream(target.id).assistantId).toBe(agentId('vapi', 'receptionist'));
      expect(upstream(holders[0]!.id).assistantId).toBe(agentId('vapi', 'booking'));
      expect(upstream(holders[1]!.id).assistantId).toBe(agentId('vapi', 'booking'));
      const cached = JSON.parse((await run(['numbers', 'list', '--agent', 'vapi:booking', '--json', 'e164'])).stdout) as { e164: string }[];
      expect(cached.map((n) => n.e164).sort()).toEqual(holders.map((h) => h.e164).sort());
      const history = JSON.parse((await run(['history', '--json'])).stdout) as { e164: string; field: string; outcome: string }[];
      // The second holder is imported from Twilio: booking answers its texts too, so its step is inbound and sms.
      expect(history.map((h) => `${h.e164} ${h.field} ${h.outcome}`)).toEqual([`${target.e164} inbound applied`, `${holders[0]!.e164} inbound applied`, `${holders[1]!.e164} inbound failed`, `${holders[1]!.e164} sms failed`, `${holders[0]!.e164} inbound rolled-back`, `${target.e164} inbound rolled-back`]);
    });

    it('an undo that fails too leaves the number needs-attention, shown in list and show, with the manual fix', async () => {
      const { target, upstream } = await setUp();
      // The first write (the number itself) succeeds; every later write fails, the undo included.
      cli.sandbox.fakes.vapi.setFaults({ failWritesAfter: 1 });
      const result = await run(['assign', target.e164, '--inbound', 'booking', '--yes']);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/fix by hand: set inbound of .* at vapi back to receptionist, then run `voicenum sync`/);
      expect(upstream(target.id).assistantId).toBe(agentId('vapi', 'booking'));
      const flagged = JSON.parse((await run(['numbers', 'list', '--status', 'needs-attention', '--json', 'e164,needsAttention'])).stdout) as { e164: string; needsAttention: string }[];
      expect(flagged.map((n) => n.e164)).toEqual([target.e164]);
      expect(flagged[0]!.needsAttention).toMatch(/fix by hand/);
      const shown = await run(['numbers', 'show', target.e164]);
      expect(shown.stdout).toMatch(/^status\tneeds-attention$/m);
      const again = await run(['assign', target.e164, '--inbound', 'receptionist', '--yes']);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/needs attention after a failed change/);
    });
  });

  it('a dry run prints the plan and changes nothing', async () => {
    const number = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 2);
    const before = await cacheSnapshot();
    const writesBefore = writesUpstream().length;
    const result = await run(['assign', number.e164, '--inbound', 'receptionist', '--sms', 'sms-concierge', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(tsv(result.stdout)).toEqual([
      [number.e164, 'retell', 'inbound', 'sales=0.7, support=0.3', 'receptionist', 'move', ''],
      [number.e164, 'retell', 'sms', '(none)', 'sms-concierge', 'assign', ''],
    ]);
    expect(writesUpstream().length).toBe(writesBefore);
    expect(await cacheSnapshot()).toBe(before);
  });

  it('every failure of one number is reported at once', async () => {
    const blocked = seeded((n) => n.provider === 'vapi' && n.status === 'blocked');
    const result = await expectRefused(['assign', blocked.e164, '--outbound', 'booking', '--inbound', 'nobody'], 3, /refused for 3 reasons/);
    expect(result.stderr).toMatch(/blocked/);
    expect(result.stderr).toMatch(/no outbound assignment/);
    expect(result.stderr).toMatch(/no agent "nobody"/);
  });
});
