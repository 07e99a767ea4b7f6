import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_KEYS } from '../../src/sandbox/index.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { scriptedPrompter } from '../helpers/prompter.js';

describe('auth, profiles and config', () => {
  const cli = useSandboxCli();
  /** The fakes' addresses only: credentials must come from `auth login`. */
  const addressesOnly = () => Object.fromEntries(Object.entries(cli.env).filter(([key]) => !/^(RETELL|VAPI|BLAND|TWILIO|ELEVENLABS)_/.test(key)));
  const configPath = () => join(cli.home, 'config.json');

  it('logs in with a good key after one cheap check, stores it 0600, and never prints it', async () => {
    cli.env = addressesOnly();
    const prompter = scriptedPrompter([{ kind: 'password', answer: SANDBOX_KEYS.retell }]);
    const login = await cli.run(['auth', 'login', 'retell'], undefined, prompter);
    expect(login.code, login.stderr).toBe(0);
    expect(prompter.asked.map((q) => q.kind)).toEqual(['password']);
    expect(cli.sandbox.fakes.retell.log.filter((e) => e.path.includes('list-phone-numbers'))).toHaveLength(2); // the check, after the sync's page
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configPath(), 'utf8')).profiles.default.credentials.retell).toEqual({ apiKey: SANDBOX_KEYS.retell });
    const status = await cli.run(['auth', 'status', '--check', '--json']);
    const retell = (JSON.parse(status.stdout) as { providers: { provider: string; source: string; key: string; check: string }[] }).providers.find((p) => p.provider === 'retell')!;
    expect(retell).toMatchObject({ source: 'config', key: `••••${SANDBOX_KEYS.retell.slice(-4)}`, check: 'ok' });
    for (const output of [login.stdout, login.stderr, status.stdout, status.stderr]) expect(output).not.toContain(SANDBOX_KEYS.retell);
    // And the stored key works for real commands.
    const sync = await cli.run(['sync', '--provider', 'retell']);
    expect(sync.code, sync.stderr).toBe(0);
  });

  it('refuses a bad key with the credentials code, stores nothing, and does not echo it', async () => {
    cli.env = addressesOnly();
    const bad = 'key_not_valid_canary_7731';
    const result = await cli.run(['auth', 'login', 'vapi'], undefined, scriptedPrompter([{ kind: 'password', answer: bad }]));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/vapi rejected the credentials/);
    expect(result.stdout + result.stderr).not.toContain(bad);
    expect(readFileSync(configPath(), 'utf8')).not.toContain(bad);
  });

  it('logs in to Twilio with account SID and auth token, from stdin without a terminal', async () => {
    cli.env = addressesOnly();
    const sid = cli.sandbox.env.TWILIO_ACCOUNT_SID!;
    const noTerminal = await cli.run(['auth', 'login', 'twilio']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/--stdin/);
    const piped = await cli.run(['auth', 'login', 'twilio', '--stdin', '--account-sid', sid], `${SANDBOX_KEYS.twilioAuthToken}\n`);
    expect(piped.code, piped.stderr).toBe(0);
    const stored = JSON.parse(readFileSync(configPath(), 'utf8')).profiles.default.credentials.twilio;
    expect(stored).toEqual({ accountSid: sid, authToken: SANDBOX_KEYS.twilioAuthToken });
    const logout = await cli.run(['auth', 'logout', 'twilio']);
    expect(logout.code).toBe(0);
    expect(JSON.parse(readFileSync(configPath(), 'utf8')).profiles.default.credentials.twilio).toBeUndefined();
    const status = JSON.parse((await cli.run(['auth', 'status', '--json'])).stdout) as { providers: { provider: string; configured: boolean }[] };
    expect(status.providers.find((p) => p.provider === 'twilio')?.configured).toBe(false);
  });

  it('--stdin: confirms what it stored, names a missing --account-sid, and a rejected secret is not told to run auth login', async () => {
    cli.env = addressesOnly();
    // Piped (no terminal anywhere), the confirmation still comes: a script's log shows it worked.
    const piped = await cli.run(['auth', 'login', 'retell', '--stdin'], `${SANDBOX_KEYS.retell}\n`);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toContain('✓ retell credentials work and are stored for profile default\n');
    const quiet = await cli.run(['--quiet', 'auth', 'login', 'retell', '--stdin'], `${SANDBOX_KEYS.retell}\n`);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    // Twilio without the account SID: the error itself names the flag.
    const noSid = await cli.run(['auth', 'login', 'twilio', '--stdin'], `${SANDBOX_KEYS.twilioAuthToken}\n`);
    expect(noSid.code).toBe(2);
    expect(noSid.stderr).toMatch(/^error: auth login twilio --stdin needs --account-sid/m);
    // A rejected secret: the hint is what to check, not the very command just run.
    for (const [args, secret] of [
      [['auth', 'login', 'twilio', '--stdin', '--account-sid', cli.sandbox.env.TWILIO_ACCOUNT_SID!], 'not-the-token-1234'],
      [['auth', 'login', 'bland', '--stdin'], 'not-the-key-5678'],
    ] as const) {
      const rejected = await cli.run([...args], `${secret}\n`);
      expect(rejected.code, rejected.stderr).toBe(4);
      expect(rejected.stderr).toMatch(/rejected the credentials/);
      expect(rejected.stderr).toMatch(/^hint: nothing was stored; check the/m);
      expect(rejected.stderr).not.toMatch(/auth login/);
      expect(rejected.stderr).not.toContain(secret);
    }
    expect(JSON.parse(readFileSync(configPath(), 'utf8')).profiles.default.credentials).toEqual({ retell: { apiKey: SANDBOX_KEYS.retell } });
  });

  it('asks Twilio users for the account SID, the kind of secret, and the secret', async () => {
    cli.env = addressesOnly();
    const prompter = scriptedPrompter([
      { kind: 'input', answer: cli.sandbox.env.TWILIO_ACCOUNT_SID! },
      { kind: 'select', answer: /auth token/ },
      { kind: 'password', answer: SANDBOX_KEYS.twilioAuthToken },
    ]);
    const result = await cli.run(['auth', 'login', 'twilio'], undefined, prompter);
    expect(result.code, result.stderr).toBe(0);
  });

  it('keeps profiles apart: credentials, policies and the cache', async () => {
    cli.env = addressesOnly();
    await cli.run(['--profile', 'staging', 'auth', 'login', 'bland', '--stdin'], SANDBOX_KEYS.bland);
    expect((await cli.run(['--profile', 'staging', 'config', 'set', 'policy.one-agent-per-number', 'on'])).code).toBe(0);
    const staging = await cli.run(['--profile', 'staging', 'sync']);
    expect(staging.code, staging.stderr).toBe(0);
    const stagingList = JSON.parse((await cli.run(['--profile', 'staging', 'numbers', 'list', '--json', 'provider'])).stdout) as { provider: string }[];
    expect(new Set(stagingList.map((n) => n.provider))).toEqual(new Set(['bland']));
    // The default profile kept its own cache (synced with every provider) and its own settings.
    const defaults = JSON.parse((await cli.run(['numbers', 'list', '--json', 'provider'])).stdout) as { provider: string }[];
    expect(new Set(defaults.map((n) => n.provider))).toEqual(new Set(['retell', 'vapi', 'bland', 'twilio', 'elevenlabs']));
    expect((await cli.run(['config', 'get', 'policy.one-agent-per-number'])).stdout).toBe('off\n');
    const viaEnv = { ...cli.env, VOICENUM_PROFILE: 'staging' };
    cli.env = viaEnv;
    expect((await cli.run(['config', 'get', 'policy.one-agent-per-number'])).stdout).toBe('on\n');
  });

  it('refuses unknown settings and bad values with the valid ones', async () => {
    const unknown = await cli.run(['config', 'set', 'colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/settings: policy.one-agent-per-number, policy.one-number-per-agent, default-country, cache-max-age, output/);
    for (const [key, value, message] of [
      ['policy.one-number-per-agent', 'maybe', /on or off/],
      ['default-country', 'XX', /two-letter ISO country code/],
      ['cache-max-age', 'soon', /cache-max-age is a duration/],
      ['output', 'yaml', /table or json/],
    ] as const) {
      const result = await cli.run(['config', 'set', key, value]);
      expect(result.code, key).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect((await cli.run(['config', 'set', 'default-country', 'gb'])).code).toBe(0);
    // A national number now reads as British.
    const show = await cli.run(['numbers', 'show', '020 7946 0018']);
    expect(show.stderr).toMatch(/\+442079460018 is not in the cache/);
  });
});
