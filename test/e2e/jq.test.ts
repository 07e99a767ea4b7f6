import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_HELP } from '../../src/cli/environment-help.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

interface ListedNumber {
  e164: string;
  provider: string;
  label: string | null;
}

describe('--jq, end to end through the built CLI on the sandbox', () => {
  const dir = tempDir();
  const cli = (args: string[], env?: Record<string, string | undefined>) => runCli(args, { home: dir.path, env });
  let list: ListedNumber[];

  beforeAll(async () => {
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    const json = await cli(['--sandbox', 'numbers', 'list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    list = JSON.parse(json.stdout) as ListedNumber[];
    expect(list.length).toBeGreaterThan(10);
  });
  afterAll(() => dir.cleanup());

  it('numbers list --json --jq prints the selected string raw', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list', '--json', '--jq', '.[0].e164']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${list[0]!.e164}\n`);
  });

  it('--jq alone implies --json, and prints one output a line', async () => {
    const retell = list.filter((n) => n.provider === 'retell').map((n) => n.e164);
    expect(retell.length).toBeGreaterThan(1);
    const result = await cli(['--sandbox', 'numbers', 'list', '--jq', '.[] | select(.provider=="retell") | .e164']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${retell.join('\n')}\n`);
  });

  it('filters the fields --json picked; non-strings print as compact JSON', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list', '--json', 'e164,provider', '--jq', '.[0], (map(.provider) | unique)']);
    expect(result.code, result.stderr).toBe(0);
    const providers = [...new Set(list.map((n) => n.provider))].sort();
    expect(result.stdout).toBe(`${JSON.stringify({ e164: list[0]!.e164, provider: list[0]!.provider })}\n${JSON.stringify(providers)}\n`);
  });

  it('works on a command that writes: the outcome of a label change', async () => {
    const number = list.find((n) => n.provider === 'vapi')!;
    const result = await cli(['--sandbox', 'numbers', 'label', number.e164, 'jq line', '--provider', 'vapi', '--jq', '"\\(.outcome) \\(.before) -> \\(.after)"']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`applied ${number.label} -> jq line\n`);
  });

  it('a bad expression is a usage error (exit 2) with jq message, before the command does anything', async () => {
    const number = list.find((n) => n.provider === 'retell')!;
    const historyBefore = await cli(['--sandbox', 'history', '--jq', 'length']);
    expect(historyBefore.code, historyBefore.stderr).toBe(0);
    const result = await cli(['--sandbox', 'numbers', 'label', number.e164, 'never written', '--provider', 'retell', '--jq', '.outcome | (']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: invalid --jq expression: syntax error, unexpected end of file.* line 1, column 12\n/);
    // Nothing was pushed: the audit log has no new entry and the label is the one the sync saw.
    expect((await cli(['--sandbox', 'history', '--jq', 'length'])).stdout).toBe(historyBefore.stdout);
    const label = await cli(['--sandbox', 'numbers', 'list', '--jq', `.[] | select(.e164=="${number.e164}" and .provider=="retell") | .label`]);
    expect(label.stdout).toBe(`${number.label}\n`);
  });

  it('a failure while running the filter is a usage error with jq message', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list', '--jq', '.[0].e164 | .[]']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: --jq failed: Cannot iterate over string ("${list[0]!.e164}")\n`);
  });

  it('refuses --jq with --csv', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list', '--jq', '.', '--csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--jq filters JSON output; it cannot be combined with --csv/);
  });

  it('loads jq only when --jq is given', async () => {
    const importsOf = async (args: string[]) => {
      const trace = join(dir.path, `imports-${args.join('').replace(/\W/g, '')}.txt`);
      writeFileSync(trace, '');
      const result = await runCli(args, { home: dir.path, env: { VOICENUM_TRACE_IMPORTS: trace }, nodeArgs: ['--import', `${ROOT}test/helpers/trace-imports.mjs`] });
      expect(result.code, result.stderr).toBe(0);
      return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    };
    // The tracer sees it when it is loaded, and the wasm loads from the package beside dist/.
    expect(await importsOf(['--sandbox', 'numbers', 'list', '--jq', 'length'])).toContain('jq-wasm');
    for (const args of [['--help'], ['--version'], ['--sandbox', 'numbers', 'list', '--json']]) {
      expect(await importsOf(args), args.join(' ')).not.toContain('jq-wasm');
    }
  });

  it('voicenum help environment prints the environment topic', async () => {
    const result = await cli(['help', 'environment']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(ENVIRONMENT_HELP);
    expect(result.stdout).toMatch(/^ {2}VOICENUM_HOME {2,}/m);
    expect((await cli(['--help'])).stdout).toMatch(/voicenum help environment/);
  });
});
