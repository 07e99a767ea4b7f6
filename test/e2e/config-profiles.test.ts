import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The config file, profiles, the sandbox flag and the fault variable, through the built CLI with a
 * private VOICENUM_HOME: what an operator who edits config.json by hand, mistypes a profile, or
 * sets VOICENUM_PROFILE in a shell profile sees.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
/** A Retell number with an inbound agent only: giving it another outbound agent breaks one-agent-per-number. */
const single = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 0 && n.slots.sms.length === 0)!;
const retellNumbers = plan.numbers.filter((n) => n.provider === 'retell' && !n.status).slice(0, 3).map((n) => n.e164);

describe('the config file is checked when it is read', () => {
  const dir = tempDir();
  const config = join(dir.path, 'config.json');
  const cli = (args: string[], env?: Record<string, string>) => runCli(args, { home: dir.path, env });
  const write = (value: unknown) => writeFileSync(config, JSON.stringify(value));
  afterAll(() => dir.cleanup());

  it('a value voicenum cannot use stops every command with exit 8 naming the file, the profile, the setting and the valid values', async () => {
    for (const [field, value, valid] of [
      ['output', 'yaml', /valid: table or json/],
      ['defaultCountry', 'ZZ', /valid: a two-letter ISO country code/],
      ['cacheMaxAge', 'banana', /valid: a duration/],
      ['oneAgentPerNumber', 'maybe', /valid: on or off/],
    ] as const) {
      write({ profiles: { default: { settings: { [field]: value } } } });
      for (const args of [['config', 'list'], ['numbers', 'list'], ['config', 'set', 'output', 'table']]) {
        const result = await cli(args);
        expect(result.code, `${field} ${args.join(' ')}: ${result.stderr}`).toBe(8);
        expect(result.stderr).toContain(config);
        expect(result.stderr).toMatch(new RegExp(`profile "default", setting [a-z.-]+ \\("${field}" in the file\\) is ${JSON.stringify(value)}`));
        expect(result.stderr).toMatch(valid);
        expect(result.stderr).not.toMatch(/unexpected failure/);
      }
      // The refused file is left as it was for the operator to fix.
      expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ profiles: { default: { settings: { [field]: value } } } });
    }
  });

  it('checking the file costs a cache-reading command neither the zod package nor the phone library', async () => {
    write({ profiles: { default: { settings: { defaultCountry: 'GB', oneAgentPerNumber: 'on' }, credentials: { retell: { apiKey: 'key_1' } } } } });
    const trace = join(dir.path, 'imports.txt');
    writeFileSync(trace, '');
    const list = await runCli(['numbers', 'list', '--json'], { home: dir.path, env: { VOICENUM_TRACE_IMPORTS: trace }, nodeArgs: ['--import', `${ROOT}test/helpers/trace-imports.mjs`] });
    expect(list.code, list.stderr).toBe(0);
    const imported = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    // The tracer works: the cache's SQLite is there.
    expect(imported).toContain('addon:better_sqlite3.node');
    expect(imported.filter((name) => /^(zod|libphonenumber-js)(\/|$)/.test(name))).toEqual([]);
  });

  it('stored credentials that are not strings are refused without being printed', async () => {
    write({ profiles: { default: { credentials: { retell: { apiKey: { key: 'key_never_printed' } } } } } });
    const result = await cli(['auth', 'status']);
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/the retell credential "apiKey" of profile "default" is not a non-empty string/);
    expect(result.stdout + result.stderr).not.toContain('key_never_printed');
  });

  it('config set takes on/off, yes/no, true/false; config get and list print on/off and durations as written', async () => {
    rmSync(config, { force: true });
    expect((await cli(['config', 'get', 'policy.one-agent-per-number'])).stdout).toBe('off\n');
    for (const [typed, shown] of [['yes', 'on'], ['off', 'off'], ['TRUE', 'on'], ['no', 'off'], ['on', 'on']]) {
      const set = await cli(['config', 'set', 'policy.one-agent-per-number', typed!]);
      expect(set.code, set.stderr).toBe(0);
      expect((await cli(['config', 'get', 'policy.one-agent-per-number'])).stdout).toBe(`${shown}\n`);
    }
    expect((await cli(['config', 'set', 'cache-max-age', '7d'])).code).toBe(0);
    expect((await cli(['config', 'get', 'cache-max-age'])).stdout).toBe('7d\n');
    const listed = JSON.parse((await cli(['config', 'list', '--json'])).stdout) as { settings: { key: string; value: unknown; default: unknown }[] };
    expect(listed.settings).toHaveLength(6);
    expect(listed.settings.find((s) => s.key === 'policy.one-agent-per-number')).toMatchObject({ value: 'on', default: 'off' });
    expect(listed.settings.find((s) => s.key === 'cache-max-age')).toMatchObject({ value: '7d', default: '24h' });
    expect(JSON.parse((await cli(['config', 'get', 'policy.one-number-per-agent', '--json'])).stdout)).toMatchObject({ value: 'off' });
    const refused = await cli(['config', 'set', 'policy.one-number-per-agent', 'maybe']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/policy.one-number-per-agent is on or off, not "maybe"/);
  });
});

