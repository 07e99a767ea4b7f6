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

  it('offers the agents of the number\'s own provider, the ones the rules refuse disabled with why, and says how many of other providers it leaves out', async () => {
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
    // Four other providers have a receptionist too: not listed, only counted, in one line.
    expect(inbound.filter((c) => c.name.startsWith('receptionist'))).toHaveLength(1);
    expect(inbound.filter((c) => !/ retell /.test(c.name) && !c.name.startsWith('(empty this slot)'))).toEqual([]);
    const agents = JSON.parse((await cli.run(['agents', 'list', '--json'])).stdout) as { provider: string }[];
    const others = agents.filter((a) => a.provider !== 'retell');
    expect(others.length).toBeGreaterThan(0);
    expect(result.stderr.match(/of other providers not listed/g)).toHaveLength(1);
    const count = (provider: string) => others.filter((a) => a.provider === provider).length;
    expect(result.stderr).toContain(`${others.length} agents of other providers not listed (bland ${count('bland')}, elevenlabs ${count('elevenlabs')}, twilio ${count('twilio')}, vapi ${count('vapi')}): a retell number takes retell agents only\n`);
    // The slot is empty: emptying it is offered last, disabled.
    expect(inbound.at(-1)).toEqual({ name: '(empty this slot)  unassign (none)', disabled: 'inbound holds nothing' });
    const sms = agentStep(prompter.asked, 1);
    expect(sms.filter((c) => !c.disabled).map((c) => c.name.split('  ')[0])).toEqual(['sms-concierge']);
    expect(cli.writesUpstream()).toEqual([]);
  });

  it('empties a slot: "(empty this slot)" is an unassign, with its plan and its confirmation, pushed through the same engine', async () => {
    const held = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0 && n.slots.sms.length === 0)!;
    const holder = plan.agents.find((a) => a.id === held.slots.inbound[0]!.agentId)!.name;
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(held.e164)) },
      { kind: 'checkbox', answer: [/^inbound/] },
      { kind: 'search', answer: /^\(empty this slot\)/ },
      { kind: 'confirm', answer: true },
    ]);
    const result = await cli.run(['wizard'], undefined, prompter);
    expect(result.code, result.stderr).toBe(0);
    expect(agentStep(prompter.asked, 0).at(-1)).toEqual({ name: `(empty this slot)  unassign ${holder}`, disabled: false });
    expect(result.stderr).toMatch(new RegExp(`^${escape(held.e164)} +retell +inbound +${holder} → \\(none\\) +unassign$`, 'm'));
    // Unassigning a held slot stops calls: the same confirmation as `voicenum unassign` asks for.
    expect(prompter.asked.at(-1)!.message).toBe(`unassign inbound of ${held.e164}: ${holder} stops answering it. Apply?`);
    expect(result.stdout).toMatch(new RegExp(`${escape(held.e164)}\\s+inbound: ${holder} → \\(none\\)`));
    expect(cli.writesUpstream().map((w) => w.path)).toEqual([`/update-phone-number/${held.e164}`]);
    expect(cli.sandbox.state().retell.numbers.find((n) => n.phone_number === held.e164)!.inbound_agents ?? []).toEqual([]);
  });

  it('"get a new number" buys only after its own yes: a no buys nothing; a yes buys, then the number is assigned like any other', async () => {
    const numbersAt = () => cli.sandbox.state().retell.numbers.length;
    const before = numbersAt();
    const refused = scriptedPrompter([
      { kind: 'search', answer: /^\(get a new number\)/ },
      { kind: 'select', answer: /^Retell$/ },
      { kind: 'input', answer: '415' },
      { kind: 'confirm', answer: false },
    ]);
    expect((await cli.run(['wizard'], undefined, refused)).code).toBe(130);
    expect(refused.asked.at(-1)!.message).toMatch(/^Buy a number in area code 415 on Retell \(the platform charges for it\)\?$/);
    expect(numbersAt()).toBe(before);

    const bought = scriptedPrompter([
      { kind: 'search', answer: /^\(get a new number\)/ },
      { kind: 'select', answer: /^Retell$/ },
      { kind: 'input', answer: '415' },
      { kind: 'confirm', answer: true },
      { kind: 'checkbox', answer: [/^inbound/] },
      { kind: 'search', answer: /^receptionist {2}retell/ },
      { kind: 'confirm', answer: true },
    ]);
    const result = await cli.run(['wizard'], undefined, bought);
    expect(result.code, result.stderr).toBe(0);
    expect(numbersAt()).toBe(before + 1);
    const made = cli.sandbox.state().retell.numbers.at(-1)!;
    expect(made.phone_number).toMatch(/^\+1415/);
    expect(result.stdout).toMatch(new RegExp(`${escape(made.phone_number)}\\s+inbound: \\(none\\) → receptionist`));
    expect(bought.asked.find((q) => q.kind === 'checkbox')!.message).toBe(`Which slots of ${made.phone_number}?`);
  });

  it('the number search puts the number or label typed exactly first', async () => {
    const prompter = scriptedPrompter([{ kind: 'search', answer: CANCEL }]);
    expect((await cli.run(['wizard'], undefined, prompter)).code).toBe(130);
    const { choices, source } = prompter.asked[0]!;
    expect(source).toBeDefined();
    const first = (typed: string) => (source!(typed, choices!)[0]!.value as { e164: string; label: string | null }) ?? null;
    // "retell line 1" is also in "retell line 10" to "12", which come earlier by number.
    const lineOne = plan.numbers.find((n) => n.label === 'retell line 1')!;
    const lineTwelve = plan.numbers.find((n) => n.label === 'retell line 12')!;
    expect(lineTwelve.e164 < lineOne.e164).toBe(true);
    expect(source!('retell line 1', choices!).length).toBeGreaterThan(1);
    expect(first('retell line 1').e164).toBe(lineOne.e164);
    expect(first('RETELL LINE 1 ').e164).toBe(lineOne.e164);
    // A number typed in its national form is found by its digits and comes first.
    const national = `(${lineOne.e164.slice(2, 5)}) ${lineOne.e164.slice(5, 8)}-${lineOne.e164.slice(8)}`;
    expect(first(national).e164).toBe(lineOne.e164);
    expect(first(lineOne.e164).e164).toBe(lineOne.e164);
    // Part of a number still filters, in list order; nothing typed keeps the whole list.
    expect(source!(lineOne.e164.slice(2, 8), choices!).every((c) => (c.value as { e164: string }).e164.includes(lineOne.e164.slice(2, 8)))).toBe(true);
    expect(source!('', choices!)).toHaveLength(choices!.length);
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

  it('on an ElevenLabs number: outbound and SMS disabled with the descriptor\'s reasons, only ElevenLabs agents offered, pushed as one PATCH', async () => {
    const eleven = plan.numbers.find((n) => n.provider === 'elevenlabs' && n.slots.inbound.length === 0)!;
    const prompter = scriptedPrompter([
      { kind: 'search', answer: new RegExp(escape(eleven.e164)) },
      { kind: 'checkbox', answer: [/^inbound/] },
      { kind: 'search', answer: /^receptionist {2}elevenlabs/ },
      { kind: 'confirm', answer: true },
    ]);
    const result = await cli.run(['wizard'], undefined, prompter);
    expect(result.code, result.stderr).toBe(0);
    const slots = prompter.asked[1]!.choices!;
    expect(slots.find((c) => c.name.startsWith('outbound'))?.disabled).toMatch(/each outbound call names its agent/);
    expect(slots.find((c) => c.name.startsWith('sms'))?.disabled).toMatch(/ElevenLabs numbers have no SMS assignment/);
    const offered = agentStep(prompter.asked, 0).filter((c) => !c.name.startsWith('(empty this slot)'));
    expect(offered.map((c) => c.name.split('  ')[0]).sort()).toEqual(['appointment-setter', 'concierge-multilingual', 'receptionist', 'support-desk']);
    expect(result.stderr).toMatch(/agents of other providers not listed \(.*\): an elevenlabs number takes elevenlabs agents only/);
    expect(cli.writesUpstream().map((w) => `${w.method} ${w.path}`)).toEqual([`PATCH /v1/convai/phone-numbers/${eleven.id}`]);
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
