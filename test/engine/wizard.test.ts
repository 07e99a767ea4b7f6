import { describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { CANCEL, scriptedPrompter, type Answer } from '../helpers/prompter.js';

/** The wizard's steps with a scripted prompter, against the fakes and a real cache. */
const plan = buildSeedPlan();
const retellVacant = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && !n.importedFromTwilio)!;
const vapiNative = plan.numbers.find((n) => n.provider === 'vapi' && n.status === 'active' && !n.importedFromTwilio)!;
const escape = (text: string) => text.replace(/[+]/g, '\\+');

describe('the wizard', () => {
  const cli = useSandboxCli();

  const agentStep = (asked: ReturnType<typeof scriptedPrompter>['asked'], index: number) =>
    asked.filter((q) => q.message.startsWith('Which agent'))[index]!.choices!.map((c) => ({ name: c.name, disabled: c.disabled }));

  it('walks number → slot → agent → plan → confirm and pushes through the same engine as assign', async () => {
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(retellVacant.e164)) },
      { kind: 'checkbox', answer: [/^inbound/] },
      { kind: 'search', answer: /^receptionist {2}retell/ },
      { kind: 'confirm', answer: true },
    ]);
    const result = await cli.run(['wizard'], undefined, prompter);
    expect(result.code, result.stderr).toBe(0);
    // The plan is the one --dry-run prints (on a terminal, a table), drawn on stderr before the question; stdout has the result.
    expect(result.stderr).toMatch(new RegExp(`^${escape(retellVacant.e164)} +retell +inbound +\\(none\\) → receptionist$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`${escape(retellVacant.e164)}\\s+inbound: \\(none\\) → receptionist`));
    expect(cli.writesUpstream().map((w) => w.path)).toEqual([`/update-phone-number/${retellVacant.e164}`]);
    const history = JSON.parse((await cli.run(['history', '--json'])).stdout) as { outcome: string }[];
    expect(history.map((h) => h.outcome)).toEqual(['applied']);
  });

  it('offers only agents the rules accept, telling same-named ones apart and saying why the others are disabled', async () => {
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(retellVacant.e164)) },
      { kind: 'checkbox', answer: [/^inbound/, /^sms/] },
      { kind: 'search', answer: /^sales/ },
      { kind: 'search', answer: CANCEL },
    ]);
    const result = await cli.run(['assign'], undefined, prompter);
    expect(result.code).toBe(130);
    const inbound = agentStep(prompter.asked, 0);
    const enabled = inbound.filter((c) => !c.disabled).map((c) => c.name.split('  ')[0]);
    expect(enabled.sort()).toEqual(['outbound-dialer', 'receptionist', 'sales', 'support']);
    expect(inbound.find((c) => c.name.startsWith('after-hours'))?.disabled).toMatch(/no published version; pass --allow-draft/);
    expect(inbound.find((c) => c.name.startsWith('sms-concierge'))?.disabled).toMatch(/chat agent; a retell inbound slot takes a voice agent/);
    // Three other providers have a receptionist too: listed with provider and id, and disabled with the reason.
    const receptionists = inbound.filter((c) => c.name.startsWith('receptionist'));
    expect(receptionists).toHaveLength(4);
    expect(new Set(receptionists.map((c) => c.name)).size).toBe(4);
    expect(receptionists.filter((c) => c.disabled)).toHaveLength(3);
    expect(receptionists.filter((c) => c.disabled).every((c) => /takes retell agents only/.test(String(c.disabled)))).toBe(true);
    const sms = agentStep(prompter.asked, 1);
    expect(sms.filter((c) => !c.disabled).map((c) => c.name.split('  ')[0])).toEqual(['sms-concierge']);
    expect(cli.writesUpstream()).toEqual([]);
  });

  it('disables slots the provider lacks and numbers the rules would refuse, with the reason', async () => {
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(vapiNative.e164)) },
      { kind: 'checkbox', answer: CANCEL },
    ]);
    expect((await cli.run(['wizard'], undefined, prompter)).code).toBe(130);
    const numbers = prompter.asked[0]!.choices!;
    const blocked = plan.numbers.find((n) => n.provider === 'vapi' && n.status === 'blocked')!;
    expect(numbers.find((c) => c.name.startsWith(blocked.e164))?.disabled).toBe('blocked at vapi');
    const slots = prompter.asked[1]!.choices!;
    expect(slots.find((c) => c.name.startsWith('outbound'))?.disabled).toMatch(/Vapi picks the assistant per call/);
    expect(slots.find((c) => c.name.startsWith('sms'))?.disabled).toMatch(/only on numbers imported from Twilio/);
    expect(slots.find((c) => c.name.startsWith('inbound'))?.disabled).toBe(false);
  });

  it('a policy shapes what is offered: one-agent-per-number leaves only the agent the number already names', async () => {
    cli.setConfig({ oneAgentPerNumber: true });
    const held = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0 && n.slots.sms.length === 0)!;
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(held.e164)) },
      { kind: 'checkbox', answer: [/^outbound/] },
      { kind: 'search', answer: CANCEL },
    ]);
    expect((await cli.run(['wizard'], undefined, prompter)).code).toBe(130);
    const holder = plan.agents.find((a) => a.id === held.slots.inbound[0]!.agentId)!;
    const outbound = agentStep(prompter.asked, 0);
    expect(outbound.filter((c) => !c.disabled).map((c) => c.name.split('  ')[0])).toEqual([holder.name]);
    expect(outbound.find((c) => c.disabled && c.name.startsWith('sales'))?.disabled ?? outbound.find((c) => c.disabled && c.name.startsWith('support'))?.disabled).toMatch(/policy one-agent-per-number/);
  });

  const cancelAt: [string, Answer[]][] = [
    ['the number', [{ kind: 'search', answer: CANCEL }]],
    ['the slots', [{ kind: 'search', answer: new RegExp(escape(retellVacant.e164)) }, { kind: 'checkbox', answer: CANCEL }]],
    ['the agent', [{ kind: 'search', answer: new RegExp(escape(retellVacant.e164)) }, { kind: 'checkbox', answer: [/^inbound/] }, { kind: 'search', answer: CANCEL }]],
    ['the confirmation (Ctrl-C)', [{ kind: 'search', answer: new RegExp(escape(retellVacant.e164)) }, { kind: 'checkbox', answer: [/^inbound/] }, { kind: 'search', answer: /^sales/ }, { kind: 'confirm', answer: CANCEL }]],
    ['the confirmation (no)', [{ kind: 'search', answer: new RegExp(escape(retellVacant.e164)) }, { kind: 'checkbox', answer: [/^inbound/] }, { kind: 'search', answer: /^sales/ }, { kind: 'confirm', answer: false }]],
  ];
  for (const [step, script] of cancelAt) {
    it(`cancelling at ${step} changes nothing and exits 130`, async () => {
      const before = await cli.cacheSnapshot();
      const result = await cli.run(['wizard'], undefined, scriptedPrompter(script));
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/cancelled; nothing was changed/);
      expect(cli.writesUpstream()).toEqual([]);
      expect(await cli.cacheSnapshot()).toBe(before);
    });
  }

  it('refuses without a terminal and names the flags that do the same', async () => {
    const result = await cli.run(['wizard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a terminal/);
    expect(result.stderr).toMatch(/voicenum assign NUMBER --inbound AGENT/);
  });
});