describe('policies written by hand as on/off are the policies they say', () => {
  const dir = tempDir();
  const cli = (args: string[]) => runCli(['--sandbox', ...args], { home: dir.path });
  const policy = (value: unknown) => writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ profiles: { sandbox: { settings: { oneAgentPerNumber: value } } } }));
  beforeAll(async () => {
    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('"off" lets a second agent onto a number, "on" refuses it', async () => {
    const assign = ['assign', single.e164, '--outbound', agentId('retell', 'outbound-dialer'), '--dry-run'];
    policy('off');
    expect((await cli(['config', 'get', 'policy.one-agent-per-number'])).stdout).toBe('off\n');
    const allowed = await cli(assign);
    expect(allowed.code, allowed.stderr).toBe(0);
    policy('on');
    const refused = await cli(assign);
    expect(refused.code).toBe(3);
    expect(refused.stdout + refused.stderr).toMatch(/policy one-agent-per-number/);
  });
});

describe('profiles', () => {
  const dir = tempDir();
  const cli = (args: string[], env?: Record<string, string>) => runCli(args, { home: dir.path, env });
  beforeEach(() => {
    rmSync(join(dir.path, 'config.json'), { force: true });
    rmSync(join(dir.path, 'profiles'), { recursive: true, force: true });
  });
  afterAll(() => dir.cleanup());

  it('a profile that does not exist is refused with the ones that do, from --profile or VOICENUM_PROFILE', async () => {
    writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ profiles: { staging: { settings: { output: 'json' } } } }));
    mkdirSync(join(dir.path, 'profiles', 'eu-prod'), { recursive: true });
    for (const [args, env, source] of [
      [['--profile', 'stagng', 'numbers', 'list'], {}, '--profile'],
      [['config', 'get', 'output'], { VOICENUM_PROFILE: 'stagng' }, 'VOICENUM_PROFILE'],
      [['--profile', 'stagng', 'auth', 'logout', 'retell'], {}, '--profile'],
    ] as const) {
      const result = await cli([...args], env);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`there is no profile "stagng" (from ${source}); profiles: default, sandbox, eu-prod, staging`);
    }
    // Nothing was created for it.
    expect(JSON.parse((await cli(['config', 'profiles', '--json'])).stdout).profiles.map((p: { name: string }) => p.name)).toEqual(['default', 'sandbox', 'eu-prod', 'staging']);
    // The existing ones work: by config entry, and by cache folder.
    expect((await cli(['--profile', 'staging', 'config', 'get', 'output'])).stdout).toBe('json\n');
    expect((await cli(['--profile', 'eu-prod', 'config', 'get', 'output'])).code).toBe(0);
  });

  it('config set and auth login create the profile they name', async () => {
    const set = await cli(['--profile', 'new-team', 'config', 'set', 'default-country', 'gb']);
    expect(set.code, set.stderr).toBe(0);
    expect((await cli(['--profile', 'new-team', 'config', 'get', 'default-country'])).stdout).toBe('GB\n');
    // auth login gets past the profile check: it fails later, on the key, not on the profile.
    const login = await cli(['--profile', 'other-team', 'auth', 'login', 'retell', '--stdin'], { VOICENUM_RETELL_BASE_URL: 'http://127.0.0.1:9' });
    expect(login.stderr).not.toMatch(/no profile/);
  });

  it('config profiles lists each with its stored credentials, its cache, and which is active', async () => {
    writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ profiles: { staging: { credentials: { retell: { apiKey: 'key_1' }, twilio: { accountSid: 'AC1', authToken: 't' } } } } }));
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    const listed = await cli(['--profile', 'staging', 'config', 'profiles', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      active: 'staging',
      profiles: [
        { name: 'default', active: false, credentials: [], cache: false },
        { name: 'sandbox', active: false, credentials: ['built-in'], cache: true },
        { name: 'staging', active: true, credentials: ['retell', 'twilio'], cache: false },
      ],
    });
    const table = await cli(['config', 'profiles']);
    expect(table.stdout).toBe('default\t*\t-\tno\nsandbox\t\tbuilt-in\tyes\nstaging\t\tretell,twilio\tno\n');
    // Listing works even when VOICENUM_PROFILE names a profile that does not exist.
    expect((await cli(['config', 'profiles'], { VOICENUM_PROFILE: 'gone' })).code).toBe(0);
  });

  it('--sandbox wins over VOICENUM_PROFILE; --sandbox with --profile stays an error', async () => {
    writeFileSync(join(dir.path, 'config.json'), JSON.stringify({ profiles: { staging: { settings: { output: 'json' } } } }));
    const flag = await cli(['--sandbox', 'config', 'profiles', '--json'], { VOICENUM_PROFILE: 'staging' });
    expect(flag.code, flag.stderr).toBe(0);
    expect(JSON.parse(flag.stdout).active).toBe('sandbox');
    expect((await cli(['--sandbox', 'config', 'get', 'output'], { VOICENUM_PROFILE: 'staging' })).stdout).toBe('table\n');
    const both = await cli(['--sandbox', '--profile', 'staging', 'config', 'get', 'output']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--sandbox uses the "sandbox" profile; it cannot be combined with --profile staging/);
    expect((await cli(['--sandbox', '--profile', 'sandbox', 'config', 'get', 'output'])).code).toBe(0);
  });
});

