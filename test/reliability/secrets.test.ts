import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/providers/http.js';
import { Redactor } from '../../src/providers/redact.js';
import { SANDBOX_KEYS } from '../../src/sandbox/index.js';
import { TWILIO_SANDBOX_API_KEY } from '../../src/sandbox/fakes/twilio.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';

/**
 * product.md §5: "A key is never printed, logged (also not in `--verbose` HTTP traces), written to
 * the SQLite cache, or echoed in an error", and config and cache files are readable by their owner
 * only. The sandbox's keys are distinctive strings: they serve as canaries, along with keys the
 * fakes reject (the failure paths). Every command runs with --verbose; every byte it printed, every
 * file under VOICENUM_HOME but the config (which legitimately holds logged-in keys) and the audit
 * log are searched for every canary, raw and in the encodings a header or URL would carry.
 */
const plan = buildSeedPlan();
const seeded = (predicate: (n: SeedNumber) => boolean) => {
  const found = plan.numbers.find(predicate);
  if (!found) throw new Error('the seed has no such number');
  return found;
};
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const retellFree = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0);
const retellHeld = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'));
const vapiNumber = seeded((n) => n.provider === 'vapi' && n.status === 'active' && !n.importedFromTwilio && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist'));
const blandNumber = seeded((n) => n.provider === 'bland' && n.slots.inbound[0]?.agentId === agentId('bland', 'receptionist'));
const twilioOnly = seeded((n) => n.provider === 'twilio' && !plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164));
const elevenFree = seeded((n) => n.provider === 'elevenlabs' && n.slots.inbound.length === 0);

const GOOD = {
  retell: SANDBOX_KEYS.retell,
  vapi: SANDBOX_KEYS.vapi,
  bland: SANDBOX_KEYS.bland,
  twilioAuthToken: SANDBOX_KEYS.twilioAuthToken,
  twilioApiSecret: TWILIO_SANDBOX_API_KEY.secret,
  elevenlabs: SANDBOX_KEYS.elevenlabs,
};
/** Keys the fakes refuse: what a typo or a revoked key looks like. */
const REJECTED = {
  retell: 'key_canary_rejected_retell_5309',
  vapi: 'canary-rejected-vapi-key-8675',
  bland: 'sk-canary-rejected-bland-4242',
  twilioAuthToken: 'canary_rejected_twilio_token_1138',
  elevenlabs: 'sk_canary_rejected_elevenlabs_2718',
};

