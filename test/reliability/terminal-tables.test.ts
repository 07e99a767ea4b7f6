import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { testIO } from '../helpers/io.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The short tables drawn with cli-table3 on a terminal (`numbers show`, `agents show`, `auth
 * status`, a plan): long cells wrap inside the terminal's width, upstream text stays neutralised,
 * and the module is loaded only by the commands that draw one.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const held = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'))!;

const HOSTILE_AGENT = 'rx\u001b[2J\u009b1m\u001b]0;t\u0007\n\tq';
const HOSTILE_SHOWN = 'rx\\e[2J\\x9b1m\\e]0;t\\x07\\n\\tq';
const LONG_LABEL = 'front desk line for the downtown clinic that also takes the overflow of the airport branch';
const ANY_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('terminal tables', () => {
  const cli = useSandboxCli();
  const runTty = async (args: string[], columns: number) => {
    const io = testIO({ tty: true, columns });
    const code = await main(args, { io, env: cli.env });
    expect(code, io.err()).toBe(0);
    return { stdout: io.out(), stderr: io.err() };
  };
  const plant = async () => {
    const state = cli.sandbox.state();
    state.retell.agents.find((a) => a.agent_id === agentId('retell', 'receptionist'))!.agent_name = HOSTILE_AGENT;
    state.retell.numbers.find((n) => n.phone_number === held.e164)!.nickname = LONG_LABEL;
    expect((await cli.run(['sync'])).code).toBe(0);
  };
  /** The words of a text, whatever lines they were wrapped onto. */
  const words = (text: string) => text.split(/\s+/).filter(Boolean).join(' ');

  it('numbers show: a long label wraps under its value column within the width; the hostile agent name stays neutralised', async () => {
    await plant();
    const { stdout } = await runTty(['numbers', 'show', held.e164], 50);
    expect(stdout).not.toMatch(ANY_CONTROL);
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(50);
    const labelAt = lines.findIndex((line) => line.startsWith('label '));
    const valueColumn = lines[labelAt]!.indexOf('front');
    // The label is cut into several lines, each continuation under the value column, and loses no word.
    const continued: string[] = [];
    for (const line of lines.slice(labelAt + 1)) {
      if (line.slice(0, valueColumn).trim() !== '') break;
      continued.push(line);
    }
    expect(continued.length).toBeGreaterThan(0);
    expect(words([lines[labelAt]!, ...continued].map((line) => line.slice(valueColumn)).join(' '))).toBe(LONG_LABEL);
    expect(stdout).toContain(HOSTILE_SHOWN);
    // Piped, nothing wraps: `key<TAB>value`, the label whole on its line.
    expect((await cli.run(['numbers', 'show', held.e164])).stdout).toContain(`label\t${LONG_LABEL}\n`);
  });

  it('a dry-run plan on a terminal is a table with a header; piped it is tab-separated rows', async () => {
    await plant();
    const { stdout } = await runTty(['assign', held.e164, '--inbound', 'sales', '--dry-run'], 0);
    expect(stdout).not.toMatch(ANY_CONTROL);
    const [header, row] = stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NUMBER', 'PROVIDER', 'SLOT', 'CHANGE', 'NOTE']);
    expect(row!.split(/\s{2,}/)).toEqual([held.e164, 'retell', 'inbound', `${HOSTILE_SHOWN} → sales`, 'move']);
    const piped = await cli.run(['assign', held.e164, '--inbound', 'sales', '--dry-run']);
    expect(piped.stdout).toBe(`${held.e164}\tretell\tinbound\t${HOSTILE_SHOWN}\tsales\tmove\t\n`);
  });

  it('agents show: the list of numbers wraps inside a narrow terminal, none of them lost', async () => {
    await plant();
    const { stdout } = await runTty(['agents', 'show', agentId('retell', 'receptionist')], 40);
    expect(stdout).not.toMatch(ANY_CONTROL);
    for (const line of stdout.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(40);
    const answered = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.some((a) => a.agentId === agentId('retell', 'receptionist')));
    expect(answered.length).toBeGreaterThan(2);
    for (const number of answered) expect(stdout).toContain(number.e164);
    expect(stdout).toContain(HOSTILE_SHOWN);
  });

  it('auth status: one header row and a row per provider; the empty CHECK and DETAIL columns are left out', async () => {
    const { stdout } = await runTty(['auth', 'status'], 0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['PROVIDER', 'STATUS', 'FROM', 'KEY', 'ACCOUNT']);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['retell', 'vapi', 'bland', 'twilio', 'elevenlabs']);
  });
});

describe('loading cli-table3', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());
  const importsOf = async (args: string[], env: Record<string, string> = {}) => {
    const trace = join(dir.path, `imports-${args.join('_').replace(/[^\w-]/g, '')}.txt`);
    writeFileSync(trace, '');
    const result = await runCli(args, { home: dir.path, env: { VOICENUM_TRACE_IMPORTS: trace, ...env }, nodeArgs: ['--import', `${ROOT}test/helpers/trace-imports.mjs`] });
    expect(result.code, result.stderr).toBe(0);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  };

  it('only the commands that draw a short table load it: not --help, --version or the long lists', async () => {
    expect((await runCli(['--sandbox', 'sync'], { home: dir.path })).code).toBe(0);
    const tty = { VOICENUM_FORCE_TTY: '1', COLUMNS: '100' };
    // The tracer sees it where it is used...
    expect(await importsOf(['--sandbox', 'numbers', 'show', held.e164], tty)).toContain('cli-table3');
    // ...and nowhere else.
    for (const args of [['--help'], ['--version'], ['--sandbox', 'numbers', 'list'], ['--sandbox', 'agents', 'list'], ['--sandbox', 'history']]) {
      expect(await importsOf(args, tty), args.join(' ')).not.toContain('cli-table3');
    }
    // Piped, `numbers show` prints key<TAB>value lines and needs no table at all.
    expect(await importsOf(['--sandbox', 'numbers', 'show', held.e164])).not.toContain('cli-table3');
  });
});
