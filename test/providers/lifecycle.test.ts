import { afterEach, describe, expect, it } from 'vitest';
import { PartialWriteError, ProviderError } from '../../src/domain/errors.js';
import { createBlandAdapter } from '../../src/providers/bland/index.js';
import { createElevenLabsAdapter } from '../../src/providers/elevenlabs/index.js';
import type { HttpSettings } from '../../src/providers/http.js';
import { createRetellAdapter } from '../../src/providers/retell/index.js';
import type { LifecycleCapability, ProviderAdapter, SipTrunkAccess, CarrierSource } from '../../src/providers/types.js';
import { capabilitiesOf } from '../../src/providers/registry.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FakeRequest, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { blandStateFromSeed, createBlandFake, type BlandState } from '../../src/sandbox/fakes/bland.js';
import { createElevenLabsFake, elevenlabsStateFromSeed, type ElevenLabsState } from '../../src/sandbox/fakes/elevenlabs.js';
import { createRetellFake, retellStateFromSeed, type RetellState } from '../../src/sandbox/fakes/retell.js';
import { createVapiFake, vapiStateFromSeed, type VapiState } from '../../src/sandbox/fakes/vapi.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';

/**
 * The life of a number at the agent platforms, over real HTTP against the sandbox fakes: buying,
 * importing a Twilio number (the source stays visible on the fake's record), releasing, the
 * provider's refusals as typed errors, and creates that are never sent twice.
 */

const plan = buildSeedPlan();
/** The sandbox's Twilio account, as the engine would hand it over. */
const twilio: CarrierSource = { accountSid: plan.twilioAccountSid, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: `PN${'0'.repeat(32)}` };
const trunk: SipTrunkAccess = { terminationUri: 'vn-14155550123.pstn.twilio.com', username: 'voicenum', password: 'Gen3rated-Secret-42' };
/** A number that none of the seeded accounts holds. */
const FRESH = '+13125550199';

let fake: RunningFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function http(): HttpSettings {
  return { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000, maxAttempts: 3, sleep: async () => undefined };
}

function lifecycleOf(adapter: ProviderAdapter): Required<LifecycleCapability> {
  expect(adapter.lifecycle).toBeDefined();
  return adapter.lifecycle as Required<LifecycleCapability>;
}

