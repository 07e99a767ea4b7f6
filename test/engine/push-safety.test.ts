import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { tsv } from '../helpers/run-cli.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { scriptedPrompter } from '../helpers/prompter.js';

/**
 * The safety gaps of the push path: what --force may skip, what policy side effects must show and
 * obey, trunk moves, trunk agents' numbers, a Bland undo that fails, and the dry run's freshness
 * read. In-process through `main()`, against the sandbox fakes over real HTTP and a real cache.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const seeded = (predicate: (n: SeedNumber) => boolean) => plan.numbers.find(predicate)!;
const heldBy = (provider: string, name: string, slot: 'inbound' | 'sms' = 'inbound') => (n: SeedNumber) => n.provider === provider && n.slots[slot].length === 1 && n.slots[slot][0]!.agentId === agentId(provider, name);

interface HistoryEntry {
  e164: string;
  field: string;
  outcome: string;
  before: { name: string | null }[];
  after: { name: string | null }[];
}

describe('safety of the push path', () => {
  const cli = useSandboxCli();
  const { run } = cli;
  const history = async () => JSON.parse((await run(['history', '--json'])).stdout) as HistoryEntry[];
  const retellUpstream = (e164: string) => cli.sandbox.state().retell.numbers.find((n) => n.phone_number === e164)!;
  const vapiUpstream = (id: string) => (cli.sandbox.state().vapi as unknown as { phoneNumbers: { id: string; assistantId?: string | null; smsEnabled?: boolean }[] }).phoneNumbers.find((n) => n.id === id)!;

  describe('--dry-run reads each planned number upstream (rule 8 ahead of time)', () => {
    const number = seeded(heldBy('retell', 'receptionist'));
    const changeOnDashboard = () => {
      retellUpstream(number.e164).inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
    };

    it('shows a dashboard change as a conflict and exits 6, writing nothing', async () => {
      changeOnDashboard();
      const before = await cli.cacheSnapshot();
      const writes = cli.writesUpstream().length;
      const dry = await run(['assign', number.e164, '--inbound', 'sales', '--dry-run']);
      expect(dry.code, dry.stderr).toBe(6);
      expect(tsv(dry.stdout)).toEqual([
        [number.e164, 'retell', 'inbound', 'receptionist', 'sales', 'move', ''],
        [number.e164, 'retell', 'inbound', '', '', 'conflict', `inbound of ${number.e164} is support upstream but receptionist in the cache`],
      ]);
      const json = await run(['assign', number.e164, '--inbound', 'sales', '--dry-run', '--json']);
      expect(json.code).toBe(6);
      const planned = JSON.parse(json.stdout) as { conflicts: { e164: string; slot: string; cached: { name: string }[]; upstream: { name: string }[] }[] }[];
      expect(planned[0]!.conflicts).toMatchObject([{ e164: number.e164, slot: 'inbound', cached: [{ name: 'receptionist' }], upstream: [{ name: 'support' }] }]);
      expect(cli.writesUpstream().length).toBe(writes);
      expect(await cli.cacheSnapshot()).toBe(before);
      expect(retellUpstream(number.e164).inbound_agents).toEqual([{ agent_id: agentId('retell', 'support'), weight: 1 }]);
    });

    it('with --force the conflict is still shown but does not fail the dry run', async () => {
      changeOnDashboard();
      const dry = await run(['assign', number.e164, '--inbound', 'sales', '--dry-run', '--force']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(tsv(dry.stdout).map((row) => row[5])).toEqual(['move', 'conflict']);
    });

    it('an unchanged number plans clean, and --offline reads nothing upstream', async () => {
      const clean = await run(['assign', number.e164, '--inbound', 'sales', '--dry-run', '--json']);
      expect(clean.code, clean.stderr).toBe(0);
      expect((JSON.parse(clean.stdout) as { conflicts: unknown[] }[])[0]!.conflicts).toEqual([]);
      changeOnDashboard();
      const requests = cli.sandbox.fakes.retell.log.length;
      const offline = await run(['--offline', 'assign', number.e164, '--inbound', 'sales', '--dry-run', '--json']);
      expect(offline.code, offline.stderr).toBe(0);
      expect((JSON.parse(offline.stdout) as { conflicts: unknown }[])[0]!.conflicts).toBeNull();
      expect(cli.sandbox.fakes.retell.log.length).toBe(requests);
    });
  });

  it('a settings dry run (label) does the same freshness read', async () => {
    const number = seeded((n) => n.provider === 'retell');
    retellUpstream(number.e164).nickname = 'renamed on the dashboard';
    const requests = cli.sandbox.fakes.retell.log.length;
    const offline = await run(['--offline', 'numbers', 'label', number.e164, 'front desk', '--dry-run']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(cli.sandbox.fakes.retell.log.length).toBe(requests);
    const dry = await run(['numbers', 'label', number.e164, 'front desk', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(6);
    expect(tsv(dry.stdout)).toEqual([
      [number.e164, 'retell', 'label', number.label!, 'front desk', 'set', ''],
      [number.e164, 'retell', 'label', '', '', 'conflict', `label of ${number.e164} is renamed on the dashboard upstream but ${number.label} in the cache`],
    ]);
    expect(cli.writesUpstream()).toEqual([]);
    expect((await run(['numbers', 'label', number.e164, 'front desk', '--dry-run', '--force'])).code).toBe(0);
  });

  describe('--force overrides the conflict only, never the confirmation', () => {
    const vacant = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0 && n.slots.sms.length === 0);

    it('overwriting an agent that took the slot on a dashboard is a move: without a terminal it needs --yes', async () => {
      // The cache says the slot is empty (a plain assign), but upstream someone put support there.
      retellUpstream(vacant.e164).inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
      const writes = cli.writesUpstream().length;
      const forced = await run(['assign', vacant.e164, '--inbound', 'sales', '--force']);
      expect(forced.code, forced.stdout).toBe(3);
      expect(forced.stderr).toMatch(/--force overwrites inbound of .*: support holds it upstream now \(the cache says \(none\)\) and loses it at once — confirm with --yes/);
      expect(cli.writesUpstream().length).toBe(writes);
      expect(retellUpstream(vacant.e164).inbound_agents?.map((a) => a.agent_id)).toEqual([agentId('retell', 'support')]);
      const confirmed = await run(['assign', vacant.e164, '--inbound', 'sales', '--force', '--yes']);
      expect(confirmed.code, confirmed.stderr).toBe(0);
      expect(retellUpstream(vacant.e164).inbound_agents?.map((a) => a.agent_id)).toEqual([agentId('retell', 'sales')]);
    });

    it('on a terminal, --force asks before overwriting it, in assign and in the wizard; no writes nothing', async () => {
      retellUpstream(vacant.e164).inbound_agents = [{ agent_id: agentId('retell', 'support'), weight: 1 }];
      const asked = scriptedPrompter([{ kind: 'confirm', answer: false }]);
      const assign = await run(['assign', vacant.e164, '--inbound', 'sales', '--force'], undefined, asked);
      expect(assign.code).toBe(130);
      expect(assign.stderr).toContain(`conflict: inbound of ${vacant.e164} is support upstream but (none) in the cache`);
      const wizard = scriptedPrompter([
        { kind: 'search', answer: new RegExp(vacant.e164.replace('+', '\\+')) },
        { kind: 'checkbox', answer: [/^inbound/] },
        { kind: 'search', answer: /^sales {2}retell/ },
        { kind: 'confirm', answer: false },
      ]);
      const wizarded = await run(['wizard', '--force'], undefined, wizard);
      expect(wizarded.code).toBe(130);
      expect(wizard.asked.at(-1)!.message).toMatch(/--force overwrites inbound of .*: support holds it upstream now/);
      expect(cli.writesUpstream()).toEqual([]);
    });

    it('a move and an unassign the cache knows of still need --yes with --force', async () => {
      const held = seeded(heldBy('retell', 'receptionist'));
      await cli.expectRefused(['assign', held.e164, '--inbound', 'sales', '--force'], 3, /move inbound of .*confirm with --yes/);
      await cli.expectRefused(['unassign', held.e164, '--inbound', '--force'], 3, /unassign inbound of .*confirm with --yes/);
    });
  });

  describe('policy one-number-per-agent: every side effect is planned, obeys the rules and is reported', () => {
    // booking answers one plain Vapi number, and calls and texts on one imported from Twilio.
    const target = seeded((n) => heldBy('vapi', 'receptionist')(n) && n.status === 'active' && !n.importedFromTwilio);
    const texting = seeded((n) => heldBy('vapi', 'booking')(n) && n.importedFromTwilio);
    const plain = seeded((n) => heldBy('vapi', 'booking')(n) && !n.importedFromTwilio);

    it('plans the sms slot that taking the Vapi inbound assistant away clears', async () => {
      cli.setConfig({ oneNumberPerAgent: true });
      const dry = await run(['assign', target.e164, '--inbound', 'booking', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      const [planned] = JSON.parse(dry.stdout) as { sideEffects: { e164: string; reason: string; changes: { slot: string; kind: string; before: { name: string }[]; after: unknown[] }[] }[] }[];
      const side = planned!.sideEffects.find((s) => s.e164 === texting.e164)!;
      expect(side.reason).toMatch(/policy one-number-per-agent: booking leaves/);
      expect(side.changes.map((c) => [c.slot, c.kind, c.before.map((a) => a.name), c.after])).toEqual([
        ['inbound', 'unassign', ['booking'], []],
        ['sms', 'unassign', ['booking'], []],
      ]);
      const human = await run(['assign', target.e164, '--inbound', 'booking', '--dry-run']);
      expect(tsv(human.stdout)).toContainEqual([texting.e164, 'vapi', 'sms', 'booking', '(none)', 'unassign', `policy one-number-per-agent: booking leaves ${texting.e164} (inbound); for ${target.e164}`]);
    });

    it('reports every side effect in the result (JSON and TSV) and in history, the sms slot included', async () => {
      cli.setConfig({ oneNumberPerAgent: true });
      const applied = await run(['assign', target.e164, '--inbound', 'booking', '--yes', '--json']);
      expect(applied.code, applied.stderr).toBe(0);
      const [result] = JSON.parse(applied.stdout) as { outcome: string; sideEffects: { e164: string; outcome: string; changes: { slot: string }[] }[] }[];
      expect(result!.sideEffects.map((s) => [s.e164, s.outcome, s.changes.map((c) => c.slot)]).sort()).toEqual(
        [
          [plain.e164, 'applied', ['inbound']],
          [texting.e164, 'applied', ['inbound', 'sms']],
        ].sort(),
      );
      // Verified upstream: the handler and the texts are gone.
      expect(vapiUpstream(texting.id).assistantId ?? null).toBeNull();
      const shown = JSON.parse((await run(['numbers', 'show', texting.e164, '--json'])).stdout) as { slots: { sms: unknown[] } };
      expect(shown.slots.sms).toEqual([]);
      const entries = await history();
      expect(entries.filter((h) => h.e164 === texting.e164).map((h) => `${h.field} ${h.outcome} ${h.before.map((a) => a.name)}`)).toEqual(['inbound applied booking', 'sms applied booking']);

      // The same, piped: one line per side effect after the number's own.
      const piped = await run(['assign', texting.e164, '--inbound', 'booking', '--sms', 'booking', '--yes']);
      expect(piped.code, piped.stderr).toBe(0);
      const rows = piped.stdout.trim().split('\n').map((line) => line.split('\t'));
      expect(rows[0]!.slice(0, 3)).toEqual([texting.e164, 'vapi', 'applied']);
      expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([[target.e164, 'vapi', 'applied']]);
      expect(rows[1]![3]).toMatch(/^inbound: booking -> \(none\) \(policy one-number-per-agent: booking leaves .*; for \+/);
    });

    it('refuses a side effect on a blocked number, as a direct change of it would be', async () => {
      cli.setConfig({ oneNumberPerAgent: true });
      const blocked = seeded((n) => n.provider === 'vapi' && n.status === 'blocked');
      const blockedAgent = plan.agents.find((a) => a.id === blocked.slots.inbound[0]!.agentId)!;
      await cli.expectRefused(['assign', target.e164, '--inbound', blockedAgent.name, '--yes'], 3, new RegExp(`policy one-number-per-agent: ${blockedAgent.name} leaves ${blocked.e164.replace('+', '\\+')} \\(inbound\\), but ${blocked.e164.replace('+', '\\+')} is blocked at vapi`));
    });
    it('never writes a number left needing attention as a side effect, even with --force', async () => {
      cli.setConfig({ oneNumberPerAgent: true });
      // As a failed undo would leave it (the cache file of this profile, written directly).
      const db = new Database(join(cli.home, 'profiles', 'default', 'cache.db'));
      db.prepare('UPDATE numbers SET needs_attention = ? WHERE provider = ? AND provider_id = ?').run('set inbound back by hand', 'vapi', plain.id);
      db.close();
      await cli.expectRefused(['assign', target.e164, '--inbound', 'booking', '--yes', '--force'], 3, /booking leaves .*, but .* needs attention after a failed change/);
    });
  });

  describe('a Twilio number carried to a platform by a SIP trunk', () => {
    // The trunk exists at the fake Twilio only (numbers point at it); the cache names it by sid.
    const trunk = async () => (JSON.parse((await run(['agents', 'list', '--provider', 'twilio', '--json'])).stdout) as { id: string; kind: string; numbers: { inbound: number } }[]).find((a) => a.kind === 'sip-trunk')!;
    const carried = async () => {
      const { id } = await trunk();
      return plan.numbers.find((n) => n.provider === 'twilio' && cli.sandbox.state().twilio.incomingPhoneNumbers.find((t) => t.phone_number === n.e164)?.trunk_sid === id && plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164))!;
    };

    it('moving it off the trunk is shown as disconnecting that platform and needs a yes', async () => {
      const number = await carried();
      const platform = plan.numbers.find((o) => o.provider !== 'twilio' && o.e164 === number.e164)!.provider;
      const dry = await run(['assign', number.e164, '--provider', 'twilio', '--inbound', 'main-ivr', '--dry-run', '--json']);
      expect(dry.code, dry.stderr).toBe(0);
      const [planned] = JSON.parse(dry.stdout) as { changes: { kind: string; note: string | null }[] }[];
      expect(planned!.changes[0]).toMatchObject({ kind: 'move', note: expect.stringMatching(new RegExp(`^disconnects it from ${platform}`)) });
      await cli.expectRefused(['unassign', number.e164, '--provider', 'twilio', '--inbound'], 3, new RegExp(`disconnects it from ${platform}.*confirm with --yes`));
    });

    it('agents show and numbers list --agent count the trunk\'s numbers as agents list does', async () => {
      const { id: trunkId, numbers: counts } = await trunk();
      const counted = counts.inbound;
      expect(counted).toBeGreaterThan(0);
      const shown = JSON.parse((await run(['agents', 'show', trunkId!, '--json'])).stdout) as { numbers: { inbound: { e164: string }[] } };
      expect(shown.numbers.inbound).toHaveLength(counted);
      const numbers = JSON.parse((await run(['numbers', 'list', '--agent', trunkId!, '--json', 'e164'])).stdout) as { e164: string }[];
      expect(numbers.map((n) => n.e164).sort()).toEqual(shown.numbers.inbound.map((n) => n.e164).sort());
    });
  });

  it('a Bland write whose own undo fails leaves the number needs-attention with the fix', async () => {
    const number = seeded((n) => n.provider === 'bland' && n.slots.inbound[0]?.agentId === agentId('bland', 'receptionist'));
    // Pointing it at the pathway succeeds; detaching the agent fails, and so does the undo.
    cli.sandbox.fakes.bland.setFaults({ failWritesAfter: 1 });
    const result = await run(['assign', number.e164, '--inbound', 'intake-flow', '--yes']);
    expect(result.code).toBe(5);
    cli.sandbox.fakes.bland.setFaults({});
    const flagged = JSON.parse((await run(['numbers', 'list', '--status', 'needs-attention', '--json', 'e164,needsAttention'])).stdout) as { e164: string; needsAttention: string }[];
    expect(flagged.map((n) => n.e164)).toEqual([number.e164]);
    expect(flagged[0]!.needsAttention).toMatch(/fix by hand in the Bland dashboard: .*point .* back at agent/);
    const entries = await history();
    expect(entries.at(-1)).toMatchObject({ e164: number.e164, field: 'inbound', outcome: 'needs-attention' });
  });
});
