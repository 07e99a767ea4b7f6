import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { seededRandom, tsv } from '../helpers/run-cli.js';

/**
 * The fleet file through the real command code on the sandbox fakes (real HTTP, real SQLite):
 * export, plan, apply, refusals, bad files, saved plans, pruning, and a fuzz of the reader.
 */
const seed = buildSeedPlan();
const agentId = (provider: string, name: string) => seed.agents.find((a) => a.provider === provider && a.name === name)!.id;
const retellVacant = seed.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0 && n.slots.sms.length === 0);
/** Retell numbers nobody answers (some place calls). */
const retellNoInbound = seed.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
const retellReceptionist = seed.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0);

interface Entry {
  number: string;
  provider: string;
  label?: string | null;
  inbound?: { agent: string; id: string; weight?: number }[];
}

describe('fleet export, plan and apply', () => {
  const cli = useSandboxCli();
  const file = (name: string) => join(cli.home, name);
  const exported = async () => {
    const result = await cli.run(['export', '-o', file('fleet.yaml')]);
    expect(result.code, result.stderr).toBe(0);
    return readFileSync(file('fleet.yaml'), 'utf8');
  };
  /** Replace the line `key: …` of the entry of `number` (the first after its `number:` line). */
  const edit = (text: string, number: string, key: string, value: string) => {
    const start = text.indexOf(`number: "${number}"`);
    expect(start).toBeGreaterThan(0);
    const at = text.indexOf(`    ${key}: `, start);
    const end = text.indexOf('\n', at);
    return `${text.slice(0, at)}    ${key}: ${value}${text.slice(end)}`;
  };
  const support = `[{ agent: "retell:support", id: ${agentId('retell', 'support')} }]`;

  it('exports every number once, ordered by provider then number, and the yaml package reads it back as written', async () => {
    const text = await exported();
    const data = parseYaml(text) as { version: number; numbers: Entry[] };
    const listed = JSON.parse((await cli.run(['numbers', 'list', '--json', 'e164,provider'])).stdout) as { e164: string; provider: string }[];
    expect(data.numbers.length).toBe(listed.length);
    expect(data.numbers.length).toBeGreaterThan(30);
    const keys = data.numbers.map((n) => `${n.provider} ${n.number}`);
    expect(keys).toEqual([...keys].sort());
    // JSON of the same fleet is the same data.
    const json = await cli.run(['export', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(data);
    // Nothing voicenum cannot change: Vapi has no outbound slot, Bland no fallback.
    expect(data.numbers.filter((n) => n.provider === 'vapi').every((n) => !('outbound' in n))).toBe(true);
    expect(data.numbers.filter((n) => n.provider === 'bland').every((n) => !('fallback' in n))).toBe(true);
    // A fresh export of an unchanged fleet is the same text (a git diff shows nothing).
    expect(await exported()).toBe(text);
  });

  it('hostile labels are written so that YAML reads them back exactly', async () => {
    const target = retellVacant[0]!;
    const labels = ['yes', 'null', '- dash', 'a: b', '#hash', ' padded ', 'quote " and \\', 'üñí 日本', '123', 'tab\there'.replace('\t', ' '), "it's", '[x]', '{y}', '@at', 'a #b'];
    for (const label of labels) {
      const set = await cli.run(['numbers', 'label', target.e164, '--', label]);
      expect(set.code, set.stderr).toBe(0);
      const data = parseYaml(await exported()) as { numbers: Entry[] };
      expect(data.numbers.find((n) => n.number === target.e164)!.label).toBe(label);
    }
  });

  it('round trip: export, edit, plan shows exactly the edit, apply, plan shows nothing', async () => {
    const target = retellVacant[0]!;
    const labelled = seed.numbers.find((n) => n.provider === 'vapi' && n.status === 'active')!;
    let text = await exported();
    expect((await cli.run(['plan', '-f', file('fleet.yaml'), '--detailed-exitcode'])).code).toBe(0);
    text = edit(text, target.e164, 'inbound', support);
    text = edit(text, labelled.e164, 'label', 'front desk');
    text = text.replace('version: 1\n', 'version: 1\n# reviewed in PR 12\n');
    writeFileSync(file('fleet.yaml'), text);
    const plan = await cli.run(['plan', '-f', file('fleet.yaml'), '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(10);
    // In the file's order: by provider, then number.
    expect(tsv(plan.stdout)).toEqual([
      [target.e164, 'retell', 'inbound', '(none)', 'support', 'assign', ''],
      [labelled.e164, 'vapi', 'label', labelled.label, 'front desk', 'set', ''],
    ]);
    expect(plan.stderr).toContain('2 to change, 0 moves, 0 refused');
    expect(cli.writesUpstream()).toEqual([]);
    // Without a terminal and without --yes, nothing is pushed.
    const unconfirmed = await cli.run(['apply', '-f', file('fleet.yaml')]);
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stderr).toMatch(/confirm with --yes/);
    expect(cli.writesUpstream()).toEqual([]);
    const applied = await cli.run(['apply', '-f', file('fleet.yaml'), '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(tsv(applied.stdout).map((row) => [row[0], row[2]])).toEqual([[target.e164, 'applied'], [labelled.e164, 'applied']]);
    expect(cli.writesUpstream().length).toBe(2);
    const again = await cli.run(['plan', '-f', file('fleet.yaml'), '--detailed-exitcode']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    // The audit log has both, and a fresh sync agrees.
    expect((await cli.run(['sync'])).code).toBe(0);
    expect((await cli.run(['plan', '-f', file('fleet.yaml'), '--offline', '--detailed-exitcode'])).code).toBe(0);
  });

  it('refusals are all reported at once, two numbers given one agent under one-number-per-agent is one refusal naming both, nothing is pushed', async () => {
    cli.setConfig({ oneNumberPerAgent: true });
    const [a, b] = retellVacant;
    // Nobody answers with the dialer yet: two numbers of the file taking it is the file's own contradiction.
    const dialer = `[{ agent: "retell:outbound-dialer", id: ${agentId('retell', 'outbound-dialer')} }]`;
    let text = await exported();
    text = edit(text, a!.e164, 'inbound', dialer);
    text = edit(text, b!.e164, 'inbound', dialer);
    // And a draft agent elsewhere: a second, unrelated refusal in the same plan.
    const third = retellReceptionist[0]!;
    text = edit(text, third.e164, 'inbound', `[{ agent: "retell:after-hours", id: ${agentId('retell', 'after-hours')} }]`);
    writeFileSync(file('fleet.yaml'), text);
    const plan = await cli.run(['plan', '-f', file('fleet.yaml'), '--offline']);
    expect(plan.code, plan.stderr).toBe(3);
    const refused = tsv(plan.stdout).filter((row) => row[5] === 'refused');
    // The seed's doctor case already answers with the draft agent: the policy names it and the third number too.
    const draftHolder = seed.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.some((s) => s.agentId === agentId('retell', 'after-hours')))!;
    expect(refused.map((row) => row[6])).toEqual([
      expect.stringContaining('after-hours'),
      `policy one-number-per-agent: after-hours would hold the inbound slot of ${[draftHolder.e164, third.e164].sort().join(' and ')}; give it to one of them`,
      `policy one-number-per-agent: outbound-dialer would hold the inbound slot of ${[a!.e164, b!.e164].sort().join(' and ')}; give it to one of them`,
    ]);
    expect(plan.stderr).toContain('3 refused');
    const apply = await cli.run(['apply', '-f', file('fleet.yaml'), '--yes']);
    expect(apply.code).toBe(3);
    expect(cli.writesUpstream()).toEqual([]);
  });

  it('a file that names only some numbers leaves the rest alone, and a policy moves an agent off the numbers it leaves out, as assign does', async () => {
    cli.setConfig({ oneNumberPerAgent: true });
    const target = retellVacant[0]!;
    const holders = seed.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist')).map((n) => n.e164).sort();
    expect(holders.length).toBeGreaterThan(1);
    writeFileSync(file('one.yaml'), `version: 1\nnumbers:\n  - number: "${target.e164}"\n    provider: retell\n    inbound: [{ agent: retell:receptionist }]\n`);
    const plan = await cli.run(['plan', '-f', file('one.yaml'), '--offline']);
    expect(plan.code, plan.stderr).toBe(0);
    const rows = tsv(plan.stdout);
    expect(rows[0]).toEqual([target.e164, 'retell', 'inbound', '(none)', 'receptionist', 'assign', '']);
    expect(rows.slice(1).map((row) => [row[0], row[2], row[5]])).toEqual(holders.map((e164) => [e164, 'inbound', 'unassign']));
    expect(rows.slice(1).every((row) => row[6]!.includes(`policy one-number-per-agent: receptionist leaves`) && row[6]!.endsWith(`for ${target.e164}`))).toBe(true);
    const applied = await cli.run(['apply', '-f', file('one.yaml'), '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const list = JSON.parse((await cli.run(['numbers', 'list', '--agent', 'retell:receptionist', '--json', 'e164'])).stdout) as { e164: string }[];
    expect(list.map((n) => n.e164)).toEqual([target.e164]);
  });

  it('a partial apply exits 7 and a re-apply finishes the rest', async () => {
    let text = await exported();
    const targets = retellNoInbound.slice(0, 4);
    expect(targets.length).toBe(4);
    for (const t of targets) text = edit(text, t.e164, 'inbound', support);
    writeFileSync(file('fleet.yaml'), text);
    cli.sandbox.fakes.retell.setFaults({ failWrite: { nth: 2, status: 400 } });
    const first = await cli.run(['apply', '-f', file('fleet.yaml'), '--yes', '--concurrency', '1']);
    expect(first.code, first.stderr).toBe(7);
    const outcomes = tsv(first.stdout).map((row) => row[2]);
    expect(outcomes.filter((o) => o === 'applied').length).toBe(3);
    expect(outcomes.filter((o) => o === 'failed').length).toBe(1);
    expect(first.stderr).toMatch(/run it again to finish the rest/);
    cli.sandbox.fakes.retell.setFaults({});
    const second = await cli.run(['apply', '-f', file('fleet.yaml'), '--yes']);
    expect(second.code, second.stderr).toBe(0);
    expect(tsv(second.stdout).length).toBe(1);
    expect((await cli.run(['plan', '-f', file('fleet.yaml'), '--detailed-exitcode'])).code).toBe(0);
  });

  it('a saved plan refuses a number changed upstream since (exit 6) unless --force', async () => {
    const target = retellVacant[0]!;
    writeFileSync(file('fleet.yaml'), edit(await exported(), target.e164, 'inbound', support));
    const saved = await cli.run(['plan', '-f', file('fleet.yaml'), '-o', file('plan.json')]);
    expect(saved.code, saved.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(file('plan.json'), 'utf8')) as { numbers: { e164: string; changes: { field: string; before: unknown }[] }[] };
    expect(plan.numbers).toEqual([expect.objectContaining({ e164: target.e164, changes: [expect.objectContaining({ field: 'inbound', before: [] })] })]);
    // Someone else changes the number after the plan was made.
    expect((await cli.run(['assign', target.e164, '--inbound', 'sales'])).code).toBe(0);
    const writes = cli.writesUpstream().length;
    const stale = await cli.run(['apply', file('plan.json'), '--yes']);
    expect(stale.code, stale.stderr).toBe(6);
    expect(stale.stdout).toMatch(/conflict/);
    expect(cli.writesUpstream().length).toBe(writes);
    const forced = await cli.run(['apply', file('plan.json'), '--yes', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const shown = JSON.parse((await cli.run(['numbers', 'show', target.e164, '--json'])).stdout) as { slots: { inbound: { name: string }[] } };
    expect(shown.slots.inbound.map((a) => a.name)).toEqual(['support']);
  });

  it('--prune unassigns the numbers the file leaves out, within its providers, and releases nothing', async () => {
    const held = seed.numbers.find((n) => n.provider === 'bland' && n.slots.inbound.length > 0 && n.slots.sms.length > 0)!;
    await cli.run(['export', '--provider', 'bland', '-o', file('bland.yaml')]);
    const text = readFileSync(file('bland.yaml'), 'utf8');
    const data = parseYaml(text) as { providers: string[]; numbers: Entry[] };
    expect(data.providers).toEqual(['bland']);
    data.numbers = data.numbers.filter((n) => n.number !== held.e164);
    writeFileSync(file('bland.json'), JSON.stringify(data));
    const without = await cli.run(['plan', '-f', file('bland.json')]);
    expect(without.stdout).toBe('');
    const plan = await cli.run(['plan', '-f', file('bland.json'), '--prune']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(tsv(plan.stdout).map((row) => [row[0], row[2], row[5]])).toEqual([
      [held.e164, 'inbound', 'unassign'],
      [held.e164, 'sms', 'unassign'],
    ]);
    const applied = await cli.run(['apply', '-f', file('bland.json'), '--prune', '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const shown = JSON.parse((await cli.run(['numbers', 'show', held.e164, '--json'])).stdout) as { status: string | null; slots: { inbound: unknown[]; sms: unknown[] } };
    expect([shown.slots.inbound, shown.slots.sms]).toEqual([[], []]);
    expect(shown.status).not.toBe('removed');
  });

  it('bad files get every problem with its line and column, exit 2, and nothing is pushed', async () => {
    const target = retellVacant[0]!;
    const vapiNumber = seed.numbers.find((n) => n.provider === 'vapi')!;
    const cases: [string, RegExp][] = [
      ['version: 1\nnumbers:\n  - number: "+1415\n', /fleet\.yaml:\d+:\d+: Missing closing "quote/],
      ['version: 1\nnumbers:\n  - number: "+14155550100"\n    provider: retell\n    lable: x\n', /fleet\.yaml:5:5: unknown key "lable" \(did you mean label\?\)/],
      [`version: 1\nnumbers:\n  - number: "${target.e164}"\n    provider: retell\n    inbound: [{ agent: "retell:suport" }]\n`, /fleet\.yaml:5:\d+: no retell agent "suport" \(did you mean support\?\)/],
      [`version: 1\nnumbers:\n  - number: "${target.e164}"\n    provider: retell\n    inbound: [{ agent: "vapi:booking" }]\n`, /fleet\.yaml:5:\d+: "vapi:booking" is a vapi agent, but .* is a retell number/],
      ['version: 1\nnumbers:\n  - number: "+1 415 555 12x4"\n    provider: retell\n', /fleet\.yaml:3:\d+: .*not a phone number|fleet\.yaml:3:\d+: /],
      [`version: 1\nnumbers:\n  - number: "${vapiNumber.e164}"\n    provider: vapi\n    outbound: []\n`, /fleet\.yaml:5:5: vapi numbers have no outbound slot/],
      ['version: 1\nnumbers:\n  - number: "+14155550100"\n    provider: retel\n', /fleet\.yaml:4:15: unknown provider "retel" \(did you mean retell\?\)/],
      ['version: 2\nnumbers: []\n', /fleet\.yaml:1:10: version should be 1/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(file('fleet.yaml'), text);
      for (const command of [['plan', '-f', file('fleet.yaml')], ['apply', '-f', file('fleet.yaml'), '--yes']]) {
        const result = await cli.run(command);
        expect(result.code, `${text}\n${result.stderr}`).toBe(2);
        expect(result.stderr).toMatch(message);
      }
    }
    expect(cli.writesUpstream()).toEqual([]);
  });

  it('fuzz: a valid file mutated many ways never crashes and never pushes', async () => {
    const base = await exported();
    const json = (await cli.run(['export', '--format', 'json'])).stdout;
    const random = seededRandom(1313);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const junk = ['', ':', '- ', '{', '}', '[', ']', '"', "'", '#', '&a', '*a', '!!binary', '\t', '\u0000', '\u202e', '@', '%', '|', '>', '? ', '---', '...', 'null', '~', '1e999', '-0', 'provider: twilio', 'weight: 2', 'version: -1', 'agent: ""', '<<: *a'];
    const mutate = (text: string): string => {
      const at = Math.floor(random() * text.length);
      switch (Math.floor(random() * 6)) {
        case 0: return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
        case 1: return text.slice(0, at) + pick(junk) + text.slice(at);
        case 2: {
          const lines = text.split('\n');
          const i = Math.floor(random() * lines.length);
          lines.splice(i, 1, lines[Math.floor(random() * lines.length)]!);
          return lines.join('\n');
        }
        case 3: return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(at + 1);
        case 4: return text.replace(/agent_[0-9a-f]{4}/, `agent_${Math.floor(random() * 9999)}`);
        default: {
          const lines = text.split('\n');
          const i = Math.floor(random() * lines.length);
          lines[i] = ' '.repeat(Math.floor(random() * 6)) + lines[i]!.trimStart();
          return lines.join('\n');
        }
      }
    };
    const documented = new Set([0, 2, 3, 10]);
    const seen = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      let text = i % 3 === 0 ? json : base;
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) text = mutate(text);
      writeFileSync(file('fuzz.yaml'), text);
      for (const command of [['plan', '-f', file('fuzz.yaml'), '--offline', '--detailed-exitcode'], ['apply', '-f', file('fuzz.yaml')]]) {
        const result = await cli.run(command);
        seen.set(result.code, (seen.get(result.code) ?? 0) + 1);
        expect(documented.has(result.code), `${command[0]} exit ${result.code}\n${result.stderr}\n--- file ---\n${text}`).toBe(true);
        expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        expect(result.stderr).not.toMatch(/internal error|please report/i);
      }
    }
    // The mutations reach the reader's errors and, sometimes, a valid file.
    expect(seen.get(2) ?? 0).toBeGreaterThan(50);
    expect(cli.writesUpstream()).toEqual([]);
  }, 120_000);

  it('the JSON Schema shipped with the package is the one export --schema prints, and an exported file validates against it', async () => {
    const printed = await cli.run(['export', '--schema']);
    expect(printed.code).toBe(0);
    const schema = JSON.parse(printed.stdout) as object;
    expect(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'fleet.schema.json'), 'utf8'))).toEqual(schema);
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ strict: true });
    const validate = ajv.compile(schema);
    const data = parseYaml(await exported()) as object;
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    // And it is a real check: an unknown key fails it.
    const broken = structuredClone(data) as { numbers: Record<string, unknown>[] };
    broken.numbers[0]!.lable = 'x';
    expect(validate(broken)).toBe(false);
  });
});
