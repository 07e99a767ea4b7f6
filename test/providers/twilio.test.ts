import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ProviderError, VoicenumError } from '../../src/domain/errors.js';
import type { RemoteNumber } from '../../src/domain/model.js';
import { createTwilioAdapter, type TwilioAdapterSettings } from '../../src/providers/twilio/index.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FakeProvider, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createTwilioFake, sidFor, TWILIO_SANDBOX_API_KEY, twilioStateFromSeed, type TwilioIncomingPhoneNumber, type TwilioState } from '../../src/sandbox/fakes/twilio.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { rejection } from '../helpers/await.js';

const plan = buildSeedPlan(40);
const accountSid = plan.twilioAccountSid;
const planTwilio = plan.numbers.filter((number) => number.provider === 'twilio');
const planApps = plan.agents.filter((agent) => agent.provider === 'twilio');
const importedInto = (number: SeedNumber) => plan.numbers.find((other) => other.provider !== 'twilio' && other.importedFromTwilio && other.e164 === number.e164)?.provider;
const twilioOnly = planTwilio.filter((number) => importedInto(number) === undefined);
const retellCarriers = planTwilio.filter((number) => importedInto(number) === 'retell');
const vapiCarriers = planTwilio.filter((number) => importedInto(number) === 'vapi');
const apps = {
  ivr: planApps.find((agent) => agent.name === 'main-ivr')!.id,
  smsBot: planApps.find((agent) => agent.name === 'sms-bot')!.id,
  receptionist: planApps.find((agent) => agent.name === 'receptionist')!.id,
};

let state: TwilioState;
let fake: RunningFake;
let sleeps: number[];

async function startWith(provider: FakeProvider<TwilioState> = createTwilioFake()): Promise<void> {
  fake = await startFakeServer(provider, memoryState(state));
}

beforeEach(async () => {
  state = twilioStateFromSeed(plan);
  sleeps = [];
  await startWith();
});

afterEach(async () => {
  await fake.close();
});

