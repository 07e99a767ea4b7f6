import { describe, expect, it } from 'vitest';
import { parseSetting, settingKey } from '../../src/config/keys.js';
import { parseSettingValue, validateConfigFile } from '../../src/config/schema.js';
import { ExitCode, LocalStateError, UsageError, VoicenumError } from '../../src/domain/errors.js';
import { parseSandboxFaults } from '../../src/sandbox/faults.js';

const FILE = '/home/op/.local/share/voicenum/config.json';
const withSettings = (settings: Record<string, unknown>, profile = 'default') => ({ profiles: { [profile]: { settings } } });

/** The error validateConfigFile ends in, asserted to be one. */
async function refusal(value: unknown): Promise<LocalStateError> {
  const error: unknown = await validateConfigFile(value, FILE).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LocalStateError);
  const local = error as LocalStateError;
  expect(local.exitCode).toBe(ExitCode.LocalState);
  expect(local.file).toBe(FILE);
  expect(local.message).toContain(FILE);
  return local;
}

describe('the config file schema', () => {
  it('takes a good file, and reads the on/off words and a lower-case country as the values they mean', async () => {
    const config = await validateConfigFile(
      {
        profiles: {
          default: { settings: { oneAgentPerNumber: 'off', oneNumberPerAgent: 'on', defaultCountry: 'gb', cacheMaxAge: '7d', output: 'json' } },
          staging: { settings: { oneAgentPerNumber: true }, credentials: { retell: { apiKey: 'key_1234' }, twilio: { accountSid: 'AC1', authToken: 'tok' } } },
        },
      },
      FILE,
    );
    expect(config.profiles?.default?.settings).toEqual({ oneAgentPerNumber: false, oneNumberPerAgent: true, defaultCountry: 'GB', cacheMaxAge: '7d', output: 'json' });
    expect(config.profiles?.staging?.credentials?.retell).toEqual({ apiKey: 'key_1234' });
    expect(await validateConfigFile({}, FILE)).toEqual({});
  });

  it.each([
    ['oneAgentPerNumber', 'maybe', /setting policy\.one-agent-per-number \("oneAgentPerNumber" in the file\) is "maybe" \(valid: on or off\)/],
    ['oneNumberPerAgent', 1, /setting policy\.one-number-per-agent .* is 1 \(valid: on or off\)/],
    ['output', 'yaml', /setting output \("output" in the file\) is "yaml" \(valid: table or json\)/],
    ['defaultCountry', 'ZZ', /setting default-country .* is "ZZ" \(valid: a two-letter ISO country code/],
    ['cacheMaxAge', 'banana', /setting cache-max-age .* is "banana" \(valid: a duration/],
    ['cacheMaxAge', 24, /setting cache-max-age .* is 24 \(valid: a duration/],
  ])('refuses %s = %j naming the profile, the setting and the valid values', async (field, value, message) => {
    const error = await refusal(withSettings({ [field]: value }, 'staging'));
    expect(error.message).toMatch(/profile "staging"/);
    expect(error.message).toMatch(message);
  });

  it('refuses a misspelt setting with the names the file takes, and names every bad value at once', async () => {
    const misspelt = await refusal(withSettings({ outptu: 'json' }));
    expect(misspelt.message).toMatch(/profile "default" has unknown setting "outptu" \(the file names them oneAgentPerNumber, oneNumberPerAgent, defaultCountry, cacheMaxAge, output, defaultRegion\)/);
    const several = await refusal(withSettings({ output: 'yaml', cacheMaxAge: 'banana' }));
    expect(several.message).toMatch(/holds 2 values voicenum cannot use/);
    expect(several.message).toMatch(/output/);
    expect(several.message).toMatch(/cache-max-age/);
  });

  it('refuses stored credentials that are not strings, without quoting them', async () => {
    const secret = 'sk_live_do_not_print_me';
    const error = await refusal({ profiles: { default: { credentials: { retell: { apiKey: [secret] } } } } });
    expect(error.message).toMatch(/the retell credential "apiKey" of profile "default" is not a non-empty string/);
    expect(error.message).not.toContain(secret);
    expect((await refusal({ profiles: { default: { credentials: { retel: { apiKey: 'x' } } } } })).message).toMatch(/unknown provider "retel"/);
    expect((await refusal({ profiles: { default: { credentials: { twilio: { authToken: 'x' } } } } })).message).toMatch(/twilio credential "accountSid"/);
  });

  it('reports a wrong shape as damage, like a file that is not JSON', async () => {
    expect((await refusal([1, 2])).message).toMatch(/is damaged \(it does not hold a JSON object\)/);
    expect((await refusal({ profiles: { default: 7 } })).message).toMatch(/is damaged \(profile "default" is not an object\)/);
    expect((await refusal({ profiles: { default: { settings: 'on' } } })).message).toMatch(/is damaged \("settings" of profile "default" is not an object\)/);
    expect((await refusal({ profiles: { '../up': {} } })).message).toMatch(/"\.\.\/up" is not a valid profile name/);
  });
});

describe('config set values', () => {
  it('takes on/off (and true/false, yes/no) for policies, and refuses anything else naming the valid values', async () => {
    for (const [text, value] of [['on', true], ['OFF', false], ['yes', true], ['no', false], ['true', true], ['false', false]] as const) {
      expect(await parseSetting(settingKey('policy.one-agent-per-number'), text)).toBe(value);
    }
    await expect(parseSetting(settingKey('policy.one-agent-per-number'), 'maybe')).rejects.toThrow(/policy.one-agent-per-number is on or off, not "maybe"/);
    await expect(parseSetting(settingKey('policy.one-agent-per-number'), 'maybe')).rejects.toBeInstanceOf(UsageError);
  });

  it('keeps a duration as written, upper-cases a country, and refuses what the file would refuse', async () => {
    expect(await parseSettingValue('cacheMaxAge', ' 30m ')).toBe('30m');
    expect(await parseSettingValue('cacheMaxAge', '7d')).toBe('7d');
    expect(await parseSettingValue('cacheMaxAge', 'banana')).toBeUndefined();
    expect(await parseSettingValue('defaultCountry', 'ie')).toBe('IE');
    expect(await parseSettingValue('defaultCountry', 'ZZ')).toBeUndefined();
    expect(await parseSettingValue('output', 'JSON')).toBe('json');
    expect(await parseSettingValue('output', 'yaml')).toBeUndefined();
  });
});

describe('VOICENUM_SANDBOX_FAULTS', () => {
  it('takes every switch of the fault plan, per provider', () => {
    const plans = {
      retell: { latencyMs: 400, pathContains: '/v2/', rateLimit: { count: -1, retryAfterSeconds: null }, hang: { count: 1 } },
      vapi: { serverError: { count: -1, status: 503 }, malformed: { count: 2 }, reset: { count: 1 }, hugeBody: { count: 1, bytes: 1024 } },
      bland: { failWritesAfter: 1, stuckPaging: { pathContains: '/' } },
      twilio: { failWrite: { nth: 3, status: 400 }, loseWriteAnswer: { count: 1, as: 502, thenDown: true }, rateLimit: { count: 1, retryAfterSeconds: 1 } },
      elevenlabs: { latencyMs: 10, pathContains: '/v1/convai/agents', stuckPaging: { pathContains: '/v1/convai/agents' } },
    };
    expect(parseSandboxFaults(JSON.stringify(plans))).toEqual(plans);
    expect(parseSandboxFaults('{"retell":{"loseWriteAnswer":{"count":1,"as":"reset"}}}')).toEqual({ retell: { loseWriteAnswer: { count: 1, as: 'reset' } } });
  });

  it.each([
    ['not JSON', '{retell: 1}', /VOICENUM_SANDBOX_FAULTS is not valid JSON/],
    ['an unknown provider', '{"telnyx":{"latencyMs":5}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: unknown provider "telnyx" \(providers: retell, vapi, bland, twilio, elevenlabs\)/],
    ['an unknown switch', '{"retell":{"latency":5}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: retell: unknown switch "latency"/],
    ['a switch of the wrong type', '{"vapi":{"serverError":{"count":-1,"status":404}}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: vapi\.serverError\.status: /],
    ['a plan that is not an object', '[1]', /VOICENUM_SANDBOX_FAULTS is not a fault plan/],
    ['a failWrite counting from 0', '{"twilio":{"failWrite":{"nth":0}}}', /VOICENUM_SANDBOX_FAULTS is not a fault plan: twilio\.failWrite\.nth: /],
  ])('refuses %s with a usage error naming the variable', (_name, text, message) => {
    let thrown: unknown;
    try {
      parseSandboxFaults(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VoicenumError);
    expect((thrown as VoicenumError).exitCode).toBe(ExitCode.Usage);
    expect((thrown as VoicenumError).message).toMatch(message);
    expect((thrown as VoicenumError).hint).toMatch(/"retell":\{"latencyMs":400\}/);
  });
});

describe('the countries default-country takes', () => {
  it('are exactly the ones the phone library parses (the copy has not drifted)', async () => {
    const { getCountries } = await import('libphonenumber-js/max');
    const { PHONE_COUNTRIES } = await import('../../src/config/countries.js');
    expect(getCountries().length).toBeGreaterThan(200);
    expect([...PHONE_COUNTRIES].sort()).toEqual([...getCountries()].sort());
  });
});
