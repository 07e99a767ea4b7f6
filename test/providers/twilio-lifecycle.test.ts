import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import { resolveCredentials } from '../../src/providers/credentials.js';
import { baseUrls, createAdapter } from '../../src/providers/registry.js';
import { createTwilioAdapter, type TwilioAdapter, type TwilioAdapterSettings } from '../../src/providers/twilio/index.js';
import type { CreatedResource, VoiceRouting } from '../../src/providers/types.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createTwilioFake, twilioStateFromSeed, type TwilioState } from '../../src/sandbox/fakes/twilio.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { rejection } from '../helpers/await.js';

/**
 * The Twilio adapter's lifecycle (search, buy, release) and trunking (the pieces of a SIP-trunk
 * import and their undo, voice routing read and restore) against the sandbox fake over real HTTP.
 * The fake's state is in memory, so each assertion reads what Twilio would now hold.
 */

const plan = buildSeedPlan(40);
const accountSid = plan.twilioAccountSid;
const planTwilio = plan.numbers.filter((number) => number.provider === 'twilio');
const importedInto = (number: SeedNumber) => plan.numbers.find((other) => other.provider !== 'twilio' && other.importedFromTwilio && other.e164 === number.e164)?.provider;
/** A number answered by a TwiML app, one by a webhook URL (Vapi's import), one on a trunk (Retell's). */
const onApp = planTwilio.find((number) => importedInto(number) === undefined && number.slots.inbound[0]?.agentId.startsWith('AP'))!;
const onUrl = planTwilio.find((number) => importedInto(number) === 'vapi')!;
const onTrunk = planTwilio.find((number) => importedInto(number) === 'retell')!;
const STRONG_PASSWORD = 'Sandbox-pass-2026';

let state: TwilioState;
let fake: RunningFake;

beforeEach(async () => {
  state = twilioStateFromSeed(plan);
  fake = await startFakeServer(createTwilioFake(), memoryState(state));
});

afterEach(async () => {
  await fake.close();
});

function adapter(overrides: Partial<TwilioAdapterSettings> = {}): TwilioAdapter {
  return createTwilioAdapter({
    accountSid,
    username: accountSid,
    password: SANDBOX_KEYS.twilioAuthToken,
    apiBaseUrl: fake.url,
    routesBaseUrl: fake.url,
    trunkingBaseUrl: fake.url,
    http: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000, sleep: async () => {} },
    ...overrides,
  });
}

const record = (sid: string) => state.incomingPhoneNumbers.find((entry) => entry.sid === sid);
const writes = () => fake.log.filter((entry) => entry.method !== 'GET');
const requestsTo = (method: string, pathEnd: string) => fake.requests.filter((entry) => entry.method === method && entry.path.endsWith(pathEnd));

