import { describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { tsv } from '../helpers/run-cli.js';

/** Batches whose items are refused, and dry-run plans read by a pipe. */
const plan = buildSeedPlan();
const vapi = plan.numbers.filter((n) => n.provider === 'vapi' && n.status === 'active' && !n.importedFromTwilio);
const retellVacant = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0 && n.slots.sms.length === 0 && n.smsCapable !== false);

describe('batch exit codes and piped plans', () => {
  const cli = useSandboxCli();

  it('a batch refused whole exits 3 — dry run or not — even with a line that is not a number in it', async () => {
    // Vapi has no outbound slot: both numbers are refused by the rules; "not a number" is bad input (2) and comes first.
    const input = `not a number\n${vapi[0]!.e164}\n${vapi[1]!.e164}\n`;
    const dry = await cli.run(['assign', '-', '--outbound', 'booking', '--dry-run'], input);
    expect(dry.code, dry.stderr).toBe(3);
    expect(tsv(dry.stdout).map((row) => row[5])).toEqual(['refused', 'refused', 'refused']);
    const real = await cli.run(['assign', '-', '--outbound', 'booking'], input);
    expect(real.code, real.stderr).toBe(3);
    expect(tsv(real.stdout).map((row) => row[2])).toEqual(['refused', 'refused', 'refused']);
    expect(cli.writesUpstream()).toEqual([]);
  });

  it('some refused and some applied stays partial (7)', async () => {
    const input = `${vapi[0]!.e164}\n${retellVacant[0]!.e164}\n`;
    const result = await cli.run(['assign', '-', '--outbound', 'outbound-dialer'], input);
    expect(result.code, result.stderr).toBe(7);
    expect(tsv(result.stdout).map((row) => [row[0], row[2]])).toEqual([[vapi[0]!.e164, 'refused'], [retellVacant[0]!.e164, 'applied']]);
  });

  it('piped, a dry-run plan is one tab-separated row per change: number, provider, field, before, after, action, note', async () => {
    const held = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0 && n.slots.sms.length === 0 && !n.importedFromTwilio)!;
    const holder = plan.agents.find((a) => a.id === held.slots.inbound[0]!.agentId)!.name;
    const input = `${retellVacant[0]!.e164}\n${held.e164}\n${vapi[0]!.e164}\n+19995550000\n`;
    const dry = await cli.run(['assign', '-', '--inbound', 'support', '--outbound', 'outbound-dialer', '--dry-run'], input);
    const rows = tsv(dry.stdout);
    expect(rows.length).toBe(7);
    expect(rows.every((row) => row.length === 7)).toBe(true);
    expect(rows).toEqual([
      [retellVacant[0]!.e164, 'retell', 'inbound', '(none)', 'support', 'assign', ''],
      [retellVacant[0]!.e164, 'retell', 'outbound', '(none)', 'outbound-dialer', 'assign', ''],
      [held.e164, 'retell', 'inbound', holder, 'support', 'move', ''],
      [held.e164, 'retell', 'outbound', '(none)', 'outbound-dialer', 'assign', ''],
      // A refused number shows only why, a row per reason: nothing of it would be pushed.
      [vapi[0]!.e164, 'vapi', 'inbound', '', '', 'refused', 'no vapi agent "support" (retell has one, but a vapi number takes vapi agents only)'],
      [vapi[0]!.e164, 'vapi', 'outbound', '', '', 'refused', 'Vapi numbers have no outbound assignment: Vapi picks the assistant per call'],
      ['+19995550000', '-', '', '', '', 'refused', 'line 4: +19995550000 is not in the cache'],
    ]);
    expect(dry.stdout).not.toContain('→');
    // Some would go through and some not: partial, as the real run would be.
    expect(dry.code).toBe(7);
    // --json keeps its objects.
    const json = await cli.run(['assign', '-', '--inbound', 'support', '--dry-run', '--json'], input);
    expect(Array.isArray(JSON.parse(json.stdout))).toBe(true);
  });

  it('piped, an unassign plan and a setting plan are rows too', async () => {
    const held = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0 && n.slots.sms.length === 0 && !n.importedFromTwilio)!;
    const holder = plan.agents.find((a) => a.id === held.slots.inbound[0]!.agentId)!.name;
    const unassign = await cli.run(['unassign', held.e164, retellVacant[0]!.e164, '--dry-run']);
    expect(unassign.code, unassign.stderr).toBe(0);
    expect(tsv(unassign.stdout)).toEqual([
      [held.e164, 'retell', 'inbound', holder, '(none)', 'unassign', ''],
      [retellVacant[0]!.e164, 'retell', '', '', '', 'unchanged', 'nothing to change'],
    ]);
    const label = await cli.run(['numbers', 'label', held.e164, '', '--dry-run']);
    expect(tsv(label.stdout)).toEqual([[held.e164, 'retell', 'label', held.label!, '(none)', 'clear', '']]);
  });
});
