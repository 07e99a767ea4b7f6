import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/domain/errors.js';
import { applyJq, JqFilter } from '../../src/output/jq.js';
import { Printer } from '../../src/output/printer.js';
import { testIO } from '../helpers/io.js';

const numbers = [
  { e164: '+14155550100', provider: 'retell', label: 'front desk', slots: { inbound: [{ agentId: 'a1', weight: 1 }] } },
  { e164: '+14155550101', provider: 'vapi', label: null, slots: { inbound: [] } },
  { e164: '+14155550102', provider: 'retell', label: 'line\twith\ttabs', slots: { inbound: [] } },
];

/** The UsageError a promise rejects with (failing the test when it resolves or rejects otherwise). */
async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe('applyJq: real jq semantics, printed like gh --jq', () => {
  it('prints each output on its own line, strings raw', async () => {
    expect(await applyJq(numbers, '.[] | select(.provider=="retell") | .e164')).toBe('+14155550100\n+14155550102\n');
    expect(await applyJq(numbers, '.[0].e164')).toBe('+14155550100\n');
  });

  it('prints anything that is not a string as compact JSON, one output a line', async () => {
    expect(await applyJq(numbers, 'map(.e164)')).toBe('["+14155550100","+14155550101","+14155550102"]\n');
    expect(await applyJq(numbers, '.[] | .label')).toBe('front desk\nnull\nline\twith\ttabs\n');
    expect(await applyJq(numbers, '.[0] | .slots, (.slots.inbound | length), true, {e164}')).toBe('{"inbound":[{"agentId":"a1","weight":1}]}\n1\ntrue\n{"e164":"+14155550100"}\n');
    // A string that is empty, or holds a newline, is still one output printed raw.
    expect(await applyJq(numbers, '"", "two\\nlines"')).toBe('\ntwo\nlines\n');
  });

  it('prints nothing for no output', async () => {
    expect(await applyJq(numbers, '.[] | select(.provider=="bland")')).toBe('');
    expect(await applyJq([], '.[]')).toBe('');
  });

  it('on a terminal, neutralises strings and indents other values', async () => {
    expect(await applyJq({ name: '\u001b[2Jevil' }, '.name, .', { terminal: true })).toBe('\\e[2Jevil\n{\n  "name": "\\u001b[2Jevil"\n}\n');
  });

  it('filters JSON text as it filters the value it came from', async () => {
    const filter = await JqFilter.compile('.[] | .e164');
    expect(filter.runText(JSON.stringify(numbers)).text).toBe(filter.run(numbers).text);
    expect(filter.runText(JSON.stringify(numbers)).text).toBe('+14155550100\n+14155550101\n+14155550102\n');
  });

  it('turns a bad expression into a usage error (exit 2) on one line with jq message', async () => {
    const syntax = await usageError(applyJq(numbers, '.[] | select(.provider=="retell"'));
    expect(syntax.exitCode).toBe(ExitCode.Usage);
    expect(syntax.message).toBe("invalid --jq expression: syntax error, unexpected end of file, expecting ';' or ')' at <top-level>, line 1, column 32");
    expect(syntax.message).not.toContain('\n');
    const unknown = await usageError(applyJq(numbers, 'map(.e164) | nosuchfn(1)'));
    expect(unknown.message).toBe('invalid --jq expression: nosuchfn/1 is not defined at <top-level>, line 1, column 14');
    await usageError(JqFilter.compile('.['));
  });

  it('checks an expression without running it: a filter that fails at run time still compiles', async () => {
    const filter = await JqFilter.compile('error("it ran")');
    expect(filter.run(null).error?.message).toBe('--jq failed: it ran');
  });

  it('a failure at run time is a usage error with jq message, after the outputs before it', async () => {
    const filter = await JqFilter.compile('.[] | .e164, (.e164 | .[])');
    const run = filter.run(numbers);
    expect(run.text).toBe('+14155550100\n');
    expect(run.error).toBeInstanceOf(UsageError);
    expect(run.error?.message).toBe('--jq failed: Cannot iterate over string ("+14155550100")');
    const error = await usageError(applyJq(numbers, '.[0].e164 | .[]'));
    expect(error.message).toBe('--jq failed: Cannot iterate over string ("+14155550100")');
  });

  it('passes what jq writes to stderr without failing (debug) as messages', async () => {
    const run = (await JqFilter.compile('.[0].e164 | debug')).run(numbers);
    expect(run.error).toBeUndefined();
    expect(run.text).toBe('+14155550100\n');
    expect(run.messages).toEqual(['["DEBUG:","+14155550100"]']);
  });
});

describe('the printer with --jq', () => {
  it('prints json() and jsonText() through the filter once prepared, and refuses before', async () => {
    const io = testIO();
    const printer = new Printer(io, { quiet: false, verbose: false, jq: '.[] | .e164' });
    expect(() => printer.json(numbers)).toThrow(/before prepareJq/);
    await printer.prepareJq();
    printer.json(numbers);
    printer.jsonText(JSON.stringify(numbers.slice(1)));
    expect(io.out()).toBe('+14155550100\n+14155550101\n+14155550102\n+14155550101\n+14155550102\n');
  });

  it('without --jq prints JSON as before', () => {
    const io = testIO();
    const printer = new Printer(io, { quiet: false, verbose: false });
    printer.json(numbers.slice(0, 1));
    printer.jsonText('[1]');
    expect(io.out()).toBe(`${JSON.stringify(numbers.slice(0, 1))}\n[1]\n`);
  });

  it('prints the outputs before a run-time failure, then throws it', async () => {
    const io = testIO();
    const printer = new Printer(io, { quiet: false, verbose: false, jq: '.[] | .e164, (.e164 | .[])' });
    await printer.prepareJq();
    expect(() => printer.json(numbers)).toThrow(UsageError);
    expect(io.out()).toBe('+14155550100\n');
  });

  it('a bad expression fails prepareJq, before any command work', async () => {
    const printer = new Printer(testIO(), { quiet: false, verbose: false, jq: '.[' });
    expect((await usageError(printer.prepareJq())).message).toMatch(/^invalid --jq expression: syntax error/);
  });

  it('refuses --jq with --csv or --plain, naming the flag', () => {
    const printer = new Printer(testIO(), { quiet: false, verbose: false, jq: '.' });
    expect(() => printer.format({ json: true, csv: true })).toThrow('--jq filters JSON output; it cannot be combined with --csv');
    expect(() => printer.format({ json: true, plain: true })).toThrow('--jq filters JSON output; it cannot be combined with --plain');
    expect(printer.format({ json: true })).toBe('json');
  });
});