describe('VOICENUM_SANDBOX_FAULTS', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('a documented plan is used; bad JSON, an unknown provider or switch is a usage error naming the variable', async () => {
    const applied = await runCli(['--sandbox', 'sync', '--provider', 'vapi'], { home: dir.path, env: { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ vapi: { serverError: { count: -1, status: 503 } } }), VOICENUM_HTTP_MAX_ATTEMPTS: '1' } });
    expect(applied.code).toBe(5);
    expect(applied.stderr).toMatch(/HTTP 503/);
    for (const [faults, message] of [
      ['{"vapi": {serverError', /VOICENUM_SANDBOX_FAULTS is not valid JSON/],
      ['{"vappi":{"latencyMs":10}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: unknown provider "vappi"/],
      ['{"vapi":{"serverErrors":{"count":-1,"status":503}}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: vapi: unknown switch "serverErrors"/],
    ] as const) {
      const result = await runCli(['--sandbox', 'sync', '--provider', 'vapi'], { home: dir.path, env: { VOICENUM_SANDBOX_FAULTS: faults } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/unexpected failure|\n {4}at /);
    }
  });
});

describe('hints carry the profile, and a batch says each once', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('an empty cache of another profile suggests that profile\'s sync', async () => {
    expect((await runCli(['--profile', 'staging', 'config', 'set', 'output', 'table'], { home: dir.path })).code).toBe(0);
    const list = await runCli(['--profile', 'staging', 'numbers', 'list'], { home: dir.path });
    expect(list.stderr).toContain('the cache is empty; run `voicenum --profile staging sync` first');
    const viaEnv = await runCli(['numbers', 'list'], { home: dir.path, env: { VOICENUM_PROFILE: 'staging' } });
    expect(viaEnv.stderr).toContain('`voicenum --profile staging sync`');
  });

  it('three numbers refused for an unknown agent: three refusals, one hint, with --sandbox', async () => {
    expect((await runCli(['--sandbox', 'sync'], { home: dir.path })).code).toBe(0);
    expect(retellNumbers).toHaveLength(3);
    const batch = await runCli(['--sandbox', 'assign', ...retellNumbers, '--inbound', 'no-such-agent', '--yes'], { home: dir.path });
    expect(batch.code).toBe(3);
    expect(batch.stdout.match(/refused\tinbound: no agent "no-such-agent" at retell\n/g)).toHaveLength(3);
    const hints = batch.stderr.split('\n').filter((line) => line.startsWith('hint:'));
    expect(hints).toEqual(['hint: see `voicenum --sandbox agents list --provider retell`, or run `voicenum --sandbox sync` if it is new']);
    expect(batch.stdout).not.toMatch(/`voicenum/);
    const one = await runCli(['--sandbox', 'assign', retellNumbers[0]!, '--inbound', 'no-such-agent'], { home: dir.path });
    expect(one.stderr.split('\n').filter((line) => line.startsWith('hint:'))).toEqual([hints[0]]);
  });
});