const posts = (path: string) => fake!.requests.filter((request) => request.method === 'POST' && request.path === path);
const sentBody = (path: string, index = 0) => JSON.parse(posts(path)[index]!.rawBody) as Record<string, unknown>;

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('Retell: buy, import over a SIP trunk, release', () => {
  let state: RetellState;
  async function start(faults: FaultPlan = {}) {
    state = retellStateFromSeed(plan);
    fake = await startFakeServer(createRetellFake(), memoryState(state), faults);
    const adapter = createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: fake.url, http: http() });
    return { adapter, life: lifecycleOf(adapter) };
  }

  it('buys a number in an area code (sent as an integer) and the list shows it afterwards', async () => {
    const { adapter, life } = await start();
    const bought = await life.buy({ areaCode: '212', country: 'US', label: 'new line' });
    expect(bought).toMatchObject({ provider: 'retell', label: 'new line', origin: 'retell-twilio' });
    expect(bought.e164).toMatch(/^\+1212\d{7}$/);
    expect(sentBody('/create-phone-number')).toEqual({ area_code: 212, country_code: 'US', nickname: 'new line' });
    const listed = (await adapter.fetchAll()).numbers.find((number) => number.e164 === bought.e164);
    expect(listed).toMatchObject({ label: 'new line' });
  });

  it('buying an exact number that is taken ends in a ProviderError quoting Retell, sent once', async () => {
    const { life } = await start();
    const taken = state.numbers[0]!.phone_number;
    const error = await rejection(life.buy({ e164: taken }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(`Phone number ${taken} is not available for purchase.`);
    expect(posts('/create-phone-number')).toHaveLength(1);
  });

  it('imports a number over the trunk: termination URI and credentials sent, the record keeps the trunk', async () => {
    const { adapter, life } = await start();
    const imported = await life.importFromCarrier({ e164: FRESH, label: 'from twilio', source: twilio, trunk });
    expect(imported).toMatchObject({ e164: FRESH, providerId: FRESH, origin: 'custom', label: 'from twilio' });
    expect(sentBody('/import-phone-number')).toEqual({ phone_number: FRESH, termination_uri: trunk.terminationUri, sip_trunk_auth_username: 'voicenum', sip_trunk_auth_password: trunk.password, nickname: 'from twilio' });
    const record = state.numbers.find((number) => number.phone_number === FRESH)!;
    expect(record.sip_outbound_trunk_config).toEqual({ termination_uri: trunk.terminationUri, auth_username: 'voicenum', transport: 'TCP' });
    // Retell keeps the password but never answers it.
    expect(JSON.stringify(record)).not.toContain(trunk.password);
    expect((await adapter.fetchAll()).numbers.map((number) => number.e164)).toContain(FRESH);
  });

  it('refuses an import without a trunk before sending anything', async () => {
    const { life } = await start();
    const error = await rejection(life.importFromCarrier({ e164: FRESH, source: twilio }));
    expect(error.message).toMatch(/^retell: importing \+13125550199 needs an elastic SIP trunk/);
    expect(fake!.requests).toHaveLength(0);
  });

  it('releases a number (204): the list no longer shows it, and releasing it again is not an error', async () => {
    const { adapter, life } = await start();
    const gone = state.numbers[2]!.phone_number;
    await life.release({ providerId: gone, e164: gone });
    expect(fake!.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([204]);
    expect((await adapter.fetchAll()).numbers.map((number) => number.e164)).not.toContain(gone);
    await life.release({ providerId: gone, e164: gone });
    expect(fake!.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([204, 422]);
  });

  it('a create whose answer is lost is not sent again: an exact number is found by reading it back', async () => {
    const { life } = await start({ pathContains: '/create-phone-number', loseWriteAnswer: { count: 1, as: 'reset' } });
    const bought = await life.buy({ e164: FRESH });
    expect(bought.e164).toBe(FRESH);
    expect(posts('/create-phone-number')).toHaveLength(1);
    expect(state.numbers.filter((number) => number.phone_number === FRESH)).toHaveLength(1);
  });

  it('a buy by area code whose answer is lost says the number may exist, and buys no second one', async () => {
    const { life } = await start({ pathContains: '/create-phone-number', loseWriteAnswer: { count: 1, as: 502 } });
    const before = state.numbers.length;
    const error = await rejection(life.buy({ areaCode: '646' }));
    expect(error.message).toContain('a number may have been made all the same');
    expect(error.hint).toContain('voicenum sync --provider retell');
    expect(posts('/create-phone-number')).toHaveLength(1);
    expect(state.numbers.length).toBe(before + 1);
  });

  it('a create refused with 429 is sent again (Retell did not act on it)', async () => {
    const { life } = await start({ pathContains: '/create-phone-number', rateLimit: { count: 1, retryAfterSeconds: 0 } });
    await life.buy({ areaCode: '305' });
    expect(posts('/create-phone-number')).toHaveLength(2);
    expect(state.numbers.filter((number) => number.phone_number.startsWith('+1305'))).toHaveLength(1);
  });
});

describe('Vapi: buy a free number, import with Twilio credentials, release', () => {
  let state: VapiState;
  async function start(faults: FaultPlan = {}) {
    state = vapiStateFromSeed(plan);
    fake = await startFakeServer(createVapiFake(), memoryState(state), faults);
    const adapter = createVapiAdapter({ apiKey: SANDBOX_KEYS.vapi, baseUrl: fake.url, http: http() });
    return { adapter, life: lifecycleOf(adapter) };
  }

  it('buys a Vapi number by area code with provider "vapi", answered 201, and the list shows it', async () => {
    const { adapter, life } = await start();
    const bought = await life.buy({ areaCode: '646', label: 'fresh vapi' });
    expect(sentBody('/phone-number')).toEqual({ provider: 'vapi', numberDesiredAreaCode: '646', name: 'fresh vapi' });
    expect(fake!.log.find((entry) => entry.method === 'POST')!.status).toBe(201);
    expect(bought).toMatchObject({ provider: 'vapi', origin: 'vapi', label: 'fresh vapi', status: 'active' });
    expect(bought.e164).toMatch(/^\+1646\d{7}$/);
    expect((await adapter.fetchAll()).numbers.find((number) => number.providerId === bought.providerId)?.e164).toBe(bought.e164);
  });

  it('refuses what Vapi cannot sell (an exact number, toll-free, Canada) before sending anything', async () => {
    const { life } = await start();
    for (const request of [{ e164: FRESH }, { tollFree: true }, { country: 'CA' as const }]) {
      const error = await rejection(life.buy(request));
      expect(error.provider).toBe('vapi');
    }
    expect(fake!.requests).toHaveLength(0);
  });

  it('imports a Twilio number with the auth token; the record says provider twilio and the account SID', async () => {
    const { adapter, life } = await start();
    const imported = await life.importFromCarrier({ e164: FRESH, label: 'byo', source: twilio });
    expect(sentBody('/phone-number')).toEqual({ provider: 'twilio', number: FRESH, twilioAccountSid: twilio.accountSid, twilioAuthToken: twilio.authToken, name: 'byo' });
    expect(imported).toMatchObject({ e164: FRESH, origin: 'twilio', label: 'byo' });
    const record = state.phoneNumbers.find((number) => number.id === imported.providerId)!;
    expect(record).toMatchObject({ provider: 'twilio', twilioAccountSid: twilio.accountSid });
    expect((await adapter.fetchAll()).numbers.find((number) => number.e164 === FRESH)?.origin).toBe('twilio');
  });

  it('imports with an API key and secret instead of the token', async () => {
    const { life } = await start();
    const byKey: CarrierSource = { accountSid: twilio.accountSid, apiKey: `SK${'a'.repeat(32)}`, apiSecret: 'secret', phoneNumberSid: twilio.phoneNumberSid };
    await life.importFromCarrier({ e164: FRESH, source: byKey });
    expect(sentBody('/phone-number')).toEqual({ provider: 'twilio', number: FRESH, twilioAccountSid: twilio.accountSid, twilioApiKey: byKey.apiKey, twilioApiSecret: 'secret' });
  });

  it('a number the org already holds, or a wrong token, is a ProviderError quoting Vapi', async () => {
    const { life } = await start();
    const held = state.phoneNumbers[0]!.number!;
    const duplicate = await rejection(life.importFromCarrier({ e164: held, source: twilio }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.message).toContain(`Phone number ${held} already exists in this org`);
    const wrong = await rejection(life.importFromCarrier({ e164: FRESH, source: { ...twilio, authToken: 'not-the-token' } }));
    expect(wrong.message).toContain('Twilio rejected the credentials');
    expect(state.phoneNumbers.filter((number) => number.number === FRESH)).toHaveLength(0);
  });

  it('releases by id (200 with the deleted record); the list no longer shows it; again is not an error', async () => {
    const { adapter, life } = await start();
    const gone = state.phoneNumbers[1]!;
    await life.release({ providerId: gone.id, e164: gone.number! });
    expect(fake!.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([200]);
    expect(JSON.parse(fake!.requests.find((request) => request.method === 'DELETE')!.responseBody!)).toMatchObject({ id: gone.id });
    expect((await adapter.fetchAll()).numbers.map((number) => number.providerId)).not.toContain(gone.id);
    await life.release({ providerId: gone.id, e164: gone.number! });
    expect(fake!.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([200, 404]);
  });

  it('an import whose answer is lost is found by its number, not sent again', async () => {
    const { life } = await start({ pathContains: '/phone-number', loseWriteAnswer: { count: 1, as: 'reset' } });
    const imported = await life.importFromCarrier({ e164: FRESH, source: twilio });
    expect(imported.origin).toBe('twilio');
    expect(posts('/phone-number')).toHaveLength(1);
    expect(state.phoneNumbers.filter((number) => number.number === FRESH)).toHaveLength(1);
  });
});

describe('Bland: purchase, bring your own Twilio, delete', () => {
  let state: BlandState;
  async function start(change?: (state: BlandState) => void) {
    state = blandStateFromSeed(plan);
    change?.(state);
    fake = await startFakeServer(createBlandFake(), memoryState(state));
    const adapter = createBlandAdapter({ apiKey: SANDBOX_KEYS.bland, baseUrl: fake.url, http: http() });
    return { adapter, life: lifecycleOf(adapter) };
  }

  it('buys a number in an area code, sets the label with a second call, and the list shows both', async () => {
    const { adapter, life } = await start();
    const bought = await life.buy({ areaCode: '212', label: 'bland new' });
    expect(sentBody('/v1/inbound/purchase')).toEqual({ area_code: '212' });
    expect(bought).toMatchObject({ provider: 'bland', label: 'bland new' });
    expect(bought.e164).toMatch(/^\+1212\d{7}$/);
    expect(sentBody(`/v1/inbound/${encodeURIComponent(bought.e164)}`)).toEqual({ label: 'bland new' });
    expect((await adapter.fetchAll()).numbers.find((number) => number.e164 === bought.e164)?.label).toBe('bland new');
  });

  it('buying an exact number that is taken is a ProviderError quoting Bland', async () => {
    const { life } = await start();
    const taken = state.numbers[0]!.phone_number;
    const error = await rejection(life.buy({ e164: taken }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(`Phone number ${taken} is not available`);
    expect(posts('/v1/inbound/purchase')).toHaveLength(1);
  });

  it('a failed label keeps the bought number and says how to set the label', async () => {
    const { life } = await start();
    fake!.setFaults({ pathContains: '/v1/inbound/%2B1', serverError: { count: -1, status: 500 } });
    const error = await rejection(life.buy({ areaCode: '718', label: 'x' }));
    expect(error).toBeInstanceOf(PartialWriteError);
    expect((error as PartialWriteError).needsAttention).toMatch(/^Bland holds \+1718\d{7} without the label "x"/);
    expect(state.numbers.filter((number) => number.phone_number.startsWith('+1718'))).toHaveLength(1);
  });

  it('imports from Twilio: an encrypted_key from the SID and token, then insert with it; the number is marked BYO', async () => {
    const { adapter, life } = await start();
    const imported = await life.importFromCarrier({ e164: FRESH, source: twilio });
    expect(imported).toMatchObject({ e164: FRESH, providerId: FRESH });
    expect(sentBody('/v1/accounts')).toEqual({ account_sid: twilio.accountSid, auth_token: twilio.authToken });
    const insert = posts('/v1/inbound/insert')[0]!;
    expect(JSON.parse(insert.rawBody)).toEqual({ numbers: [FRESH] });
    const account = state.twilioAccounts.find((entry) => entry.account_sid === twilio.accountSid)!;
    expect(account.numbers).toContain(FRESH);
    expect((await adapter.fetchAll()).numbers.map((number) => number.e164)).toContain(FRESH);
  });

  it('the encrypted_key is minted once per Twilio account per run, and sent as a header', async () => {
    const { life } = await start();
    await life.importFromCarrier({ e164: FRESH, source: twilio });
    await life.importFromCarrier({ e164: '+13125550198', source: twilio });
    expect(posts('/v1/accounts')).toHaveLength(1);
    const key = (JSON.parse(posts('/v1/accounts')[0]!.responseBody!) as { encrypted_key: string }).encrypted_key;
    const account = state.twilioAccounts.find((entry) => entry.account_sid === twilio.accountSid)!;
    expect([account.encrypted_key, ...(account.other_keys ?? [])]).toContain(key);
    expect(account.numbers).toEqual(expect.arrayContaining([FRESH, '+13125550198']));
  });

  it('wrong Twilio credentials, an API key without token, or a number already on Bland: typed errors', async () => {
    const { life } = await start();
    const wrong = await rejection(life.importFromCarrier({ e164: FRESH, source: { ...twilio, authToken: 'nope' } }));
    expect(wrong.message).toContain('Invalid Twilio credentials');
    const keyOnly = await rejection(life.importFromCarrier({ e164: FRESH, source: { accountSid: twilio.accountSid, apiKey: 'SKx', apiSecret: 's', phoneNumberSid: twilio.phoneNumberSid } }));
    expect(keyOnly.message).toContain('needs its auth token');
    const held = state.numbers[0]!.phone_number;
    const duplicate = await rejection(life.importFromCarrier({ e164: held, source: twilio }));
    expect(duplicate.message).toContain('None of the numbers could be inserted');
    expect(posts('/v1/inbound/insert')).toHaveLength(1);
  });

  it('releases a BYO number with its account key; without the key Bland refuses it', async () => {
    const { adapter, life } = await start();
    await life.importFromCarrier({ e164: FRESH, source: twilio });
    const key = { providerId: FRESH, e164: FRESH };
    const refused = await rejection(createBlandAdapter({ apiKey: SANDBOX_KEYS.bland, baseUrl: fake!.url, http: http() }).lifecycle!.release!(key));
    expect(refused.message).toContain('Missing encrypted_key header');
    await life.release(key, { source: twilio });
    expect(state.twilioAccounts.find((entry) => entry.account_sid === twilio.accountSid)!.numbers).not.toContain(FRESH);
    expect((await adapter.fetchAll()).numbers.map((number) => number.e164)).not.toContain(FRESH);
  });

  it('releases a number Bland sold without a key; releasing it again is not an error', async () => {
    const { adapter, life } = await start();
    const bought = await life.buy({ areaCode: '415' });
    await life.release({ providerId: bought.e164, e164: bought.e164 });
    expect((await adapter.fetchAll()).numbers.map((number) => number.e164)).not.toContain(bought.e164);
    await life.release({ providerId: bought.e164, e164: bought.e164 });
    expect(fake!.log.filter((entry) => entry.path.endsWith('/delete')).map((entry) => entry.status)).toEqual([200, 404]);
  });
});

describe('ElevenLabs: import with the Twilio SID and token, release; nothing to buy', () => {
  let state: ElevenLabsState;
  async function start(faults: FaultPlan = {}, change?: (provider: ReturnType<typeof createElevenLabsFake>) => void) {
    state = elevenlabsStateFromSeed(plan);
    const provider = createElevenLabsFake();
    change?.(provider);
    fake = await startFakeServer(provider, memoryState(state), faults);
    const adapter = createElevenLabsAdapter({ apiKey: SANDBOX_KEYS.elevenlabs, baseUrl: fake.url, http: http() });
    expect(adapter.lifecycle).toBeDefined();
    return { adapter, life: adapter.lifecycle! };
  }
  const NUMBERS = '/v1/convai/phone-numbers';

  it('imports in one call with provider, number, label, sid and token; answered with the id, then read back', async () => {
    const { adapter, life } = await start();
    const imported = await life.importFromCarrier!({ e164: FRESH, label: 'from twilio', source: twilio });
    expect(sentBody(NUMBERS)).toEqual({ provider: 'twilio', phone_number: FRESH, label: 'from twilio', sid: twilio.accountSid, token: twilio.authToken });
    expect(imported).toMatchObject({ provider: 'elevenlabs', e164: FRESH, origin: 'twilio', label: 'from twilio', slots: { inbound: [], outbound: [], sms: [] } });
    const record = state.phoneNumbers.find((number) => number.phone_number === FRESH)!;
    expect(record).toMatchObject({ phone_number_id: imported.providerId, provider: 'twilio', twilio_account_sid: twilio.accountSid, sms_enabled: true });
    // ElevenLabs keeps the token to itself: no answer carries it.
    for (const request of fake!.requests) expect(request.responseBody ?? '').not.toContain(twilio.authToken!);
    expect((await adapter.fetchAll()).numbers.find((number) => number.e164 === FRESH)?.providerId).toBe(imported.providerId);
  });

  it('labels a number imported without a label with the number itself (ElevenLabs requires one)', async () => {
    const { life } = await start();
    await life.importFromCarrier!({ e164: FRESH, source: twilio });
    expect(sentBody(NUMBERS).label).toBe(FRESH);
  });

  it('refuses an API key without the auth token before sending anything', async () => {
    const { life } = await start();
    const error = await rejection(life.importFromCarrier!({ e164: FRESH, source: { accountSid: twilio.accountSid, apiKey: `SK${'a'.repeat(32)}`, apiSecret: 's', phoneNumberSid: twilio.phoneNumberSid } }));
    expect(error.message).toMatch(/^elevenlabs: importing \+13125550199 needs the Twilio account's auth token/);
    expect(fake!.requests).toHaveLength(0);
  });

  it('a wrong token, or a number ElevenLabs already holds, is a ProviderError quoting ElevenLabs; nothing is added', async () => {
    const { life } = await start();
    const wrong = await rejection(life.importFromCarrier!({ e164: FRESH, source: { ...twilio, authToken: 'not-the-token' } }));
    expect(wrong.status).toBe(400);
    expect(wrong.message).toContain('Twilio rejected the account SID and auth token');
    const held = state.phoneNumbers[0]!.phone_number;
    const duplicate = await rejection(life.importFromCarrier!({ e164: held, source: twilio }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.message).toContain(`Phone number ${held} already exists`);
    expect(state.phoneNumbers.filter((number) => number.phone_number === FRESH)).toHaveLength(0);
    expect(posts(NUMBERS)).toHaveLength(2);
  });

  it('releases by id (200); the list no longer shows it; releasing it again is not an error', async () => {
    const { adapter, life } = await start();
    const gone = state.phoneNumbers[1]!;
    await life.release!({ providerId: gone.phone_number_id, e164: gone.phone_number });
    await life.release!({ providerId: gone.phone_number_id, e164: gone.phone_number });
    expect(fake!.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([200, 404]);
    expect((await adapter.fetchAll()).numbers.map((number) => number.providerId)).not.toContain(gone.phone_number_id);
  });

  it('an import whose answer is lost is found by its number, not sent again', async () => {
    const { life } = await start({ pathContains: NUMBERS, loseWriteAnswer: { count: 1, as: 'reset' } });
    const imported = await life.importFromCarrier!({ e164: FRESH, source: twilio });
    expect(imported).toMatchObject({ e164: FRESH, origin: 'twilio' });
    expect(posts(NUMBERS)).toHaveLength(1);
    expect(state.phoneNumbers.filter((number) => number.phone_number === FRESH)).toHaveLength(1);
  });

  it('when the read after the import fails, the number is what was asked, with the id ElevenLabs answered', async () => {
    const { life } = await start({}, (provider) => {
      provider.routes = provider.routes.map((route) => (route.method === 'GET' && route.path === `${NUMBERS}/:id` ? { ...route, handler: () => ({ status: 500, body: { detail: { status: 'internal_server_error', message: 'down' } } }) } : route));
    });
    const imported = await life.importFromCarrier!({ e164: FRESH, label: 'kept', source: twilio });
    const record = state.phoneNumbers.find((number) => number.phone_number === FRESH)!;
    expect(imported).toMatchObject({ provider: 'elevenlabs', providerId: record.phone_number_id, e164: FRESH, label: 'kept', origin: 'twilio' });
    expect(posts(NUMBERS)).toHaveLength(1);
  });

  it('offers no purchase: the API sells no numbers', async () => {
    const { life } = await start();
    expect(life.buy).toBeUndefined();
    expect(capabilitiesOf('elevenlabs').lifecycle.buy).toBe(false);
  });
});

describe('credentials sent in a create never reach an error', () => {
  /** A provider that quotes the request body back in its error, as a careless upstream might. */
  function echoing(provider: { routes: { method: string; path: string; handler: unknown }[] }, path: string, status: number, body: (request: FakeRequest) => unknown): void {
    provider.routes = provider.routes.map((route) => (route.method === 'POST' && route.path === path ? { ...route, handler: (request: FakeRequest) => ({ status, body: body(request) }) } : route));
  }

  it('Vapi: the Twilio auth token quoted back in a 400 is shown as ***', async () => {
    const provider = createVapiFake();
    echoing(provider, '/phone-number', 400, (request) => ({ statusCode: 400, message: [`bad credentials ${JSON.stringify(request.body)}`], error: 'Bad Request' }));
    fake = await startFakeServer(provider, memoryState(vapiStateFromSeed(plan)));
    const life = lifecycleOf(createVapiAdapter({ apiKey: SANDBOX_KEYS.vapi, baseUrl: fake.url, http: http() }));
    const error = await rejection(life.importFromCarrier({ e164: FRESH, source: twilio }));
    expect(error.message).toContain('bad credentials');
    expect(error.message).toContain('***');
    expect(error.message).not.toContain(SANDBOX_KEYS.twilioAuthToken);
  });

  it('Retell: the generated SIP password quoted back in a 400 is shown as ***', async () => {
    const provider = createRetellFake();
    echoing(provider, '/import-phone-number', 400, (request) => ({ status: 'error', message: `cannot reach trunk with ${JSON.stringify(request.body)}` }));
    fake = await startFakeServer(provider, memoryState(retellStateFromSeed(plan)));
    const life = lifecycleOf(createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: fake.url, http: http() }));
    const error = await rejection(life.importFromCarrier({ e164: FRESH, source: twilio, trunk }));
    expect(error.message).toContain('cannot reach trunk');
    expect(error.message).not.toContain(trunk.password);
  });

  it('ElevenLabs: the Twilio auth token quoted back in a 422 is shown as ***', async () => {
    const provider = createElevenLabsFake();
    echoing(provider, '/v1/convai/phone-numbers', 422, (request) => ({ detail: [{ loc: ['body', 'token'], msg: `bad credentials ${JSON.stringify(request.body)}`, type: 'value_error' }] }));
    fake = await startFakeServer(provider, memoryState(elevenlabsStateFromSeed(plan)));
    const life = lifecycleOf(createElevenLabsAdapter({ apiKey: SANDBOX_KEYS.elevenlabs, baseUrl: fake.url, http: http() }));
    const error = await rejection(life.importFromCarrier({ e164: FRESH, source: twilio }));
    expect(error.message).toContain('token: bad credentials');
    expect(error.message).toContain('***');
    expect(error.message).not.toContain(SANDBOX_KEYS.twilioAuthToken);
  });

  it('Bland: the auth token quoted back by Create Encrypted Key is shown as ***', async () => {
    const provider = createBlandFake();
    echoing(provider, '/v1/accounts', 400, (request) => ({ status: 'error', message: `Twilio refused ${JSON.stringify(request.body)}` }));
    fake = await startFakeServer(provider, memoryState(blandStateFromSeed(plan)));
    const life = lifecycleOf(createBlandAdapter({ apiKey: SANDBOX_KEYS.bland, baseUrl: fake.url, http: http() }));
    const error = await rejection(life.importFromCarrier({ e164: FRESH, source: twilio }));
    expect(error.message).toContain('Twilio refused');
    expect(error.message).not.toContain(SANDBOX_KEYS.twilioAuthToken);
  });
});

describe('the adapters offer exactly the lifecycle operations their descriptors declare', () => {
  it('Retell, Vapi, Bland and ElevenLabs: buy (not ElevenLabs), import and release, and no search (they pick the number themselves)', () => {
    const adapters = {
      retell: createRetellAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }),
      vapi: createVapiAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }),
      bland: createBlandAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }),
      elevenlabs: createElevenLabsAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' }),
    };
    expect(Object.keys(adapters)).toHaveLength(4);
    for (const [name, adapter] of Object.entries(adapters)) {
      const declared = capabilitiesOf(name as 'retell' | 'vapi' | 'bland' | 'elevenlabs').lifecycle;
      const offered = adapter.lifecycle!;
      expect({ buy: typeof offered.buy === 'function', import: typeof offered.importFromCarrier === 'function', release: typeof offered.release === 'function' }, name).toEqual({ buy: declared.buy, import: declared.import, release: declared.release });
      // An import the descriptor routes somewhere is one the adapter offers.
      expect(declared.importVia !== null, name).toBe(typeof offered.importFromCarrier === 'function');
      expect(offered.searchAvailable, name).toBeUndefined();
    }
  });
});