describe('twilio lifecycle: search, buy, release', () => {
  it('searches local numbers by area code: the same candidates each time, with locality and capabilities', async () => {
    const { lifecycle } = adapter();
    const first = await lifecycle.searchAvailable!({ areaCode: '212' });
    expect(first.length).toBe(5);
    expect(first[0]).toEqual({ e164: '+12125550100', locality: 'New York', region: 'NY', capabilities: { voice: true, sms: true } });
    expect(first.every((entry) => entry.e164.startsWith('+1212'))).toBe(true);
    expect(await lifecycle.searchAvailable!({ areaCode: '212' })).toEqual(first);
    const sent = requestsTo('GET', '/AvailablePhoneNumbers/US/Local.json')[0]!;
    expect(new URLSearchParams(sent.query).get('AreaCode')).toBe('212');
  });

  it('searches toll-free numbers on the TollFree list, and Canadian ones by country', async () => {
    const { lifecycle } = adapter();
    const tollFree = await lifecycle.searchAvailable!({ tollFree: true });
    expect(tollFree.length).toBeGreaterThan(0);
    expect(tollFree.every((entry) => entry.e164.startsWith('+1833') && entry.capabilities.sms === false)).toBe(true);
    expect(requestsTo('GET', '/AvailablePhoneNumbers/US/TollFree.json')).toHaveLength(1);
    const canadian = await lifecycle.searchAvailable!({ country: 'CA', areaCode: '604' });
    expect(canadian[0]).toMatchObject({ locality: 'Vancouver', region: 'BC' });
  });

  it('buys the first number of an area code: one POST of AreaCode and FriendlyName, and the number is then in the account (and off the candidates)', async () => {
    const { lifecycle } = adapter();
    const bought = await lifecycle.buy!({ areaCode: '415', label: 'new line' });
    expect(bought).toMatchObject({ provider: 'twilio', e164: '+14155550100', label: 'new line', status: 'in-use', slots: { inbound: [], outbound: [], sms: [] } });
    expect(bought.providerId).toMatch(/^PN[0-9a-f]{32}$/);
    const posts = requestsTo('POST', '/IncomingPhoneNumbers.json');
    expect(posts.map((entry) => [entry.body, entry.responseStatus])).toEqual([[{ AreaCode: '415', FriendlyName: 'new line' }, 201]]);
    expect(record(bought.providerId)?.phone_number).toBe('+14155550100');
    const offered = await lifecycle.searchAvailable!({ areaCode: '415' });
    expect(offered.map((entry) => entry.e164)).not.toContain('+14155550100');
  });

  it('buys an exact number, and refuses one the account already holds as a 400 ProviderError', async () => {
    const { lifecycle } = adapter();
    const bought = await lifecycle.buy!({ e164: '+13035550199' });
    expect(bought.e164).toBe('+13035550199');
    expect(requestsTo('POST', '/IncomingPhoneNumbers.json')[0]!.body).toEqual({ PhoneNumber: '+13035550199' });
    const error = await rejection(lifecycle.buy!({ e164: '+13035550199' }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(400);
    expect(state.incomingPhoneNumbers.filter((entry) => entry.phone_number === '+13035550199')).toHaveLength(1);
  });

  it('releases a number with one DELETE (204): it leaves the account; releasing it again succeeds (404 is gone already)', async () => {
    const { lifecycle } = adapter();
    const target = planTwilio[0]!;
    await lifecycle.release!({ providerId: target.id, e164: target.e164 });
    expect(record(target.id)).toBeUndefined();
    expect(state.routes.some((route) => route.phone_number === target.e164)).toBe(false);
    await lifecycle.release!({ providerId: target.id, e164: target.e164 });
    expect(fake.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status)).toEqual([204, 404]);
  });

  it('never repeats a create whose answer may have been applied: a 5xx or a lost answer fails the buy after one POST, and no second number exists', async () => {
    const { lifecycle } = adapter();
    fake.setFaults({ pathContains: '/IncomingPhoneNumbers.json', serverError: { count: 1, status: 503 } });
    expect(await rejection(lifecycle.buy!({ areaCode: '206' }))).toBeInstanceOf(ProviderError);
    expect(requestsTo('POST', '/IncomingPhoneNumbers.json')).toHaveLength(1);

    // The answer is lost after Twilio applied the buy: a blind retry would buy a second number.
    fake.setFaults({ loseWriteAnswer: { count: 1, as: 'reset' } });
    expect(await rejection(lifecycle.buy!({ areaCode: '206' }))).toBeInstanceOf(ProviderError);
    expect(requestsTo('POST', '/IncomingPhoneNumbers.json')).toHaveLength(2);
    expect(state.incomingPhoneNumbers.filter((entry) => entry.phone_number.startsWith('+1206555'))).toHaveLength(1);
  });

  it('does retry a create refused with 429 (Twilio did not process it), and an update after a 5xx', async () => {
    const twilio = adapter();
    fake.setFaults({ pathContains: '/IncomingPhoneNumbers.json', rateLimit: { count: 1, retryAfterSeconds: null } });
    const bought = await twilio.lifecycle.buy!({ areaCode: '617' });
    expect(requestsTo('POST', '/IncomingPhoneNumbers.json').map((entry) => entry.responseStatus)).toEqual([429, 201]);
    // The first write after this (the restore's update; its read before is no write) answers 500.
    fake.setFaults({ failWrite: { nth: 1 } });
    await twilio.trunking.restoreVoiceRouting(bought.providerId, { voiceUrl: 'https://example.com/voice', voiceMethod: 'GET', voiceApplicationSid: null, trunkSid: null });
    expect(requestsTo('POST', `/IncomingPhoneNumbers/${bought.providerId}.json`).map((entry) => entry.responseStatus)).toEqual([500, 200]);
    expect(record(bought.providerId)).toMatchObject({ voice_url: 'https://example.com/voice', voice_method: 'GET' });
  });
});

describe('twilio trunking: the pieces of an import, and their undo', () => {
  /** Every create of an import, in order, with what each made. */
  async function createAll(twilio: TwilioAdapter, number: SeedNumber) {
    const t = twilio.trunking;
    const trunk = await t.createTrunk({ friendlyName: 'voicenum-import-1', domainName: 'voicenum-import-1.pstn.twilio.com' });
    const origination = await t.addOriginationUrl(trunk.sid, { friendlyName: 'retell', sipUrl: 'sip:sip.retellai.com;transport=tcp', priority: 10, weight: 10, enabled: true });
    const list = await t.createCredentialList('voicenum-import-1');
    const credential = await t.addCredential(list.sid, 'voicenum', STRONG_PASSWORD);
    const attachedList = await t.attachCredentialList(trunk.sid, list.sid);
    const attachedNumber = await t.attachPhoneNumber(trunk.sid, number.id);
    return { trunk, origination, list, credential, attachedList, attachedNumber };
  }

  it('each create makes its resource at the fake and answers what its undo needs', async () => {
    const made = await createAll(adapter(), onApp);
    expect(made.trunk).toEqual({ kind: 'trunk', sid: expect.stringMatching(/^TK[0-9a-f]{32}$/), domainName: 'voicenum-import-1.pstn.twilio.com' });
    expect(made.origination).toEqual({ kind: 'origination-url', sid: expect.stringMatching(/^OU/), parentSid: made.trunk.sid });
    expect(made.list).toEqual({ kind: 'credential-list', sid: expect.stringMatching(/^CL/) });
    expect(made.credential).toEqual({ kind: 'credential', sid: expect.stringMatching(/^CR/), parentSid: made.list.sid });
    expect(made.attachedList).toEqual({ kind: 'trunk-credential-list', sid: made.list.sid, parentSid: made.trunk.sid });
    expect(made.attachedNumber).toEqual({ kind: 'trunk-phone-number', sid: onApp.id, parentSid: made.trunk.sid });

    expect(state.trunks.find((trunk) => trunk.sid === made.trunk.sid)).toMatchObject({ domain_name: 'voicenum-import-1.pstn.twilio.com', friendly_name: 'voicenum-import-1' });
    expect(state.originationUrls).toEqual([expect.objectContaining({ sid: made.origination.sid, trunk_sid: made.trunk.sid, sip_url: 'sip:sip.retellai.com;transport=tcp', priority: 10, weight: 10, enabled: true })]);
    expect(state.credentialLists.map((entry) => entry.sid)).toEqual([made.list.sid]);
    expect(state.credentials).toEqual([expect.objectContaining({ sid: made.credential.sid, credential_list_sid: made.list.sid, username: 'voicenum' })]);
    expect(state.trunkCredentialLists).toEqual([expect.objectContaining({ sid: made.list.sid, trunk_sid: made.trunk.sid })]);
    // Attaching the number points its calls at the trunk and drops its voice application.
    expect(record(onApp.id)).toMatchObject({ trunk_sid: made.trunk.sid, voice_application_sid: '' });
    // The password went to Twilio in the form, and is answered nowhere.
    expect(fake.requests.filter((entry) => entry.responseBody?.includes(STRONG_PASSWORD))).toEqual([]);
  });

  it('remove undoes each create, newest first, until the fake holds none of them; removing them again succeeds on 404s', async () => {
    const twilio = adapter();
    const made = await createAll(twilio, onApp);
    const newestFirst: CreatedResource[] = [made.attachedNumber, made.attachedList, made.credential, made.list, made.origination, made.trunk];
    for (const resource of newestFirst) await twilio.trunking.remove(resource);
    expect(record(onApp.id)!.trunk_sid).toBeNull();
    expect(state.trunks.map((trunk) => trunk.sid)).not.toContain(made.trunk.sid);
    expect([state.originationUrls, state.credentialLists, state.credentials, state.trunkCredentialLists]).toEqual([[], [], [], []]);
    const deletes = () => fake.log.filter((entry) => entry.method === 'DELETE').map((entry) => entry.status);
    expect(deletes()).toEqual([204, 204, 204, 204, 204, 204]);

    for (const resource of newestFirst) await twilio.trunking.remove(resource);
    expect(deletes().slice(6)).toEqual([404, 404, 404, 404, 404, 404]);
  });

  it('remove of a resource whose parent is gone also succeeds (the trunk took its origination URL with it)', async () => {
    const twilio = adapter();
    const trunk = await twilio.trunking.createTrunk({ friendlyName: 'voicenum-x', domainName: 'voicenum-x.pstn.twilio.com' });
    const origination = await twilio.trunking.addOriginationUrl(trunk.sid, { friendlyName: 'o', sipUrl: 'sip:sip.retellai.com', priority: 1, weight: 1, enabled: true });
    await twilio.trunking.remove(trunk);
    await twilio.trunking.remove(origination);
    expect(state.originationUrls).toEqual([]);
  });

  it('a second trunk with a domain name in use is refused (409), and nothing is made', async () => {
    const twilio = adapter();
    await twilio.trunking.createTrunk({ friendlyName: 'voicenum-a', domainName: 'voicenum-dup.pstn.twilio.com' });
    const error = await rejection(twilio.trunking.createTrunk({ friendlyName: 'voicenum-b', domainName: 'voicenum-dup.pstn.twilio.com' }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(409);
    expect(state.trunks.filter((trunk) => trunk.domain_name === 'voicenum-dup.pstn.twilio.com')).toHaveLength(1);
  });

  it('a weak SIP password is refused with 400 (under 12 characters, no digit, or one case only), and no credential is made', async () => {
    const twilio = adapter();
    const list = await twilio.trunking.createCredentialList('voicenum-pw');
    for (const weak of ['Short1aB', 'no-digits-HereAtAll', 'all-lower-case-1234', 'ALL-UPPER-CASE-1234']) {
      const error = await rejection(twilio.trunking.addCredential(list.sid, 'voicenum', weak));
      expect((error as ProviderError).status, weak).toBe(400);
    }
    expect(state.credentials).toEqual([]);
    await twilio.trunking.addCredential(list.sid, 'voicenum', STRONG_PASSWORD);
    expect(state.credentials).toHaveLength(1);
  });

  it('listTrunks finds the trunks whose friendly name has the prefix, with the numbers on each', async () => {
    const twilio = adapter();
    const made = await createAll(twilio, onApp);
    const found = await twilio.trunking.listTrunks('voicenum-');
    expect(found).toEqual([{ sid: made.trunk.sid, domainName: 'voicenum-import-1.pstn.twilio.com', friendlyName: 'voicenum-import-1', phoneNumberSids: [onApp.id] }]);
    // The seeded Retell trunk has another name: it is not voicenum's to reuse.
    expect((await twilio.trunking.listTrunks('retell-')).map((trunk) => trunk.phoneNumberSids.length)).toEqual([planTwilio.filter((number) => importedInto(number) === 'retell').length]);
  });
});

describe('twilio trunking: voice routing read and restore', () => {
  async function roundTrip(number: SeedNumber): Promise<{ saved: VoiceRouting; before: unknown; after: unknown }> {
    const twilio = adapter();
    const pick = (sid: string) => {
      const { voice_url, voice_method, voice_application_sid, trunk_sid } = record(sid)!;
      return { voice_url, voice_method, voice_application_sid, trunk_sid };
    };
    const before = pick(number.id);
    const saved = await twilio.trunking.readVoiceRouting(number.id);
    const trunk = await twilio.trunking.createTrunk({ friendlyName: 'voicenum-rt', domainName: 'voicenum-rt.pstn.twilio.com' });
    await twilio.trunking.attachPhoneNumber(trunk.sid, number.id);
    expect(record(number.id)!.trunk_sid).toBe(trunk.sid);
    await twilio.trunking.restoreVoiceRouting(number.id, saved);
    return { saved, before, after: pick(number.id) };
  }

  it('a number answered by a TwiML app: attached to a trunk (which drops the app), then restored: trunk detached first, app back', async () => {
    const { saved, before, after } = await roundTrip(onApp);
    expect(saved).toEqual({ voiceUrl: null, voiceMethod: 'POST', voiceApplicationSid: onApp.slots.inbound[0]!.agentId, trunkSid: null });
    expect(after).toEqual(before);
    // Detaching went through Trunking v1 before the 2010 update that puts the app back.
    const restoreWrites = writes().slice(2).map((entry) => `${entry.method} ${entry.path.replace(/[A-Z]{2}[0-9a-f]{32}/g, 'SID')}`);
    expect(restoreWrites).toEqual(['DELETE /v1/Trunks/SID/PhoneNumbers/SID', `POST /2010-04-01/Accounts/SID/IncomingPhoneNumbers/SID.json`]);
  });

  it('a number answered by a webhook URL gets its URL and method back exactly', async () => {
    const { saved, before, after } = await roundTrip(onUrl);
    expect(saved.voiceUrl).toBe('https://api.vapi.ai/twilio/inbound_call');
    expect(after).toEqual(before);
  });

  it('a number that was on another trunk goes back to that trunk', async () => {
    const { saved, before, after } = await roundTrip(onTrunk);
    expect(saved.trunkSid).toBe(state.trunks[0]!.sid);
    expect(after).toEqual(before);
  });
});

describe('the fake’s failWrite switch', () => {
  it('fails exactly the k-th write request with 500, applying nothing; the writes before and after go through', async () => {
    const twilio = adapter({ http: { maxAttempts: 1 } });
    fake.setFaults({ failWrite: { nth: 3 } });
    const trunk = await twilio.trunking.createTrunk({ friendlyName: 'voicenum-f', domainName: 'voicenum-f.pstn.twilio.com' });
    const list = await twilio.trunking.createCredentialList('voicenum-f');
    const error = await rejection(twilio.trunking.addOriginationUrl(trunk.sid, { friendlyName: 'o', sipUrl: 'sip:sip.retellai.com', priority: 1, weight: 1, enabled: true }));
    expect((error as ProviderError).status).toBe(500);
    expect(state.originationUrls).toEqual([]);
    await twilio.trunking.addOriginationUrl(trunk.sid, { friendlyName: 'o', sipUrl: 'sip:sip.retellai.com', priority: 1, weight: 1, enabled: true });
    await twilio.trunking.remove(list);
    expect(writes().map((entry) => entry.status)).toEqual([201, 201, 500, 201, 204]);
  });

  it('counts DELETEs and reads do not count; a 4xx status fails the step even where the client retries', async () => {
    const twilio = adapter();
    fake.setFaults({ failWrite: { nth: 2, status: 400 } });
    const bought = await twilio.lifecycle.buy!({ areaCode: '404' });
    await twilio.trunking.readVoiceRouting(bought.providerId);
    const error = await rejection(twilio.lifecycle.release!({ providerId: bought.providerId, e164: bought.e164 }));
    expect((error as ProviderError).status).toBe(400);
    expect(record(bought.providerId)).toBeDefined();
    await twilio.lifecycle.release!({ providerId: bought.providerId, e164: bought.e164 });
    expect(record(bought.providerId)).toBeUndefined();
    expect(writes().map((entry) => entry.status)).toEqual([201, 400, 204]);
  });
});

describe('the Trunking v1 base URL', () => {
  it('defaults to https://trunking.twilio.com and is replaced by VOICENUM_TWILIO_TRUNKING_BASE_URL, which the registry hands the adapter', async () => {
    expect(baseUrls({}).twilioTrunking).toBe('https://trunking.twilio.com');
    // The 2010 API is pointed nowhere: only the trunking variable can bring the request to the fake.
    const env = { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: SANDBOX_KEYS.twilioAuthToken, VOICENUM_TWILIO_API_BASE_URL: 'http://127.0.0.1:9', VOICENUM_TWILIO_TRUNKING_BASE_URL: fake.url };
    const twilio = (await createAdapter('twilio', resolveCredentials(env), env, { maxAttempts: 1 }))!;
    const trunks = await twilio.trunking!.listTrunks('retell-');
    expect(trunks.map((trunk) => trunk.sid)).toEqual([state.trunks[0]!.sid]);
    expect(fake.requests.map((entry) => entry.path)).toEqual(['/v1/Trunks', `/v1/Trunks/${state.trunks[0]!.sid}/PhoneNumbers`]);
  });
});