function adapter(overrides: Partial<TwilioAdapterSettings> = {}) {
  return createTwilioAdapter({
    accountSid,
    username: accountSid,
    password: SANDBOX_KEYS.twilioAuthToken,
    apiBaseUrl: fake.url,
    routesBaseUrl: fake.url,
    http: {
      baseDelayMs: 1,
      maxDelayMs: 5000,
      timeoutMs: 2000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
    ...overrides,
  });
}

const keyOf = (number: SeedNumber) => ({ providerId: number.id, e164: number.e164 });
const numbersPath = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
const numberPath = (sid: string) => `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const goodAuth = basic(accountSid, SANDBOX_KEYS.twilioAuthToken);

async function raw(path: string, init: { method?: string; authorization?: string | null; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  if (init.authorization !== null) headers.Authorization = init.authorization ?? goodAuth;
  if (init.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(`${fake.url}${path}`, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const count = (predicate: (entry: RunningFake['log'][number]) => boolean) => fake.log.filter(predicate).length;

describe('twilio adapter: reading', () => {
  it('follows every page of numbers and applications and reads each region', async () => {
    const snapshot = await adapter({ pageSize: 2 }).fetchAll();

    expect(snapshot.skipped).toEqual([]);
    expect(snapshot.numbers.map((number) => number.providerId).sort()).toEqual(planTwilio.map((number) => number.id).sort());
    const appAgents = snapshot.agents.filter((agent) => agent.kind === 'twiml-app');
    expect(appAgents.map((agent) => agent.id).sort()).toEqual(planApps.map((agent) => agent.id).sort());
    expect(count((entry) => entry.path === numbersPath)).toBe(Math.ceil(planTwilio.length / 2));
    expect(count((entry) => entry.path.endsWith('/Applications.json'))).toBe(Math.ceil(planApps.length / 2));
    expect(count((entry) => entry.path.startsWith('/v2/PhoneNumbers/'))).toBe(planTwilio.length);
    expect(snapshot.requests).toBe(fake.log.length);
  });

  it('a failed region read cancels the others in flight: the failure is reported and the hung read is never retried', async () => {
    // The first region read hangs, the second answers a body that is not JSON.
    fake.setFaults({ pathContains: '/v2/PhoneNumbers/', hang: { count: 1 }, malformed: { count: 1 } });
    const error = await rejection(adapter({ regionConcurrency: 4 }).fetchAll());
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^twilio: GET \/v2\/PhoneNumbers\/.* answered HTTP 200 with a body that is not JSON/);
    const hung = fake.log.find((entry) => entry.status === 'hang')!;
    expect(hung).toBeDefined();
    // Uncancelled, it would time out (2 s here) and be asked again before fetchAll settled.
    expect(count((entry) => entry.path === hung.path)).toBe(1);
  });

  it('stops with a ProviderError when a next_page_uri comes back', async () => {
    fake.setFaults({ stuckPaging: { pathContains: '/IncomingPhoneNumbers.json' } });
    const error = await rejection(adapter({ pageSize: 2 }).fetchAll());

    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^twilio: listing incoming_phone_numbers: paging did not advance/);
    expect(count((entry) => entry.path === numbersPath)).toBe(2);
  });

  it('asks for the largest page Twilio allows, and the fake caps larger ones at 1000', async () => {
    const pageSizes: (string | null)[] = [];
    const provider = createTwilioFake();
    const list = provider.routes.find((route) => route.path.endsWith('/IncomingPhoneNumbers.json'))!;
    const original = list.handler;
    list.handler = (request, current, changes) => {
      pageSizes.push(request.query.get('PageSize'));
      return original(request, current, changes);
    };
    await fake.close();
    await startWith(provider);

    const snapshot = await adapter().fetchAll();
    expect(snapshot.numbers).toHaveLength(planTwilio.length);
    expect(pageSizes).toEqual(['1000']);

    const capped = await raw(`${numbersPath}?PageSize=5000`);
    expect(capped.body.page_size).toBe(1000);
    const refused = await raw(`${numbersPath}?PageSize=0`);
    expect(refused.status).toBe(400);
  });

  it('pages the 2010 list in the spec envelope, with PageToken in next_page_uri', async () => {
    const first = await raw(`${numbersPath}?PageSize=3`);
    expect(first.body).toMatchObject({ page: 0, page_size: 3, start: 0, end: 2, previous_page_uri: null });
    expect(first.body.first_page_uri).toBe(`${numbersPath}?PageSize=3&Page=0`);
    const next = String(first.body.next_page_uri);
    const lastSid = (first.body.incoming_phone_numbers as TwilioIncomingPhoneNumber[])[2]!.sid;
    expect(next).toBe(`${numbersPath}?PageSize=3&Page=1&PageToken=PA${lastSid}`);
    const second = await raw(next);
    expect(second.body).toMatchObject({ page: 1, start: 3, end: 5 });
    const firstSids = (first.body.incoming_phone_numbers as TwilioIncomingPhoneNumber[]).map((record) => record.sid);
    const secondSids = (second.body.incoming_phone_numbers as TwilioIncomingPhoneNumber[]).map((record) => record.sid);
    expect(secondSids).toHaveLength(3);
    expect(secondSids.every((sid) => sid > lastSid && !firstSids.includes(sid))).toBe(true);
  });

  it('maps numbers, slots and agents as the seed plan describes them', async () => {
    const snapshot = await adapter().fetchAll();
    const byId = new Map(snapshot.numbers.map((number) => [number.providerId, number]));
    // The loops below check each kind of seeded number; an empty kind would pass them on nothing.
    expect([twilioOnly.length, retellCarriers.length, vapiCarriers.length].every((count) => count > 0)).toBe(true);
    for (const seeded of planTwilio) {
      const number = byId.get(seeded.id)!;
      expect(number).toMatchObject({
        provider: 'twilio',
        e164: seeded.e164,
        label: seeded.label,
        status: 'in-use',
        origin: 'twilio',
        region: seeded.regionUnknown ? null : seeded.region,
        fallback: seeded.fallback,
        capabilities: { voice: seeded.voiceCapable, sms: seeded.smsCapable },
      });
      expect(number.slots.outbound).toEqual([]);
    }
    // The doctor's case routed to the import trunk by its routing, not its slots, is checked below.
    for (const seeded of twilioOnly) {
      if (seeded.carrierRouting !== 'import-trunk') expect(byId.get(seeded.id)!.slots.inbound).toEqual(seeded.slots.inbound);
      expect(byId.get(seeded.id)!.slots.sms).toEqual(seeded.slots.sms);
    }
    // Retell imports route calls over an Elastic SIP trunk: that trunk is the number's inbound agent.
    const trunk = sidFor('TK', `${accountSid}:retell-elastic-sip`);
    for (const seeded of retellCarriers) expect(byId.get(seeded.id)!.slots.inbound).toEqual(seeded.carrierRouting === 'own-slots' ? seeded.slots.inbound : [{ agentId: trunk, weight: 1 }]);
    const onTrunk = twilioOnly.filter((seeded) => seeded.carrierRouting === 'import-trunk');
    expect(onTrunk).toHaveLength(1);
    for (const seeded of onTrunk) expect(byId.get(seeded.id)!.slots.inbound).toEqual([{ agentId: trunk, weight: 1 }]);
    // Vapi imports point voice_url at Vapi's webhook: no Twilio agent holds them.
    for (const seeded of vapiCarriers) expect(byId.get(seeded.id)!.slots.inbound).toEqual([]);
    expect(snapshot.agents).toContainEqual({ provider: 'twilio', id: trunk, name: trunk, kind: 'sip-trunk', live: null });
    expect(snapshot.agents).toContainEqual({ provider: 'twilio', id: apps.ivr, name: 'main-ivr', kind: 'twiml-app', live: null });
    // null: the doctor's case that Routes v2 has no region for.
    expect(new Set(snapshot.numbers.map((number) => number.region))).toEqual(new Set(['us1', 'ie1', 'au1', null]));
  });

  it('skips and reports malformed records, and still returns the others', async () => {
    const template = state.incomingPhoneNumbers[0]!;
    state.incomingPhoneNumbers.push({ ...template, sid: sidFor('PN', 'bad-number'), phone_number: '555-0100' });
    state.incomingPhoneNumbers.push({ ...template, sid: undefined as unknown as string, phone_number: '+14155550199' });

    // A page size that leaves the record without a sid inside a page (not the last of one, nor alone
    // on the last): the fake's next PageToken is the last record's sid. It depends on the seed's size.
    const snapshot = await adapter({ pageSize: 10 }).fetchAll();

    expect(snapshot.numbers).toHaveLength(planTwilio.length);
    expect(snapshot.skipped).toHaveLength(2);
    expect(snapshot.skipped).toContainEqual({ provider: 'twilio', kind: 'number', id: sidFor('PN', 'bad-number'), reason: 'phoneNumber: phone_number is not an E.164 number' });
    expect(snapshot.skipped.find((record) => record.id === '+14155550199')?.reason).toMatch(/^sid:/);
    expect(count((entry) => entry.path === '/v2/PhoneNumbers/555-0100')).toBe(0);
  });

  it('treats a page that is not JSON as a provider error', async () => {
    fake.setFaults({ pathContains: 'IncomingPhoneNumbers.json', malformed: { count: 1 } });
    const error = await rejection(adapter().fetchAll());
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^twilio: GET .*IncomingPhoneNumbers\.json answered HTTP 200 with a body that is not JSON/);
  });

  it('treats a page without its list as a provider error', async () => {
    const provider = createTwilioFake();
    provider.routes.unshift({ method: 'GET', path: '/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers.json', handler: () => ({ status: 200, body: { page: 0, numbers: [{ sid: 'x' }] } }) });
    await fake.close();
    await startWith(provider);
    const error = await rejection(adapter().fetchAll());
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe('twilio: a incoming_phone_numbers page came without its incoming_phone_numbers list');
  });

  it('reads one number with its region', async () => {
    const seeded = twilioOnly.find((number) => number.region === 'au1')!;
    const number = await adapter().readNumber(keyOf(seeded));
    expect(number).toMatchObject({ providerId: seeded.id, e164: seeded.e164, region: 'au1', label: seeded.label });
    expect(fake.log.map((entry) => entry.path).sort()).toEqual([numberPath(seeded.id), `/v2/PhoneNumbers/${seeded.e164}`].sort());
  });
});

describe('twilio adapter: the HTTP layer underneath the SDK', () => {
  it('retries a 429 after the Retry-After the fake sent', async () => {
    fake.setFaults({ pathContains: 'IncomingPhoneNumbers', rateLimit: { count: 1, retryAfterSeconds: 3 } });
    const seeded = twilioOnly[0]!;
    const number = await adapter().readNumber(keyOf(seeded));
    expect(number.providerId).toBe(seeded.id);
    expect(sleeps).toEqual([3000]);
    expect(fake.log.filter((entry) => entry.path === numberPath(seeded.id)).map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('gives up on a 5xx that never clears with a provider error quoting Twilio', async () => {
    fake.setFaults({ serverError: { count: -1, status: 503 } });
    const error = await rejection(adapter({ http: { maxAttempts: 3, baseDelayMs: 1, timeoutMs: 2000, sleep: async () => {} } }).verifyCredentials());
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect(error.message).toBe(`twilio: GET ${numbersPath} failed with HTTP 503: Internal server error (20503) (after 3 attempts)`);
    expect(fake.log).toHaveLength(3);
  });
});

describe('twilio auth', () => {
  it('answers a wrong token with an AuthError carrying Twilio 401 message', async () => {
    const error = await rejection(adapter({ password: 'not-the-token' }).verifyCredentials());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect(error.message).toBe('twilio rejected the credentials (HTTP 401: Authenticate (20003))');
    expect(error.message).not.toContain('not-the-token');
    expect(fake.log.map((entry) => entry.status)).toEqual([401]);
  });

  it('answers the wrong header form, or none, with its own 401 body', async () => {
    const expected = { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 };
    expect(await raw(numbersPath, { authorization: `Bearer ${SANDBOX_KEYS.twilioAuthToken}` })).toEqual({ status: 401, body: expected });
    expect(await raw(numbersPath, { authorization: SANDBOX_KEYS.twilioAuthToken })).toEqual({ status: 401, body: expected });
    expect(await raw(numbersPath, { authorization: null })).toEqual({ status: 401, body: expected });
    expect(await raw(`/v2/PhoneNumbers/${planTwilio[0]!.e164}`, { authorization: basic(accountSid, 'wrong') })).toEqual({ status: 401, body: expected });
    expect((await raw(numbersPath)).status).toBe(200);
  });

  it('accepts an API key with its secret', async () => {
    const keyed = adapter({ username: TWILIO_SANDBOX_API_KEY.sid, password: TWILIO_SANDBOX_API_KEY.secret });
    await keyed.verifyCredentials();
    expect((await keyed.readNumber(keyOf(twilioOnly[0]!))).providerId).toBe(twilioOnly[0]!.id);
    const wrong = await rejection(adapter({ username: TWILIO_SANDBOX_API_KEY.sid, password: SANDBOX_KEYS.twilioAuthToken }).verifyCredentials());
    expect(wrong).toBeInstanceOf(AuthError);
  });

  it('refuses valid credentials used on another account', async () => {
    const otherAccount = sidFor('AC', 'someone-else');
    const error = await rejection(adapter({ accountSid: otherAccount }).verifyCredentials());
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe('twilio rejected the credentials (HTTP 403: Authenticate (20003))');
  });

  it('refuses an account SID that is not one before calling Twilio', async () => {
    const error = await rejection(adapter({ accountSid: 'SK0123' }).verifyCredentials());
    expect(error).toBeInstanceOf(AuthError);
    expect(fake.log).toHaveLength(0);
  });
});

describe('twilio adapter: writing', () => {
  const current = (number: SeedNumber): RemoteNumber => ({
    provider: 'twilio',
    providerId: number.id,
    e164: number.e164,
    label: number.label,
    status: 'in-use',
    capabilities: { voice: true, sms: number.smsCapable },
    region: number.region ?? null,
    fallback: null,
    origin: 'twilio',
    slots: { inbound: [], outbound: [], sms: [] },
  });
  const app = (agentId: string) => [{ agentId, weight: 1, kind: 'twiml-app' }];

  it('sets the inbound app on a trunked number in one POST, and Twilio drops the trunk', async () => {
    const seeded = retellCarriers[0]!;
    const twilio = adapter();
    const answered = await twilio.writeSlots(keyOf(seeded), { inbound: app(apps.receptionist) }, current(seeded));
    expect(answered.slots.inbound).toEqual([{ agentId: apps.receptionist, weight: 1 }]);
    expect(answered.region).toBe(seeded.region);
    expect(count((entry) => entry.method === 'POST')).toBe(1);
    const record = state.incomingPhoneNumbers.find((entry) => entry.sid === seeded.id)!;
    expect(record.trunk_sid).toBeNull();
    expect((await twilio.readNumber(keyOf(seeded))).slots.inbound).toEqual([{ agentId: apps.receptionist, weight: 1 }]);
  });

  it('sets a trunk, which drops the voice application', async () => {
    const seeded = twilioOnly.find((number) => number.slots.inbound.length > 0)!;
    const trunk = state.trunks[0]!.sid;
    const twilio = adapter();
    await twilio.writeSlots(keyOf(seeded), { inbound: [{ agentId: trunk, weight: 1, kind: 'sip-trunk' }] }, current(seeded));
    const fresh = await twilio.readNumber(keyOf(seeded));
    expect(fresh.slots.inbound).toEqual([{ agentId: trunk, weight: 1 }]);
    expect(state.incomingPhoneNumbers.find((entry) => entry.sid === seeded.id)!.voice_application_sid).toBe('');
  });

  it('sets and clears the sms app and clears inbound', async () => {
    const seeded = twilioOnly.find((number) => number.slots.inbound.length > 0 && number.slots.sms.length === 0)!;
    const twilio = adapter();
    await twilio.writeSlots(keyOf(seeded), { sms: app(apps.smsBot), inbound: [] }, current(seeded));
    let fresh = await twilio.readNumber(keyOf(seeded));
    expect(fresh.slots).toEqual({ inbound: [], outbound: [], sms: [{ agentId: apps.smsBot, weight: 1 }] });
    await twilio.writeSlots(keyOf(seeded), { sms: [] }, fresh);
    fresh = await twilio.readNumber(keyOf(seeded));
    expect(fresh.slots).toEqual({ inbound: [], outbound: [], sms: [] });
  });

  it('refuses an outbound slot as a programming error, without calling Twilio', async () => {
    const seeded = twilioOnly[0]!;
    const error = await rejection(adapter().writeSlots(keyOf(seeded), { outbound: app(apps.ivr) }, current(seeded)));
    expect(error).not.toBeInstanceOf(VoicenumError);
    expect(error.message).toMatch(/no outbound slot/);
    expect(fake.log).toHaveLength(0);
  });

  it('surfaces the fake refusing an unknown application with 21420', async () => {
    const seeded = twilioOnly[0]!;
    const unknownApp = sidFor('AP', 'nobody');
    const error = await rejection(adapter().writeSlots(keyOf(seeded), { inbound: app(unknownApp) }, current(seeded)));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(400);
    expect(error.message).toContain('(21420)');
    const direct = await raw(numberPath(seeded.id), { method: 'POST', form: { SmsApplicationSid: unknownApp } });
    expect(direct).toEqual({ status: 400, body: { code: 21420, message: expect.stringContaining(unknownApp), more_info: 'https://www.twilio.com/docs/errors/21420', status: 400 } });
    expect(state.incomingPhoneNumbers.find((entry) => entry.sid === seeded.id)!.voice_application_sid).toBe(seeded.slots.inbound[0]?.agentId ?? '');
  });

  it('refuses an unknown trunk, a long friendly name and a fallback that is no URL', async () => {
    const sid = twilioOnly[0]!.id;
    const trunk = await raw(numberPath(sid), { method: 'POST', form: { TrunkSid: sidFor('TK', 'nobody') } });
    expect(trunk.status).toBe(404);
    expect(trunk.body.code).toBe(20404);
    const longName = await raw(numberPath(sid), { method: 'POST', form: { FriendlyName: 'x'.repeat(65) } });
    expect(longName.status).toBe(400);
    const badUrl = await raw(numberPath(sid), { method: 'POST', form: { VoiceFallbackUrl: 'not a url' } });
    expect(badUrl.body).toMatchObject({ code: 21502, status: 400 });
    const unknownNumber = await raw(numberPath(sidFor('PN', 'nobody')), { method: 'POST', form: { FriendlyName: 'x' } });
    expect(unknownNumber.body).toMatchObject({ code: 20404, status: 404 });
  });

  const routeReads = () => count((entry) => entry.path.startsWith('/v2/PhoneNumbers/'));
  const record = (sid: string) => state.incomingPhoneNumbers.find((entry) => entry.sid === sid)!;

  it('sets the label with one POST of FriendlyName, keeping the region it knew, and a fresh read shows it', async () => {
    const seeded = twilioOnly.find((number) => number.region !== 'us1')!;
    const twilio = adapter();
    const before = await twilio.readNumber(keyOf(seeded));
    const logged = fake.log.length;
    const answered = await twilio.writeSettings(keyOf(seeded), { label: 'front desk' }, before);

    expect(answered).toEqual({ ...before, label: 'front desk' });
    expect(answered.region).toBe(seeded.region);
    expect(fake.log.slice(logged)).toEqual([{ method: 'POST', path: numberPath(seeded.id), status: 200 }]);
    expect(await twilio.readNumber(keyOf(seeded))).toEqual({ ...before, label: 'front desk' });
  });

  it('sets the voice fallback URL, then clears it with an empty string, each shown by a fresh read', async () => {
    const seeded = twilioOnly[1]!;
    const twilio = adapter();
    const before = await twilio.readNumber(keyOf(seeded));
    const withFallback = await twilio.writeSettings(keyOf(seeded), { fallback: 'https://example.com/fallback' }, before);
    expect(withFallback).toEqual({ ...before, fallback: 'https://example.com/fallback' });
    expect(await twilio.readNumber(keyOf(seeded))).toEqual({ ...before, fallback: 'https://example.com/fallback' });
    expect(record(seeded.id).voice_fallback_url).toBe('https://example.com/fallback');

    const cleared = await twilio.writeSettings(keyOf(seeded), { fallback: null }, withFallback);
    expect(cleared.fallback).toBeNull();
    expect(await twilio.readNumber(keyOf(seeded))).toEqual({ ...before, fallback: null });
    expect(record(seeded.id).voice_fallback_url).toBeNull();
    expect(count((entry) => entry.method === 'POST')).toBe(2);
  });

  it('sets label and fallback in one POST without reading the region again', async () => {
    const seeded = twilioOnly[2]!;
    const twilio = adapter();
    const answered = await twilio.writeSettings(keyOf(seeded), { label: 'night line', fallback: 'https://example.com/night' }, current(seeded));
    expect(answered).toMatchObject({ label: 'night line', fallback: 'https://example.com/night', region: seeded.region ?? null });
    expect(fake.log).toEqual([{ method: 'POST', path: numberPath(seeded.id), status: 200 }]);
    expect(routeReads()).toBe(0);
    expect(await twilio.readNumber(keyOf(seeded))).toMatchObject({ label: 'night line', fallback: 'https://example.com/night' });
  });

  it('clears the label the way Twilio does: the friendly name goes back to the number', async () => {
    const seeded = twilioOnly[0]!;
    const answered = await adapter().writeSettings(keyOf(seeded), { label: null }, current(seeded));
    expect(answered.label).toBe(seeded.e164);
    expect(record(seeded.id).friendly_name).toBe(seeded.e164);
  });

  it('surfaces Twilio refusing a friendly name over 64 characters as a ProviderError', async () => {
    const seeded = twilioOnly[1]!;
    const twilio = adapter();
    const before = await twilio.readNumber(keyOf(seeded));
    const error = await rejection(twilio.writeSettings(keyOf(seeded), { label: 'y'.repeat(65) }, before));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).status).toBe(400);
    expect(error.message).toContain('twilio');
    expect(error.message).toContain('FriendlyName must be 64 characters or fewer (20001)');
    expect(await twilio.readNumber(keyOf(seeded))).toEqual(before);
  });

  it('surfaces Twilio refusing a fallback that is not a URL as a ProviderError, changing nothing', async () => {
    const seeded = twilioOnly[1]!;
    const twilio = adapter();
    const before = await twilio.readNumber(keyOf(seeded));
    const error = await rejection(twilio.writeSettings(keyOf(seeded), { label: 'changed', fallback: 'not a url' }, before));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect(error.message).toContain('VoiceFallbackUrl is not a valid URL: not a url (21502)');
    expect(await twilio.readNumber(keyOf(seeded))).toEqual(before);
  });

  it('makes no request for an empty settings write and answers the current record', async () => {
    const seeded = twilioOnly[0]!;
    const twilio = adapter();
    const known = current(seeded);
    expect(await twilio.writeSettings(keyOf(seeded), {}, known)).toBe(known);
    expect(await twilio.writeSettings(keyOf(seeded), { label: undefined, fallback: undefined }, known)).toBe(known);
    expect(fake.log).toHaveLength(0);
    expect(twilio.requestCount).toBe(0);
  });

  it('reads and sets the region through Routes v2, refusing regions Twilio does not have', async () => {
    const seeded = twilioOnly.find((number) => number.region === 'us1')!;
    const twilio = adapter();
    expect(await twilio.readRegion(seeded.e164)).toBe('us1');
    expect(await twilio.setRegion(seeded.e164, 'ie1')).toBe('ie1');
    expect(await twilio.readRegion(seeded.e164)).toBe('ie1');
    const error = await rejection(twilio.setRegion(seeded.e164, 'de1'));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain('Invalid VoiceRegion de1');
    expect(await twilio.readRegion('+14155559999')).toBeNull();
    const route = await raw(`/v2/PhoneNumbers/${seeded.e164}`);
    expect(route.body).toMatchObject({ phone_number: seeded.e164, account_sid: accountSid, voice_region: 'ie1', sid: expect.stringMatching(/^QQ[0-9a-f]{32}$/) });
  });
});