describe('secrets never leak', () => {
  const cli = useSandboxCli();
  const outputs: { what: string; text: string }[] = [];
  beforeEach(() => {
    outputs.length = 0;
  });

  /** Every canary, raw and as it travels (Basic auth base64, URL-encoded). */
  const canaries = (): string[] => {
    const sid = cli.sandbox.env.TWILIO_ACCOUNT_SID!;
    const raw = [...Object.values(GOOD), ...Object.values(REJECTED)];
    return [
      ...raw,
      ...raw.map((key) => encodeURIComponent(key)),
      Buffer.from(`${sid}:${GOOD.twilioAuthToken}`).toString('base64'),
      Buffer.from(`${TWILIO_SANDBOX_API_KEY.sid}:${GOOD.twilioApiSecret}`).toString('base64'),
      Buffer.from(`${sid}:${REJECTED.twilioAuthToken}`).toString('base64'),
    ];
  };
  /** The fakes' addresses without any credential variable. */
  const addressesOnly = () => Object.fromEntries(Object.entries(cli.env).filter(([key]) => !/^(RETELL|VAPI|BLAND|TWILIO|ELEVENLABS)_/.test(key)));

  /** Run with --verbose and keep what it printed for the scan. */
  const run = async (args: string[], options: { stdin?: string; code?: number | number[] } = {}) => {
    const result = await cli.run(['--verbose', ...args], options.stdin);
    outputs.push({ what: args.join(' '), text: `${result.stdout}\n${result.stderr}` });
    const codes = Array.isArray(options.code) ? options.code : [options.code ?? 0];
    expect(codes, `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
    return result;
  };

  /** Files under VOICENUM_HOME, as paths relative to it. */
  const filesUnderHome = (dir = cli.home): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnderHome(path) : [relative(cli.home, path)];
    });

  const expectNoCanary = (options: { exceptConfig: boolean }) => {
    const all = canaries();
    // Nothing run, nothing checked: the loop below must have outputs to look at.
    expect(outputs.length).toBeGreaterThan(0);
    for (const { what, text } of outputs) {
      for (const canary of all) expect(text.includes(canary), `"${what}" printed a key (${canary.slice(0, 8)}…)`).toBe(false);
    }
    const files = filesUnderHome();
    expect(files).toContain(join('profiles', 'default', 'cache.db'));
    for (const file of files) {
      if (options.exceptConfig && file === 'config.json') continue;
      const bytes = readFileSync(join(cli.home, file));
      for (const canary of all) {
        expect(bytes.includes(Buffer.from(canary)), `${file} holds a key (${canary.slice(0, 8)}…)`).toBe(false);
        // SQLite may store text as UTF-16 too.
        expect(bytes.includes(Buffer.from(canary, 'utf16le')), `${file} holds a key in UTF-16`).toBe(false);
      }
    }
  };

  /** The cache and its companions; the config too once voicenum wrote it (the harness seeds it 0644). */
  const expectOwnerOnly = (options: { config: boolean } = { config: true }) => {
    const cache = join(cli.home, 'profiles', 'default', 'cache.db');
    expect(existsSync(cache)).toBe(true);
    for (const file of [...(options.config ? [join(cli.home, 'config.json')] : []), cache, `${cache}-wal`, `${cache}-shm`]) {
      if (!existsSync(file)) continue;
      expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    }
  };

  /** Every command, with --verbose, on the sandbox keys from the environment. */
  const everyCommand = async () => {
    await run(['sync']);
    await run(['numbers', 'sync', '--provider', 'twilio']);
    await run(['numbers', 'list']);
    await run(['numbers', 'list', '--json']);
    await run(['numbers', 'list', '--csv']);
    for (const number of [retellHeld, vapiNumber, blandNumber, twilioOnly, elevenFree]) await run(['numbers', 'show', number.e164]);
    await run(['agents', 'list']);
    await run(['agents', 'list', '--json']);
    await run(['agents', 'show', agentId('retell', 'receptionist')]);
    await run(['agents', 'show', agentId('twilio', 'main-ivr'), '--json']);
    // A write at every provider: the freshness read, the write, the verification.
    await run(['assign', retellFree.e164, '--inbound', 'sales', '--outbound', 'outbound-dialer', '--yes']);
    await run(['assign', retellHeld.e164, '--inbound', 'sales=0.5,support=0.5', '--yes']);
    await run(['assign', vapiNumber.e164, '--inbound', 'booking', '--yes']);
    await run(['assign', blandNumber.e164, '--inbound', 'collections', '--yes']);
    await run(['assign', twilioOnly.e164, '--inbound', 'receptionist', '--yes']);
    await run(['assign', elevenFree.e164, '--inbound', 'receptionist', '--yes']);
    await run(['unassign', elevenFree.e164, '--yes']);
    await run(['numbers', 'label', elevenFree.e164, 'eleven canary check']);
    await run(['assign', retellFree.e164, '--inbound', 'support', '--dry-run']);
    await run(['unassign', retellFree.e164, '--outbound', '--yes']);
    await run(['numbers', 'unassign', vapiNumber.e164, '--yes']);
    await run(['region', twilioOnly.e164]);
    await run(['region', twilioOnly.e164, 'ie1']);
    await run(['numbers', 'label', vapiNumber.e164, 'canary check']);
    await run(['numbers', 'label', twilioOnly.e164, 'twilio canary check']);
    await run(['numbers', 'fallback', retellHeld.e164, '+14155550123']);
    await run(['numbers', 'fallback', retellHeld.e164, 'none']);
    await run(['history']);
    await run(['history', '--json']);
    await run(['history', retellHeld.e164, '--csv']);
    await run(['auth', 'status']);
    await run(['auth', 'status', '--json']);
    await run(['auth', 'status', '--check']);
    await run(['config', 'list']);
    await run(['config', 'set', 'cache-max-age', '7d']);
    await run(['config', 'get', 'cache-max-age']);
    // Refused and failed commands print errors: they must not echo keys either.
    await run(['assign', vapiNumber.e164, '--outbound', 'receptionist'], { code: 3 });
    await run(['assign', retellFree.e164, '--inbound', 'nobody'], { code: 3 });
  };

  it('with the keys in the environment: no key in any output, file or audit entry; files are 0600', async () => {
    await everyCommand();
    const history = JSON.parse((await run(['history', '--json'])).stdout) as unknown[];
    expect(history.length).toBeGreaterThan(5);
    // The traces were really on (else this test would prove nothing).
    expect(outputs.find((o) => o.what === 'sync')!.text).toMatch(/retell GET|GET .*list-phone-numbers/);
    expect(outputs.some((o) => /twilio/.test(o.text) && /Accounts\//.test(o.text))).toBe(true);
    expectNoCanary({ exceptConfig: false });
    expectOwnerOnly();
  });

  it('with every key stored by auth login --stdin: the config holds them 0600, nothing else does', async () => {
    cli.env = addressesOnly();
    const sid = cli.sandbox.env.TWILIO_ACCOUNT_SID!;
    await run(['auth', 'login', 'retell', '--stdin'], { stdin: `${GOOD.retell}\n` });
    await run(['auth', 'login', 'vapi', '--stdin'], { stdin: GOOD.vapi });
    await run(['auth', 'login', 'bland', '--stdin'], { stdin: `${GOOD.bland}\r\n` });
    await run(['auth', 'login', 'twilio', '--stdin', '--account-sid', sid], { stdin: `${GOOD.twilioAuthToken}\n` });
    await run(['auth', 'login', 'elevenlabs', '--stdin'], { stdin: `${GOOD.elevenlabs}\n` });
    const config = readFileSync(join(cli.home, 'config.json'), 'utf8');
    for (const key of [GOOD.retell, GOOD.vapi, GOOD.bland, GOOD.twilioAuthToken, GOOD.elevenlabs]) expect(config).toContain(key);
    expectOwnerOnly();
    const status = JSON.parse((await run(['auth', 'status', '--check', '--json'])).stdout) as { providers: { provider: string; source: string; key: string; check: string }[] };
    const loggedIn = status.providers;
    expect(loggedIn.map((p) => p.provider).sort()).toEqual(['bland', 'elevenlabs', 'retell', 'twilio', 'vapi']);
    for (const provider of loggedIn) {
      expect(provider, provider.provider).toMatchObject({ source: 'config', check: 'ok' });
      expect(provider.key).toMatch(/^••••.{4}$/);
    }
    await everyCommand();
    // Twilio with an API key and its secret instead of the auth token.
    await run(['auth', 'login', 'twilio', '--stdin', '--account-sid', sid, '--api-key', TWILIO_SANDBOX_API_KEY.sid], { stdin: GOOD.twilioApiSecret });
    expect(readFileSync(join(cli.home, 'config.json'), 'utf8')).toContain(GOOD.twilioApiSecret);
    await run(['sync', '--provider', 'twilio']);
    await run(['region', twilioOnly.e164, 'au1']);
    await run(['auth', 'status', '--check']);
    await run(['auth', 'logout', 'bland']);
    expect(readFileSync(join(cli.home, 'config.json'), 'utf8')).not.toContain(GOOD.bland);
    expectNoCanary({ exceptConfig: true });
    expectOwnerOnly();
  });

  it('with rejected keys: the failures name the provider but never echo the key', async () => {
    const sid = cli.sandbox.env.TWILIO_ACCOUNT_SID!;
    // Logins with a rejected key: refused, nothing stored.
    const configBefore = readFileSync(join(cli.home, 'config.json'), 'utf8');
    cli.env = addressesOnly();
    for (const provider of ['retell', 'vapi', 'bland', 'elevenlabs'] as const) {
      const result = await run(['auth', 'login', provider, '--stdin'], { stdin: REJECTED[provider], code: 4 });
      expect(result.stderr).toMatch(new RegExp(provider));
    }
    await run(['auth', 'login', 'twilio', '--stdin', '--account-sid', sid], { stdin: REJECTED.twilioAuthToken, code: 4 });
    expect(readFileSync(join(cli.home, 'config.json'), 'utf8')).toBe(configBefore);
    // Rejected keys in the environment, at every provider.
    cli.env = { ...addressesOnly(), RETELL_API_KEY: REJECTED.retell, VAPI_API_KEY: REJECTED.vapi, BLAND_API_KEY: REJECTED.bland, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: REJECTED.twilioAuthToken, ELEVENLABS_API_KEY: REJECTED.elevenlabs };
    const sync = await run(['sync'], { code: 4 });
    expect(sync.stderr).toMatch(/retell/);
    const status = await run(['auth', 'status', '--check'], { code: 4 });
    expect(status.stdout).toMatch(/rejected/);
    await run(['auth', 'status', '--check', '--json'], { code: 4 });
    await run(['assign', retellFree.e164, '--inbound', 'sales', '--yes'], { code: 4 });
    await run(['assign', twilioOnly.e164, '--inbound', 'receptionist', '--yes'], { code: 4 });
    await run(['region', twilioOnly.e164, 'ie1'], { code: 4 });
    await run(['numbers', 'label', vapiNumber.e164, 'rejected'], { code: 4 });
    await run(['numbers', 'label', blandNumber.e164, 'rejected'], { code: 4 });
    await run(['assign', elevenFree.e164, '--inbound', 'receptionist', '--yes'], { code: 4 });
    // One provider rejected, the others fine: a partial sync.
    cli.env = { ...addressesOnly(), RETELL_API_KEY: REJECTED.retell, VAPI_API_KEY: GOOD.vapi, BLAND_API_KEY: GOOD.bland, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: GOOD.twilioAuthToken, ELEVENLABS_API_KEY: GOOD.elevenlabs };
    await run(['sync'], { code: 7 });
    await run(['history', '--json']);
    expectNoCanary({ exceptConfig: false });
    expectOwnerOnly({ config: false });
  });
  it('an upstream that echoes the key back, URL-encoded, form-encoded or in base64: no form of it is printed', async () => {
    const sid = cli.sandbox.env.TWILIO_ACCOUNT_SID!;
    // Keys with characters that every encoding changes (a space, `+`, `/`, `=`, `&`, `~`, a non-ASCII letter).
    const ECHOED = {
      retell: 'key echo+retell/5309=ab&c~d é',
      vapi: 'vapi echo key/8675+xy==',
      bland: 'sk-echo bland&key=4242/+',
      twilioAuthToken: 'twilio echo/token+1138 ~x',
      elevenlabs: 'sk_echo eleven/labs+key=31&',
    };
    cli.env = { ...addressesOnly(), RETELL_API_KEY: ECHOED.retell, VAPI_API_KEY: ECHOED.vapi, BLAND_API_KEY: ECHOED.bland, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: ECHOED.twilioAuthToken, ELEVENLABS_API_KEY: ECHOED.elevenlabs };
    for (const fake of Object.values(cli.sandbox.fakes)) fake.setFaults({ echoCredentials: { count: -1, status: 400 } });
    const forms = (key: string, user?: string): string[] => {
      const component = encodeURIComponent(key);
      return [
        key,
        component,
        component.replace(/%20/g, '+'),
        component.toLowerCase(),
        new URLSearchParams({ key }).toString().slice('key='.length),
        Buffer.from(key).toString('base64'),
        Buffer.from(key).toString('base64').replace(/=+$/, ''),
        Buffer.from(key).toString('base64url'),
        ...(user ? [Buffer.from(`${user}:${key}`).toString('base64')] : []),
      ];
    };
    const keyForms = [forms(ECHOED.retell), forms(ECHOED.vapi), forms(ECHOED.bland), forms(ECHOED.twilioAuthToken, sid), forms(ECHOED.elevenlabs)].map((list) => [...new Set(list)]);
    // The encodings really differ from the raw key (else the raw check would cover them).
    for (const list of keyForms) expect(list.length).toBeGreaterThanOrEqual(5);
    const all = keyForms.flat();

    const sync = await run(['sync'], { code: [5, 7] });
    await run(['sync', '--provider', 'twilio'], { code: [5, 7] });
    const status = await run(['auth', 'status', '--check'], { code: [0, 4, 5] });
    await run(['auth', 'status', '--check', '--json'], { code: [0, 4, 5] });
    await run(['numbers', 'label', vapiNumber.e164, 'echoed'], { code: [5, 7] });
    const eleven = await run(['numbers', 'label', elevenFree.e164, 'echoed'], { code: [5, 7] });
    expect(eleven.stderr).toMatch(/elevenlabs: .*credentials not accepted/);
    await run(['assign', twilioOnly.e164, '--inbound', 'receptionist', '--yes'], { code: [5, 7] });
    // The echo happened and was reported (else this test would prove nothing)...
    expect(sync.stderr).toMatch(/credentials not accepted/);
    expect(status.stdout).toMatch(/credentials not accepted/);
    // ...with every form of every key taken out.
    expect(sync.stderr).toMatch(/\*\*\*/);
    for (const { what, text } of outputs) {
      for (const form of all) expect(text.includes(form), `"${what}" printed a form of a key: ${form}`).toBe(false);
    }
  });
});

describe('one redaction for every secret', () => {
  const KEY = 'k3y with/plus+eq=&amp ~z';
  const redactor = new Redactor([{ value: KEY, user: 'AC0123456789abcdef0123456789abcdef' }, 'sk_other_1234']);

  it('removes the key raw, URL-encoded, form-encoded, JSON-escaped and in base64, alone or with a user', () => {
    const forms = [
      KEY,
      encodeURIComponent(KEY),
      encodeURIComponent(KEY).replace(/%20/g, '+'),
      encodeURIComponent(KEY).toLowerCase(),
      new URLSearchParams({ k: KEY }).toString().slice(2),
      JSON.stringify(KEY).slice(1, -1),
      Buffer.from(KEY).toString('base64'),
      Buffer.from(KEY).toString('base64url'),
      Buffer.from(`AC0123456789abcdef0123456789abcdef:${KEY}`).toString('base64'),
      // Basic auth with a user the redactor was never told about: the key's bytes still show.
      Buffer.from(`someone-else:${KEY}`).toString('base64'),
      Buffer.from(`x:${KEY}`).toString('base64'),
    ];
    for (const form of forms) {
      const shown = redactor.redact(`before ${form} after`);
      expect(shown, form).toBe('before *** after');
    }
    expect(redactor.redact('Authorization: Bearer sk_other_1234')).toBe('Authorization: Bearer ***');
  });

  it('leaves text without a key as it is', () => {
    const text = 'GET /v2/phone-number?limit=1000 failed with HTTP 400: aGVsbG8gd29ybGQ= k3y with';
    expect(redactor.redact(text)).toBe(text);
  });

  it('a --verbose trace of a request whose query carries the key shows no form of it', async () => {
    const { startSandbox } = await import('../../src/sandbox/index.js');
    const sandbox = await startSandbox();
    try {
      const lines: string[] = [];
      const client = new HttpClient({ provider: 'retell', baseUrl: sandbox.fakes.retell.url, headers: {}, secrets: [KEY], errorMessage: () => undefined, authHint: '', maxAttempts: 1, trace: (line) => lines.push(line) });
      // The query is form-encoded on the wire (a space becomes `+`): the raw key is not in the URL at all.
      await client.request({ method: 'GET', path: '/list-phone-numbers', query: { token: KEY } }).catch(() => undefined);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toContain('token=***');
      for (const line of lines) expect(line).not.toContain(new URLSearchParams({ k: KEY }).toString().slice(2));
    } finally {
      await sandbox.close();
    }
  });
});
