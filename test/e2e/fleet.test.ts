import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { ROOT, runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** The fleet file with the built CLI on the --sandbox fakes: what an operator's shell and CI do. */
const seed = buildSeedPlan();
const vacant = seed.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
const support = seed.agents.find((a) => a.provider === 'retell' && a.name === 'support')!;

describe('fleet as code, end to end', () => {
  const dir = tempDir();
  const cli = (args: string[], env?: Record<string, string>) => runCli(['--sandbox', ...args], { home: dir.path, env });
  const fleet = join(dir.path, 'fleet.yaml');
  const upstreamInbound = (e164: string) => readSandboxState(join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db')).retell.numbers.find((n) => n.phone_number === e164)!.inbound_agents;

  beforeAll(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
    expect((await cli(['sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('export → edit → plan shows exactly the edit → apply → plan shows no changes; a partial apply exits 7 and a re-apply finishes', async () => {
    expect((await cli(['export', '-o', fleet])).code).toBe(0);
    const exported = readFileSync(fleet, 'utf8');
    let text = `# our numbers, reviewed in pull requests\n${exported}`;
    const targets = vacant.slice(0, 3);
    for (const t of targets) {
      const start = text.indexOf(`number: "${t.e164}"`);
      const at = text.indexOf('    inbound: []', start);
      text = `${text.slice(0, at)}    inbound: [{ agent: "retell:support", id: ${support.id} }]  # was empty${text.slice(at + '    inbound: []'.length)}`;
    }
    writeFileSync(fleet, text);
    const plan = await cli(['plan', '-f', fleet, '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(10);
    expect(tsv(plan.stdout)).toEqual(targets.map((t) => [t.e164, 'retell', 'inbound', '(none)', 'support', 'assign', '']).sort((a, b) => a[0]!.localeCompare(b[0]!)));
    // The second write to Retell fails: one number is left, the others go through.
    const faults = JSON.stringify({ retell: { failWrite: { nth: 2, status: 400 } } });
    const partial = await cli(['apply', '-f', fleet, '--yes', '--concurrency', '1'], { VOICENUM_SANDBOX_FAULTS: faults });
    expect(partial.code, partial.stderr).toBe(7);
    expect(tsv(partial.stdout).map((row) => row[2]).sort()).toEqual(['applied', 'applied', 'failed']);
    const rest = await cli(['apply', '-f', fleet, '--yes']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(tsv(rest.stdout).length).toBe(1);
    for (const t of targets) expect(upstreamInbound(t.e164)).toEqual([{ agent_id: support.id, weight: 1 }]);
    const after = await cli(['plan', '-f', fleet, '--detailed-exitcode']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('');
    // And a fresh export differs from the first one exactly by the three edits.
    const again = (await cli(['export'])).stdout;
    const changed = again.split('\n').filter((line, i) => line !== exported.split('\n')[i]);
    expect(changed).toEqual(targets.map(() => `    inbound: [ { agent: "retell:support", id: ${support.id} } ]`));
  }, 180_000);

  it('a saved plan whose number changed upstream since is a conflict (exit 6); --force applies it', async () => {
    const target = seed.numbers.find((n) => n.provider === 'retell' && n.slots.outbound.length === 0 && n.slots.inbound.length > 0)!;
    const planFile = join(dir.path, 'plan.json');
    writeFileSync(fleet, `version: 1\nnumbers:\n  - number: "${target.e164}"\n    provider: retell\n    outbound: [{ agent: retell:outbound-dialer }]\n`);
    const saved = await cli(['plan', '-f', fleet, '-o', planFile]);
    expect(saved.code, saved.stdout + saved.stderr).toBe(0);
    expect((await cli(['assign', target.e164, '--outbound', 'sales'])).code).toBe(0);
    const stale = await cli(['apply', planFile, '--yes']);
    expect(stale.code, stale.stderr).toBe(6);
    const forced = await cli(['apply', planFile, '--yes', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  }, 180_000);

  it('export -o onto an existing fleet file keeps its comments and changes only the value that changed upstream', async () => {
    const kept = join(dir.path, 'kept.yaml');
    expect((await cli(['export', '-o', kept])).code).toBe(0);
    // A number nobody answers, given an agent upstream after the file was written (vacant.at(-1): the
    // first test leaves the last ones alone).
    const target = vacant.at(-1)!;
    const lines = readFileSync(kept, 'utf8').split('\n');
    const at = lines.findIndex((line) => line === `  - number: "${target.e164}"`);
    expect(at).toBeGreaterThan(0);
    lines.splice(at, 0, '  # the front desk line: ask ops before changing');
    lines[at + 2] += ' # a trailing comment';
    const withComments = ['# owned by the voice team', ...lines].join('\n');
    writeFileSync(kept, withComments);
    expect((await cli(['assign', target.e164, '--inbound', 'support', '--yes'])).code).toBe(0);
    const again = await cli(['export', '-o', kept]);
    expect(again.code, again.stderr).toBe(0);
    const after = readFileSync(kept, 'utf8');
    expect(after).toContain('# owned by the voice team');
    expect(after).toContain('# the front desk line: ask ops before changing');
    expect(after).toContain(' # a trailing comment');
    // Line by line, the only difference is the target's inbound slot.
    const before = withComments.split('\n');
    const now = after.split('\n');
    expect(now.length).toBe(before.length);
    const changed = now.map((line, i) => (line === before[i] ? -1 : i)).filter((i) => i >= 0);
    expect(changed.map((i) => [before[i], now[i]])).toEqual([['    inbound: []', expect.stringContaining(`id: ${support.id}`)]]);
    expect(before.slice(before.indexOf(`  - number: "${target.e164}"`), changed[0]).length).toBeLessThan(8);
    // And a fresh export of the same fleet reads the same (the update is the export, comments aside).
    const fresh = await cli(['export']);
    expect(parseYaml(after)).toEqual(parseYaml(fresh.stdout));
  }, 180_000);

  /** A run of the CLI with the bare packages it loaded (test/helpers/trace-imports.mjs). */
  const traced = async (args: string[], code = 0) => {
    const trace = join(dir.path, `imports-${args.join('').replace(/[^A-Za-z-]/g, '')}.txt`);
    writeFileSync(trace, '');
    const result = await runCli(args, { home: dir.path, env: { VOICENUM_TRACE_IMPORTS: trace }, nodeArgs: ['--import', `${ROOT}test/helpers/trace-imports.mjs`] });
    expect(result.code, result.stderr).toBe(code);
    return { ...result, imported: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
  };
  const loads = (imported: string[], name: string) => imported.some((entry) => entry === name || entry.startsWith(`${name}/`));

  it('the yaml parser loads only with plan and apply: not at start-up, not for export', async () => {
    const importsOf = async (args: string[]) => (await traced(args)).imported;
    const loadsYaml = (imported: string[]) => loads(imported, 'yaml');
    writeFileSync(fleet, 'version: 1\nnumbers: []\n');
    // The tracer sees it where it is used.
    expect(loadsYaml(await importsOf(['--sandbox', 'plan', '-f', fleet, '--offline']))).toBe(true);
    for (const args of [['--help'], ['plan', '--help'], ['apply', '--help'], ['--sandbox', 'export']]) expect(loadsYaml(await importsOf(args)), args.join(' ')).toBe(false);
  }, 180_000);

  it('a JSON file as export writes it plans without the yaml parser, and without the phone library unless a number is written otherwise', async () => {
    const exported = JSON.parse((await cli(['export', '--format', 'json'])).stdout) as { version: number; numbers: Record<string, unknown>[] };
    // A fallback to a number outside the cache (the seed has one) is read with the phone library: left out.
    const numbers = exported.numbers.filter((n) => !n.fallback);
    const target = numbers.find((n) => n.provider === 'retell' && String(n.number).startsWith('+1'))!;
    const before = (target.label as string | null) ?? '(none)';
    target.label = 'edited in JSON';
    const file = join(dir.path, 'fleet.json');
    const plan = ['--sandbox', 'plan', '-f', file, '--offline', '--detailed-exitcode'];
    writeFileSync(file, JSON.stringify({ ...exported, numbers }, null, 2));
    const asExported = await traced(plan, 10);
    expect(tsv(asExported.stdout)).toEqual([[target.number, 'retell', 'label', before, 'edited in JSON', 'set', '']]);
    expect(loads(asExported.imported, 'yaml')).toBe(false);
    expect(loads(asExported.imported, 'libphonenumber-js')).toBe(false);
    // The same number in its national form is read with the phone library, to the same plan.
    const digits = String(target.number).slice(2);
    target.number = `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
    writeFileSync(file, JSON.stringify({ ...exported, numbers }, null, 2));
    const national = await traced(plan, 10);
    expect(national.stdout).toBe(asExported.stdout);
    expect(loads(national.imported, 'libphonenumber-js')).toBe(true);
    expect(loads(national.imported, 'yaml')).toBe(false);
    // A problem is placed at its line and column by the yaml parser, loaded for that.
    target.lable = 'x';
    writeFileSync(file, JSON.stringify({ ...exported, numbers }, null, 2));
    const broken = await traced(plan, 2);
    expect(broken.stderr).toMatch(/fleet\.json:\d+:\d+: unknown key "lable" \(did you mean label\?\)/);
    expect(loads(broken.imported, 'yaml')).toBe(true);
  }, 180_000);
});
