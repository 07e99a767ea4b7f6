import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { buildProgram } from '../../src/cli/program.js';
import { jsonFieldsOf } from '../../src/cli/json-fields.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** Every command of the tree, with its full name. */
function commandsOf(command: CommandUnknownOpts, prefix = ''): { name: string; command: CommandUnknownOpts }[] {
  return command.commands.flatMap((child) => {
    const name = `${prefix}${child.name()}`;
    return [{ name, command: child }, ...commandsOf(child, `${name} `)];
  });
}

describe('per-command --json', () => {
  const tree = commandsOf(buildProgram(async () => undefined));

  it('every command that prints data declares its JSON fields; the others have no --json', () => {
    const withJson = tree.filter((c) => jsonFieldsOf(c.command)).map((c) => c.name).sort();
    expect(withJson).toEqual(
      [
        'agents list', 'agents show', 'apply', 'assign', 'auth status', 'config get', 'config list', 'config profiles', 'config set', 'doctor', 'drift', 'history',
        'numbers assign', 'numbers buy', 'numbers fallback', 'numbers import', 'numbers label', 'numbers list', 'numbers region', 'numbers release', 'numbers repair', 'numbers show', 'numbers sync', 'numbers unassign',
        'plan', 'region', 'sync', 'undo', 'unassign', 'wizard',
      ].sort(),
    );
    // The program itself has no global --json any more.
    expect(buildProgram(async () => undefined).options.map((o) => o.long)).not.toContain('--json');
  });

  it('a shortcut is the same definition as its grouped command: same options, same fields', () => {
    for (const name of ['assign', 'unassign', 'region', 'sync']) {
      const short = tree.find((c) => c.name === name)!.command;
      const grouped = tree.find((c) => c.name === `numbers ${name}`)!.command;
      expect(short.options.map((o) => o.flags)).toEqual(grouped.options.map((o) => o.flags));
      expect(jsonFieldsOf(short)).toEqual(jsonFieldsOf(grouped));
    }
  });
});

describe('per-command --json through the CLI', () => {
  const dir = tempDir();
  const cli = (args: string[], input?: string) => runCli(args, { home: dir.path, input });
  let number = '';

  beforeAll(async () => {
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
    const list = await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--json', 'e164', '--limit', '1']);
    number = (JSON.parse(list.stdout) as { e164: string }[])[0]!.e164;
    expect(number).toMatch(/^\+\d+$/);
  });
  afterAll(() => dir.cleanup());

  it('numbers show prints only the asked fields, in the asked order', async () => {
    const result = await cli(['--sandbox', 'numbers', 'show', number, '--json', 'label,e164']);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['label', 'e164']);
    expect(record.e164).toBe(number);
  });

  it('a field list is checked before the command runs: sync --json bogus syncs nothing', async () => {
    const history = async () => JSON.parse((await cli(['--sandbox', 'history', '--json', 'e164'])).stdout) as unknown[];
    const before = (await cli(['--sandbox', 'sync', '--json', 'provider,ok'])).stdout;
    expect(JSON.parse(before)).toEqual(expect.arrayContaining([{ provider: 'retell', ok: true }]));
    const bad = await cli(['--sandbox', 'sync', '--json', 'bogus', '--verbose']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown field "bogus"; fields: provider, ok, numbers/);
    // Nothing ran: no request was traced, nothing was printed on stdout.
    expect(bad.stderr).not.toMatch(/GET /);
    expect(bad.stdout).toBe('');
    expect(await history()).toEqual([]);
  });

  it('assign --dry-run --json picks plan fields, and refuses result-only ones before reading anything', async () => {
    const plan = await cli(['--sandbox', 'assign', number, '--inbound', 'retell:sales', '--dry-run', '--json', 'e164,changes']);
    expect(plan.code, plan.stderr).toBe(0);
    const [entry] = JSON.parse(plan.stdout) as Record<string, unknown>[];
    expect(Object.keys(entry!)).toEqual(['e164', 'changes']);
    const wrong = await cli(['--sandbox', 'assign', number, '--inbound', 'retell:sales', '--dry-run', '--json', 'outcome', '--verbose']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/the plan of --dry-run has no field outcome/);
    expect(wrong.stderr).not.toMatch(/GET /);
  });

  it('says what is wrong with a field list', async () => {
    const cases: [string, RegExp][] = [
      ['e164,', /has an empty name/],
      ['slots.inbound', /"slots.inbound" is not a field name: fields are top-level names/],
      ['lable', /unknown field "lable" \(did you mean label\?\)/],
      [number, /is not a list of field names; put --json after the command's arguments/],
    ];
    for (const [fields, message] of cases) {
      const result = await cli(['--sandbox', 'numbers', 'show', '--json', fields, number]);
      expect(result.code, fields).toBe(2);
      expect(result.stderr, fields).toMatch(message);
      expect(result.stderr).not.toMatch(/too many arguments/);
    }
  });

  it('--json before the command is an unknown option, not a silently ignored one', async () => {
    const result = await cli(['--sandbox', '--json', 'numbers', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--json'/);
  });

  it("each data command's --help lists its fields", async () => {
    for (const [args, field] of [[['sync'], 'requests'], [['history'], 'osUser'], [['auth', 'status'], 'configured'], [['config', 'list'], 'description'], [['agents', 'show'], 'removed'], [['numbers', 'label'], 'before']] as const) {
      const help = await cli([...args, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout, args.join(' ')).toMatch(new RegExp(`JSON fields[^]*\\b${field}\\b`));
      // The global flags it honours are shown too.
      expect(help.stdout).toMatch(/Global Options:[^]*--profile/);
    }
  });

  it('auth status and config list pick fields of their rows, keeping the profile', async () => {
    const auth = JSON.parse((await cli(['--sandbox', 'auth', 'status', '--json', 'provider,configured'])).stdout) as { profile: string; providers: object[] };
    expect(auth.profile).toBe('sandbox');
    expect(auth.providers.length).toBeGreaterThan(0);
    for (const row of auth.providers) expect(Object.keys(row)).toEqual(['provider', 'configured']);
    const config = JSON.parse((await cli(['--sandbox', 'config', 'list', '--json', 'key'])).stdout) as { settings: object[] };
    expect(config.settings.length).toBeGreaterThan(0);
    for (const row of config.settings) expect(Object.keys(row)).toEqual(['key']);
  });
});
