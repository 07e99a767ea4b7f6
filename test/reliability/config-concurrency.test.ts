import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Many voicenum processes changing the one config file at once: every `config set` and every
 * `auth login` must survive, whatever the interleaving. Each round starts them all together.
 */
interface ConfigFile {
  profiles: Record<string, { settings?: Record<string, unknown>; credentials?: Record<string, Record<string, string>> }>;
}

const PROFILES = ['default', 'staging', 'eu', 'night'];
const COUNTRIES = ['GB', 'IE', 'AU', 'DE', 'FR'];

describe('concurrent writes to the config file', () => {
  const dir = tempDir();
  let sandbox: SandboxEnvironment;
  /** The fakes' addresses only: the keys must come through `auth login`. */
  let addresses: Record<string, string>;
  const configPath = join(dir.path, 'config.json');
  const read = () => JSON.parse(readFileSync(configPath, 'utf8')) as ConfigFile;

  beforeAll(async () => {
    sandbox = await startSandbox();
    addresses = Object.fromEntries(Object.entries(sandbox.env).filter(([key]) => key.startsWith('VOICENUM_')).map(([k, v]) => [k, v!]));
  });
  afterAll(async () => {
    await sandbox.close();
    dir.cleanup();
  });

  for (const round of [1, 2, 3]) {
    it(`round ${round}: 12 parallel config set and 4 parallel auth login keep every key`, { timeout: 120_000 }, async () => {
      const country = COUNTRIES[round % COUNTRIES.length]!;
      const maxAge = `${round}h`;
      const output = round % 2 ? 'json' : 'table';
      const sets = PROFILES.flatMap((profile) => [
        ['--profile', profile, 'config', 'set', 'default-country', country],
        ['--profile', profile, 'config', 'set', 'cache-max-age', maxAge],
        ['--profile', profile, 'config', 'set', 'output', output],
      ]);
      const sid = sandbox.env.TWILIO_ACCOUNT_SID!;
      const logins: [string[], string][] = [
        [['auth', 'login', 'retell', '--stdin'], SANDBOX_KEYS.retell],
        [['auth', 'login', 'vapi', '--stdin'], SANDBOX_KEYS.vapi],
        [['auth', 'login', 'bland', '--stdin'], SANDBOX_KEYS.bland],
        [['auth', 'login', 'twilio', '--stdin', '--account-sid', sid], SANDBOX_KEYS.twilioAuthToken],
      ];
      const results = await Promise.all([
        ...sets.map((args) => runCli(args, { home: dir.path, env: addresses })),
        ...logins.map(([args, secret]) => runCli(args, { home: dir.path, env: addresses, input: `${secret}\n` })),
      ]);
      for (const result of results) expect(result.code, result.stderr).toBe(0);

      const config = read();
      for (const profile of PROFILES) {
        expect(config.profiles[profile]?.settings, profile).toEqual({ defaultCountry: country, cacheMaxAge: maxAge, output });
      }
      expect(config.profiles.default?.credentials).toEqual({
        retell: { apiKey: SANDBOX_KEYS.retell },
        vapi: { apiKey: SANDBOX_KEYS.vapi },
        bland: { apiKey: SANDBOX_KEYS.bland },
        twilio: { accountSid: sid, authToken: SANDBOX_KEYS.twilioAuthToken },
      });
      expect(statSync(configPath).mode & 0o777).toBe(0o600);
      // No lock, draft or temp file is left behind.
      expect(readdirSync(dir.path).filter((name) => name.startsWith('config.json'))).toEqual(['config.json']);

      // Logging out again, all at once, must not resurrect or drop anything else either.
      const logouts = await Promise.all(['retell', 'vapi', 'bland', 'twilio'].map((p) => runCli(['auth', 'logout', p], { home: dir.path })));
      for (const result of logouts) expect(result.code, result.stderr).toBe(0);
      const after = read();
      expect(after.profiles.default?.credentials).toEqual({});
      for (const profile of PROFILES) expect(after.profiles[profile]?.settings).toEqual(config.profiles[profile]?.settings);
    });
  }

  it("takes over the lock of a process that died holding it", async () => {
    // A pid that surely belongs to no process now: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(`${configPath}.lock`, JSON.stringify({ pid: Number(dead), host: hostname(), token: 'crashed' }));
    const result = await runCli(['config', 'set', 'default-country', 'NZ'], { home: dir.path });
    expect(result.code, result.stderr).toBe(0);
    expect(read().profiles.default?.settings?.defaultCountry).toBe('NZ');
    expect(existsSync(`${configPath}.lock`)).toBe(false);
  });

  it('takes over a lock left long ago by an unknown owner', async () => {
    writeFileSync(`${configPath}.lock`, 'not a voicenum lock');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(`${configPath}.lock`, longAgo, longAgo);
    const result = await runCli(['config', 'set', 'default-country', 'CA'], { home: dir.path });
    expect(result.code, result.stderr).toBe(0);
    expect(read().profiles.default?.settings?.defaultCountry).toBe('CA');
    expect(existsSync(`${configPath}.lock`)).toBe(false);
  });
});
