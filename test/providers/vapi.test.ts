import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ProviderError, VoicenumError } from '../../src/domain/errors.js';
import type { RemoteNumber } from '../../src/domain/model.js';
import type { HttpSettings } from '../../src/providers/http.js';
import type { SettingsWrite, SlotWrite } from '../../src/providers/types.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FakeResponse, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createVapiFake, vapiStateFromSeed, type VapiPhoneNumber, type VapiState } from '../../src/sandbox/fakes/vapi.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';

const plan = buildSeedPlan();
const seedNumbers = plan.numbers.filter((entry) => entry.provider === 'vapi');
const seedAgents = plan.agents.filter((entry) => entry.provider === 'vapi');
const agent = (name: string) => seedAgents.find((entry) => entry.name === name)!;
const VAPI_401 = { statusCode: 401, error: 'Unauthorized', message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.' };

let fake: RunningFake | undefined;
let state: VapiState;
let sleeps: number[];

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: { faults?: FaultPlan; edit?: (state: VapiState) => void } = {}): Promise<RunningFake> {
  state = vapiStateFromSeed(plan);
  options.edit?.(state);
  fake = await startFakeServer(createVapiFake(), memoryState(state), options.faults);
  sleeps = [];
  return fake;
}

/** The fake with one route's answer replaced: upstream misbehaviour the fault switches cannot produce. */
async function startRewriting(path: string, answer: FakeResponse): Promise<RunningFake> {
  state = vapiStateFromSeed(plan);
  const provider = createVapiFake();
  provider.routes = provider.routes.map((route) => (route.path === path && route.method === 'GET' ? { ...route, handler: () => answer } : route));
  fake = await startFakeServer(provider, memoryState(state));
  sleeps = [];
  return fake;
}

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** The fake with every request's query and body recorded, for what the request log leaves out. */
async function startRecording(): Promise<{ running: RunningFake; seen: Seen[] }> {
  state = vapiStateFromSeed(plan);
  const seen: Seen[] = [];
  const provider = createVapiFake();
  provider.routes = provider.routes.map((route) => ({
    ...route,
    handler: (request, current, changes) => {
      seen.push({ method: request.method, path: request.path, query: Object.fromEntries(request.query), body: request.body });
      return route.handler(request, current, changes);
    },
  }));
  fake = await startFakeServer(provider, memoryState(state));
  sleeps = [];
  return { running: fake, seen };
}

function http(overrides: HttpSettings = {}): HttpSettings {
  return {
    baseDelayMs: 1,
    maxDelayMs: 10_000,
    timeoutMs: 2_000,
    maxAttempts: 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  };
}

function adapter(running: RunningFake, options: { apiKey?: string; pageSize?: number } = {}) {
  return createVapiAdapter({ apiKey: options.apiKey ?? SANDBOX_KEYS.vapi, baseUrl: running.url, pageSize: options.pageSize, http: http() });
}

/** A raw request to the fake, for what the adapter never sends. */
async function call(running: RunningFake, method: string, path: string, options: { auth?: string | null; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = options.auth === undefined ? `Bearer ${SANDBOX_KEYS.vapi}` : options.auth;
  if (auth !== null) headers.Authorization = auth;
  const response = await fetch(`${running.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: await response.json() };
}

const requestsTo = (running: RunningFake, path: string) => running.log.filter((entry) => entry.path === path);
const key = (entry: SeedNumber) => ({ providerId: entry.id, e164: entry.e164 });
const stored = (id: string): VapiPhoneNumber => state.phoneNumbers.find((record) => record.id === id)!;
const importedSeed = seedNumbers.find((entry) => entry.importedFromTwilio && entry.slots.inbound.length > 0)!;
const nativeSeed = seedNumbers.find((entry) => !entry.importedFromTwilio && entry.slots.inbound.length > 0 && entry.status === 'active')!;

function writeAgent(name: string) {
  const entry = agent(name);
  return [{ agentId: entry.id, weight: 1, kind: entry.kind }];
}

describe('vapi fetchAll', () => {
  it('reads every page of numbers, assistants and squads with the page size it is given', async () => {
    const running = await start();
    const snapshot = await adapter(running, { pageSize: 3 }).fetchAll();

    expect(snapshot.numbers.map((number) => number.providerId).sort()).toEqual(seedNumbers.map((entry) => entry.id).sort());
    expect(snapshot.agents.map((entry) => entry.id).sort()).toEqual(seedAgents.map((entry) => entry.id).sort());
    expect(snapshot.skipped).toEqual([]);
    // 9 numbers at 3 a page: hasNextPage ends it on page 3, no empty fourth call.
    expect(seedNumbers).toHaveLength(9);
    expect(requestsTo(running, '/v2/phone-number')).toHaveLength(3);
    // 4 assistants, newest first: [4,3,2] is full, the window ending at 2 answers [2,1] and ends it.
    expect(requestsTo(running, '/assistant')).toHaveLength(2);
    expect(requestsTo(running, '/squad')).toHaveLength(1);
    expect(snapshot.requests).toBe(6);
  });

  it('asks for the largest page Vapi allows and spends one request per list when everything fits', async () => {
    const { running, seen } = await startRecording();
    const vapi = adapter(running);
    const snapshot = await vapi.fetchAll();
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(seen.map(({ path, query }) => ({ path, query })).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: '/assistant', query: { limit: '1000' } },
      { path: '/squad', query: { limit: '1000' } },
      { path: '/v2/phone-number', query: { page: '1', limit: '1000', sortOrder: 'ASC' } },
    ]);
    expect(vapi.requestCount).toBe(3);
  });

  it('does not lose agents that share the createdAt at a page boundary', async () => {
    const running = await start({
      edit: (current) => {
        // Two assistants created in the same millisecond, straddling a page of two.
        const [, second, third] = current.assistants;
        third!.createdAt = second!.createdAt;
      },
    });
    const snapshot = await adapter(running, { pageSize: 2 }).fetchAll();
    expect(snapshot.agents.filter((entry) => entry.kind === 'assistant').map((entry) => entry.id).sort()).toEqual(
      seedAgents.filter((entry) => entry.kind === 'assistant').map((entry) => entry.id).sort(),
    );
  });

  it('retries a 429 after the Retry-After the fake sent and then succeeds', async () => {
    const running = await start({ faults: { pathContains: '/v2/phone-number', rateLimit: { count: 1, retryAfterSeconds: 2 } } });
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(sleeps).toEqual([2000]);
    expect(requestsTo(running, '/v2/phone-number').map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('gives up on a 5xx that never clears with a ProviderError naming Vapi and quoting its message', async () => {
    const running = await start({ faults: { pathContains: '/v2/phone-number', serverError: { count: -1, status: 503 } } });
    const error = await adapter(running).fetchAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).message).toMatch(/^vapi: GET \/v2\/phone-number failed with HTTP 503: Internal server error \(after 3 attempts\)$/);
    expect(requestsTo(running, '/v2/phone-number')).toHaveLength(3);
  });

  it('skips and reports malformed records while the others still come back', async () => {
    const badIds = ['0b0e0f00-0000-4000-a000-000000000001', '0b0e0f00-0000-4000-a000-000000000002'];
    const running = await start({
      edit: (current) => {
        const template = current.phoneNumbers[0]!;
        current.phoneNumbers.push({ ...template, id: badIds[0]!, number: '4155550100' });
        current.phoneNumbers.push({ ...template, id: badIds[1]!, number: undefined, provider: 'vapi', sipUri: 'sip:desk@sip.vapi.ai' });
        current.phoneNumbers.push({ ...template, id: undefined as unknown as string });
        current.assistants.push({ ...current.assistants[0]!, id: 42 as unknown as string });
      },
    });
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.numbers.map((number) => number.providerId).sort()).toEqual(seedNumbers.map((entry) => entry.id).sort());
    expect(snapshot.agents).toHaveLength(seedAgents.length);
    expect(snapshot.skipped).toEqual(
      expect.arrayContaining([
        { provider: 'vapi', kind: 'number', id: badIds[0], reason: 'number "4155550100" is not in E.164 form' },
        { provider: 'vapi', kind: 'number', id: badIds[1], reason: 'has no phone number (a SIP-only Vapi number)' },
        expect.objectContaining({ kind: 'number', id: '(no id)', reason: expect.stringContaining('id') }),
        expect.objectContaining({ kind: 'agent', id: '(no id)', reason: expect.stringContaining('id') }),
      ]),
    );
    expect(snapshot.skipped).toHaveLength(4);
  });

  it('stops with a ProviderError when a page or a createdAt window never advances', async () => {
    let running = await start({ faults: { stuckPaging: { pathContains: '/v2/phone-number' } } });
    await expect(adapter(running, { pageSize: 2 }).fetchAll()).rejects.toThrow(/^vapi: GET \/v2\/phone-number: paging did not advance \(page 2 /);
    expect(requestsTo(running, '/v2/phone-number')).toHaveLength(2);
    await running.close();
    fake = undefined;

    running = await start({ faults: { stuckPaging: { pathContains: '/assistant' } } });
    await expect(adapter(running, { pageSize: 2 }).fetchAll()).rejects.toThrow(/^vapi: GET \/assistant: paging did not advance/);
    // The first window, the same page at createdAtLe, then strictly older: still the same page.
    expect(requestsTo(running, '/assistant')).toHaveLength(3);
  });

  it('treats a page that is not JSON as a ProviderError', async () => {
    const running = await start({ faults: { pathContains: '/v2/phone-number', malformed: { count: 1 } } });
    const error = await adapter(running).fetchAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain('not JSON');
  });

  it('treats a page without its results list as a ProviderError', async () => {
    const running = await startRewriting('/v2/phone-number', { status: 200, body: { data: [] } });
    const error = await adapter(running).fetchAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toBe('vapi: GET /v2/phone-number answered page 1 without a results list and its metadata');
  });

  it('treats an agent list that is not an array as a ProviderError', async () => {
    const running = await startRewriting('/squad', { status: 200, body: { squads: [] } });
    await expect(adapter(running).fetchAll()).rejects.toThrow('vapi: GET /squad answered something other than a list');
  });
});

describe('vapi credentials', () => {
  it('turns a wrong key into an AuthError after the fake answered its own 401', async () => {
    const running = await start();
    const error = await adapter(running, { apiKey: 'not-the-key' }).verifyCredentials().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).message).toContain('Invalid Key. Hot tip');
    expect((error as AuthError).hint).toContain('VAPI_API_KEY');
    expect((error as AuthError).message).not.toContain('not-the-key');
    expect(running.log).toEqual([{ method: 'GET', path: '/phone-number', status: 401 }]);
    expect(await call(running, 'GET', '/phone-number', { auth: 'Bearer not-the-key' })).toEqual({ status: 401, body: VAPI_401 });
  });

  it('accepts the right key with one cheap call', async () => {
    const running = await start();
    const vapi = adapter(running);
    await vapi.verifyCredentials();
    expect(vapi.requestCount).toBe(1);
  });

  it('rejects the right key in the wrong header form', async () => {
    const running = await start();
    expect(await call(running, 'GET', '/assistant', { auth: SANDBOX_KEYS.vapi })).toEqual({ status: 401, body: VAPI_401 });
    expect(await call(running, 'GET', '/assistant', { auth: `Token ${SANDBOX_KEYS.vapi}` })).toEqual({ status: 401, body: VAPI_401 });
    expect(await call(running, 'GET', '/assistant', { auth: null })).toEqual({ status: 401, body: VAPI_401 });
    expect((await call(running, 'GET', '/assistant')).status).toBe(200);
  });
});

describe('vapi mapping', () => {
  it('maps numbers as the seed plan describes them', async () => {
    const running = await start();
    const snapshot = await adapter(running).fetchAll();
    for (const entry of seedNumbers) {
      const number = snapshot.numbers.find((candidate) => candidate.providerId === entry.id)!;
      const inbound = entry.slots.inbound.map((slot) => ({ agentId: slot.agentId, weight: 1 }));
      expect(number).toEqual({
        provider: 'vapi',
        providerId: entry.id,
        e164: entry.e164,
        label: entry.label,
        status: entry.status ?? null,
        capabilities: { voice: null, sms: entry.importedFromTwilio ? true : null },
        region: null,
        fallback: null,
        origin: entry.importedFromTwilio ? 'twilio' : 'vapi',
        slots: { inbound, outbound: [], sms: entry.importedFromTwilio ? inbound : [] },
      } satisfies RemoteNumber);
    }
    expect(snapshot.numbers.filter((number) => number.status === 'blocked')).toHaveLength(1);
    expect(snapshot.numbers.some((number) => number.slots.inbound[0]?.agentId === agent('front-desk').id)).toBe(true);
  });

  it('maps assistants and squads with their kinds and what is known about being live', async () => {
    const running = await start({ edit: (current) => (current.assistants[1]!.latestVersion = null) });
    const snapshot = await adapter(running).fetchAll();
    const byId = new Map(snapshot.agents.map((entry) => [entry.id, entry]));
    for (const entry of seedAgents) expect(byId.get(entry.id)).toMatchObject({ provider: 'vapi', name: entry.name, kind: entry.kind });
    expect(byId.get(agent('front-desk').id)!.live).toBeNull();
    expect(byId.get(state.assistants[0]!.id)!.live).toBe(true);
    expect(byId.get(state.assistants[1]!.id)!.live).toBeNull();
  });

  it('reads the fallback number and a switched-off SMS', async () => {
    const running = await start({
      edit: (current) => {
        const record = current.phoneNumbers.find((candidate) => candidate.id === importedSeed.id)!;
        record.smsEnabled = false;
        record.fallbackDestination = { type: 'number', number: '+14155550199', message: 'One moment.' };
      },
    });
    const number = await adapter(running).readNumber(key(importedSeed));
    expect(number.fallback).toBe('+14155550199');
    expect(number.capabilities.sms).toBeNull();
    expect(number.slots.sms).toEqual([]);
    expect(number.slots.inbound).toEqual([{ agentId: importedSeed.slots.inbound[0]!.agentId, weight: 1 }]);
    expect(requestsTo(running, `/phone-number/${importedSeed.id}`)).toHaveLength(1);
  });
});

describe('vapi writeSlots', () => {
  async function readBack(running: RunningFake, entry: SeedNumber): Promise<RemoteNumber> {
    return adapter(running).readNumber(key(entry));
  }

  it('sets inbound to an assistant, replacing a squad, in one PATCH', async () => {
    const running = await start();
    const squadNumber = seedNumbers.find((entry) => entry.slots.inbound[0]?.agentId === agent('front-desk').id)!;
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(squadNumber));
    const answer = await vapi.writeSlots(key(squadNumber), { inbound: writeAgent('booking') }, current);

    expect(answer.slots.inbound).toEqual([{ agentId: agent('booking').id, weight: 1 }]);
    expect((await readBack(running, squadNumber)).slots.inbound).toEqual([{ agentId: agent('booking').id, weight: 1 }]);
    expect(stored(squadNumber.id)).toMatchObject({ assistantId: agent('booking').id, squadId: null });
    expect(running.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(1);
  });

  it('sets inbound to a squad, clearing the assistant', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(nativeSeed));
    await vapi.writeSlots(key(nativeSeed), { inbound: writeAgent('front-desk') }, current);
    expect((await readBack(running, nativeSeed)).slots.inbound).toEqual([{ agentId: agent('front-desk').id, weight: 1 }]);
    expect(stored(nativeSeed.id)).toMatchObject({ assistantId: null, squadId: agent('front-desk').id });
  });

  it('clears inbound with nulls', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(nativeSeed));
    const answer = await vapi.writeSlots(key(nativeSeed), { inbound: [] }, current);
    expect(answer.slots).toEqual({ inbound: [], outbound: [], sms: [] });
    expect((await readBack(running, nativeSeed)).slots.inbound).toEqual([]);
    expect(stored(nativeSeed.id)).toMatchObject({ assistantId: null, squadId: null });
  });

  it('points texts at an agent on a Twilio import by making it the handler with SMS on', async () => {
    const running = await start({ edit: (current) => (current.phoneNumbers.find((record) => record.id === importedSeed.id)!.smsEnabled = false) });
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(importedSeed));
    expect(current.slots.sms).toEqual([]);
    const slots: SlotWrite = { inbound: writeAgent('survey'), sms: writeAgent('survey') };
    const answer = await vapi.writeSlots(key(importedSeed), slots, current);
    const expected = [{ agentId: agent('survey').id, weight: 1 }];
    expect(answer.slots.sms).toEqual(expected);
    const fresh = await readBack(running, importedSeed);
    expect(fresh.slots).toEqual({ inbound: expected, outbound: [], sms: expected });
    expect(stored(importedSeed.id)).toMatchObject({ smsEnabled: true, assistantId: agent('survey').id, provider: 'twilio' });
    expect(running.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(1);
  });

  it('clears texts by switching SMS off and keeps the call handler', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(importedSeed));
    expect(current.slots.sms).toHaveLength(1);
    await vapi.writeSlots(key(importedSeed), { sms: [] }, current);
    const fresh = await readBack(running, importedSeed);
    expect(fresh.slots.sms).toEqual([]);
    expect(fresh.slots.inbound).toEqual(current.slots.inbound);
    expect(stored(importedSeed.id).smsEnabled).toBe(false);
  });

  it('answers a no-op SMS clear on a Vapi-native number with the record as read, and no write', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(nativeSeed));
    const answer = await vapi.writeSlots(key(nativeSeed), { sms: [] }, current);
    expect(answer).toBe(current);
    expect(running.log.map((entry) => entry.method)).toEqual(['GET']);
  });

  it('refuses slots Vapi does not have as programming errors, before any request', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(importedSeed));
    const attempts: SlotWrite[] = [
      { outbound: writeAgent('booking') },
      { inbound: [...writeAgent('booking'), ...writeAgent('receptionist')] },
      { inbound: writeAgent('booking'), sms: writeAgent('receptionist') },
    ];
    for (const slots of attempts) {
      const error = await vapi.writeSlots(key(importedSeed), slots, current).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(VoicenumError);
    }
    const nativeCurrent = await vapi.readNumber(key(nativeSeed));
    await expect(vapi.writeSlots(key(nativeSeed), { sms: writeAgent('booking') }, nativeCurrent)).rejects.toThrow(/only on numbers imported from Twilio/);
    expect(running.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(0);
  });

  it('surfaces an upstream refusal of an unknown agent as a ProviderError quoting Vapi', async () => {
    const running = await start();
    const vapi = adapter(running);
    const current = await vapi.readNumber(key(nativeSeed));
    const ghost = '11111111-2222-4333-a444-555555555555';
    const error = await vapi.writeSlots(key(nativeSeed), { inbound: [{ agentId: ghost, weight: 1, kind: 'assistant' }] }, current).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).message).toContain(`HTTP 400: Couldn't find assistant ${ghost} in this org`);
    expect(stored(nativeSeed.id).assistantId).toBe(nativeSeed.slots.inbound[0]!.agentId);
  });
});

describe('vapi PATCH bodies carry only what changes', () => {
  const squadSeed = seedNumbers.find((entry) => entry.slots.inbound[0]?.agentId === agent('front-desk').id)!;
  const WORKFLOW = 'a1b2c3d4-0000-4000-8000-0000000000aa';

  /** Runs one write against a freshly seeded fake (edited first) and returns the PATCH bodies it received. */
  async function patchBodies(entry: SeedNumber, write: (vapi: ReturnType<typeof adapter>, current: RemoteNumber) => Promise<RemoteNumber>, edit?: (record: VapiPhoneNumber) => void): Promise<unknown[]> {
    const running = await start({ edit: (seeded) => edit?.(seeded.phoneNumbers.find((record) => record.id === entry.id)!) });
    const vapi = adapter(running);
    await write(vapi, await vapi.readNumber(key(entry)));
    return running.requests.filter((request) => request.method === 'PATCH').map((request) => JSON.parse(request.rawBody) as unknown);
  }
  const slots = (entry: SeedNumber, write: SlotWrite, edit?: (record: VapiPhoneNumber) => void) => patchBodies(entry, (vapi, current) => vapi.writeSlots(key(entry), write, current), edit);
  const settings = (entry: SeedNumber, write: SettingsWrite, edit?: (record: VapiPhoneNumber) => void) => patchBodies(entry, (vapi, current) => vapi.writeSettings(key(entry), write, current), edit);
  const unassigned = (record: VapiPhoneNumber) => Object.assign(record, { assistantId: null, squadId: null });

  it('assigns an assistant to a number that has no handler with the assistant alone', async () => {
    expect(await slots(nativeSeed, { inbound: writeAgent('booking') }, unassigned)).toEqual([{ provider: 'vapi', assistantId: agent('booking').id }]);
    expect(stored(nativeSeed.id)).toMatchObject({ assistantId: agent('booking').id, squadId: null });
  });

  it('replaces an assistant with another without touching squadId or workflowId', async () => {
    expect(await slots(nativeSeed, { inbound: writeAgent('booking') })).toEqual([{ provider: 'vapi', assistantId: agent('booking').id }]);
    expect(await slots(importedSeed, { inbound: writeAgent('receptionist') })).toEqual([{ provider: 'twilio', assistantId: agent('receptionist').id }]);
  });

  it('clears the one other handler the number holds when the kind changes: squadId for an assistant, assistantId for a squad', async () => {
    expect(await slots(squadSeed, { inbound: writeAgent('booking') })).toEqual([{ provider: 'vapi', assistantId: agent('booking').id, squadId: null }]);
    expect(stored(squadSeed.id)).toMatchObject({ assistantId: agent('booking').id, squadId: null });
    expect(await slots(nativeSeed, { inbound: writeAgent('front-desk') })).toEqual([{ provider: 'vapi', squadId: agent('front-desk').id, assistantId: null }]);
    expect(stored(nativeSeed.id)).toMatchObject({ assistantId: null, squadId: agent('front-desk').id });
  });

  it('clears a legacy workflowId only on a number that holds one', async () => {
    const onWorkflow = (record: VapiPhoneNumber) => Object.assign(unassigned(record), { workflowId: WORKFLOW });
    expect(await slots(nativeSeed, { inbound: writeAgent('booking') }, onWorkflow)).toEqual([{ provider: 'vapi', assistantId: agent('booking').id, workflowId: null }]);
    expect(stored(nativeSeed.id)).toMatchObject({ assistantId: agent('booking').id, workflowId: null });
  });

  it('unassigns with a null for the handler held and nothing else, and sends nothing when none is held', async () => {
    expect(await slots(nativeSeed, { inbound: [] })).toEqual([{ provider: 'vapi', assistantId: null }]);
    expect(await slots(squadSeed, { inbound: [] })).toEqual([{ provider: 'vapi', squadId: null }]);
    expect(await slots(nativeSeed, { inbound: [] }, unassigned)).toEqual([]);
  });

  it('points texts at another agent by changing the handler alone while SMS is already on', async () => {
    expect(await slots(importedSeed, { sms: writeAgent('receptionist') })).toEqual([{ provider: 'twilio', assistantId: agent('receptionist').id }]);
    expect(stored(importedSeed.id)).toMatchObject({ assistantId: agent('receptionist').id, smsEnabled: true });
  });

  it('turns SMS on or off only when it is not already so', async () => {
    const smsOff = (record: VapiPhoneNumber) => (record.smsEnabled = false);
    const handler = importedSeed.slots.inbound[0]!.agentId;
    expect(await slots(importedSeed, { sms: [{ agentId: handler, weight: 1, kind: 'assistant' }] }, smsOff)).toEqual([{ provider: 'twilio', smsEnabled: true }]);
    expect(await slots(importedSeed, { inbound: writeAgent('receptionist'), sms: writeAgent('receptionist') }, smsOff)).toEqual([
      { provider: 'twilio', assistantId: agent('receptionist').id, smsEnabled: true },
    ]);
    expect(await slots(importedSeed, { sms: [] })).toEqual([{ provider: 'twilio', smsEnabled: false }]);
    expect(await slots(importedSeed, { sms: [] }, smsOff)).toEqual([]);
  });

  it('sets or clears the label with name alone; a null only when the number has a name', async () => {
    expect(await settings(nativeSeed, { label: 'front desk' })).toEqual([{ provider: 'vapi', name: 'front desk' }]);
    expect(await settings(nativeSeed, { label: null })).toEqual([{ provider: 'vapi', name: null }]);
    expect(await settings(nativeSeed, { label: null }, (record) => delete record.name)).toEqual([]);
    expect(await settings(nativeSeed, { label: nativeSeed.label })).toEqual([]);
  });

  it('sets or clears the fallback with fallbackDestination alone; a null only when the number has one', async () => {
    const withFallback = (record: VapiPhoneNumber) => (record.fallbackDestination = { type: 'number', number: '+14155550124', message: 'One moment.' });
    expect(await settings(importedSeed, { fallback: '+14155550123' })).toEqual([{ provider: 'twilio', fallbackDestination: { type: 'number', number: '+14155550123' } }]);
    expect(await settings(nativeSeed, { fallback: null }, withFallback)).toEqual([{ provider: 'vapi', fallbackDestination: null }]);
    expect(await settings(nativeSeed, { fallback: null })).toEqual([]);
    // The same number again keeps the destination, message included, as it is.
    expect(await settings(nativeSeed, { fallback: '+14155550124' }, withFallback)).toEqual([]);
    expect(stored(nativeSeed.id).fallbackDestination).toEqual({ type: 'number', number: '+14155550124', message: 'One moment.' });
  });

  it('never sends a null the number cannot take, across every write above and their combinations', async () => {
    // The fake refuses a null for a field the number does not hold: a 400 would have failed the writes
    // above. Here, the nulls that do go out are checked against the record as it was read.
    const cases: { entry: SeedNumber; write: SlotWrite; edit?: (record: VapiPhoneNumber) => void }[] = [
      // (Front-desk onto the squad number, as this once read, is the squad it holds: a no-op, no PATCH.)
      { entry: squadSeed, write: { inbound: writeAgent('booking') } },
      { entry: nativeSeed, write: { inbound: writeAgent('front-desk') } },
      { entry: importedSeed, write: { inbound: [], sms: [] } },
      { entry: nativeSeed, write: { inbound: writeAgent('front-desk') }, edit: unassigned },
    ];
    for (const { entry, write, edit } of cases) {
      const running = await start({ edit: (seeded) => edit?.(seeded.phoneNumbers.find((record) => record.id === entry.id)!) });
      const before = structuredClone(stored(entry.id)) as unknown as Record<string, unknown>;
      const vapi = adapter(running);
      await vapi.writeSlots(key(entry), write, await vapi.readNumber(key(entry)));
      const patches = running.requests.filter((candidate) => candidate.method === 'PATCH');
      // Each case writes once; no PATCH at all would leave the null check below nothing to check.
      expect(patches).toHaveLength(1);
      for (const request of patches) {
        for (const [field, value] of Object.entries(request.body as Record<string, unknown>)) {
          if (value === null) expect(before[field], `${field} was sent as null`).not.toBeNull();
        }
      }
      await fake?.close();
      fake = undefined;
    }
  });

  it('asks Vapi what the number holds when handed a record it did not read, then sends the same minimal body', async () => {
    const running = await start();
    const current = await adapter(running).readNumber(key(squadSeed));
    const other = adapter(running);
    await other.writeSlots(key(squadSeed), { inbound: writeAgent('booking') }, { ...current });
    expect(running.requests.map((request) => request.method)).toEqual(['GET', 'GET', 'PATCH']);
    expect(running.requests[2]!.body).toEqual({ provider: 'vapi', assistantId: agent('booking').id, squadId: null });
  });
});

describe('vapi writeSettings', () => {
  const patches = (running: RunningFake) => running.log.filter((entry) => entry.method === 'PATCH');

  it('sets the label with one PATCH of name beside the number\'s provider, and a fresh read shows it', async () => {
    const { running, seen } = await startRecording();
    const vapi = adapter(running);
    const before = await vapi.readNumber(key(nativeSeed));
    const answered = await vapi.writeSettings(key(nativeSeed), { label: 'front desk' }, before);

    expect(answered).toEqual({ ...before, label: 'front desk' });
    expect(seen.filter((request) => request.method === 'PATCH').map((request) => request.body)).toEqual([{ name: 'front desk', provider: 'vapi' }]);
    expect(await vapi.readNumber(key(nativeSeed))).toEqual({ ...before, label: 'front desk' });
  });

  it('clears the label with a null name', async () => {
    const running = await start();
    const vapi = adapter(running);
    const answered = await vapi.writeSettings(key(nativeSeed), { label: null }, await vapi.readNumber(key(nativeSeed)));
    expect(answered.label).toBeNull();
    expect((await vapi.readNumber(key(nativeSeed))).label).toBeNull();
    expect(stored(nativeSeed.id).name).toBeNull();
  });

  it('sets the fallback as a number destination on a Twilio import, and a fresh read shows it', async () => {
    const { running, seen } = await startRecording();
    const vapi = adapter(running);
    const before = await vapi.readNumber(key(importedSeed));
    const answered = await vapi.writeSettings(key(importedSeed), { fallback: '+14155550123' }, before);

    expect(answered).toEqual({ ...before, fallback: '+14155550123' });
    expect(seen.filter((request) => request.method === 'PATCH').map((request) => request.body)).toEqual([
      { fallbackDestination: { type: 'number', number: '+14155550123' }, provider: 'twilio' },
    ]);
    expect(await vapi.readNumber(key(importedSeed))).toEqual({ ...before, fallback: '+14155550123' });
    // The slots a settings write does not name stay as they were.
    expect(stored(importedSeed.id)).toMatchObject({ assistantId: before.slots.inbound[0]?.agentId ?? null, smsEnabled: true });
  });

  it('clears the fallback with a null fallbackDestination', async () => {
    const running = await start({
      edit: (seeded) => {
        seeded.phoneNumbers.find((record) => record.id === nativeSeed.id)!.fallbackDestination = { type: 'number', number: '+14155550124' };
      },
    });
    const vapi = adapter(running);
    const before = await vapi.readNumber(key(nativeSeed));
    expect(before.fallback).toBe('+14155550124');
    const answered = await vapi.writeSettings(key(nativeSeed), { fallback: null }, before);

    expect(answered.fallback).toBeNull();
    expect(await vapi.readNumber(key(nativeSeed))).toEqual({ ...before, fallback: null });
    expect(stored(nativeSeed.id).fallbackDestination).toBeNull();
  });

  it('sets label and fallback together in one PATCH', async () => {
    const running = await start();
    const vapi = adapter(running);
    const answered = await vapi.writeSettings(key(nativeSeed), { label: 'night line', fallback: '+14155550125' }, await vapi.readNumber(key(nativeSeed)));
    expect(answered).toMatchObject({ label: 'night line', fallback: '+14155550125' });
    expect(patches(running)).toHaveLength(1);
    expect(await vapi.readNumber(key(nativeSeed))).toMatchObject({ label: 'night line', fallback: '+14155550125' });
  });

  it('surfaces Vapi refusing a name over 40 characters as a ProviderError quoting its validation message', async () => {
    const running = await start();
    const vapi = adapter(running);
    const before = await vapi.readNumber(key(nativeSeed));
    const error = await vapi.writeSettings(key(nativeSeed), { label: 'y'.repeat(41) }, before).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).status).toBe(400);
    expect((error as Error).message).toContain('vapi');
    expect((error as Error).message).toContain('HTTP 400: name must be shorter than or equal to 40 characters');
    expect(await vapi.readNumber(key(nativeSeed))).toEqual(before);
  });

  it('makes no request for an empty settings write and answers the current record', async () => {
    const running = await start();
    const vapi = adapter(running);
    const before = await vapi.readNumber(key(nativeSeed));
    const logged = running.log.length;

    expect(await vapi.writeSettings(key(nativeSeed), {}, before)).toBe(before);
    expect(await vapi.writeSettings(key(nativeSeed), { label: undefined }, before)).toBe(before);
    expect(running.log).toHaveLength(logged);
    expect(vapi.requestCount).toBe(1);
  });
});

describe('vapi fake validation', () => {
  const badRequest = (...message: string[]) => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message } });

  it('writes a label of up to 40 characters and refuses a longer one', async () => {
    const running = await start();
    const path = `/phone-number/${nativeSeed.id}`;
    expect((await call(running, 'PATCH', path, { body: { name: 'x'.repeat(40) } })).status).toBe(200);
    expect(stored(nativeSeed.id).name).toBe('x'.repeat(40));
    expect(await call(running, 'PATCH', path, { body: { name: 'y'.repeat(41) } })).toEqual(badRequest('name must be shorter than or equal to 40 characters'));
    expect(stored(nativeSeed.id).name).toBe('x'.repeat(40));
  });

  it('writes a fallback number, clears it with null, and refuses one that is not E.164', async () => {
    const running = await start();
    const path = `/phone-number/${nativeSeed.id}`;
    await call(running, 'PATCH', path, { body: { fallbackDestination: { type: 'number', number: '+14155550123' } } });
    expect((await adapter(running).readNumber(key(nativeSeed))).fallback).toBe('+14155550123');
    expect((await call(running, 'PATCH', path, { body: { fallbackDestination: null } })).status).toBe(200);
    expect(stored(nativeSeed.id).fallbackDestination).toBeNull();
    const refused = await call(running, 'PATCH', path, { body: { fallbackDestination: { type: 'number', number: '4155550123' } } });
    expect(refused).toEqual(badRequest('fallbackDestination.number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).'));
  });

  it('refuses properties the number variant does not have, and a provider that is not the number', async () => {
    const running = await start();
    expect(await call(running, 'PATCH', `/phone-number/${nativeSeed.id}`, { body: { smsEnabled: true, outboundAssistantId: 'x' } })).toEqual(
      badRequest('property smsEnabled should not exist', 'property outboundAssistantId should not exist'),
    );
    expect(await call(running, 'PATCH', `/phone-number/${importedSeed.id}`, { body: { provider: 'vapi', smsEnabled: 'yes' } })).toEqual(
      badRequest('provider must be one of the following values: twilio', 'smsEnabled must be a boolean value'),
    );
  });

  it('refuses two call handlers at once and handlers it cannot find', async () => {
    const running = await start();
    const path = `/phone-number/${nativeSeed.id}`;
    expect(await call(running, 'PATCH', path, { body: { squadId: agent('front-desk').id } })).toEqual(
      badRequest('Only one of assistantId, squadId or workflowId can be set on a phone number'),
    );
    expect(await call(running, 'PATCH', path, { body: { assistantId: 7 } })).toEqual(badRequest('assistantId must be a string'));
    const ghost = '11111111-2222-4333-a444-555555555555';
    expect(await call(running, 'PATCH', path, { body: { squadId: ghost, assistantId: null } })).toEqual(badRequest(`Couldn't find squad ${ghost} in this org`));
  });

  it('refuses a null except to clear a field the number holds, changing nothing', async () => {
    const running = await start();
    const path = `/phone-number/${importedSeed.id}`;
    const before = structuredClone(stored(importedSeed.id));
    expect(await call(running, 'PATCH', path, { body: { squadId: null, fallbackDestination: null } })).toEqual(
      badRequest('squadId should not be null: the phone number has no squadId to clear', 'fallbackDestination should not be null: the phone number has no fallbackDestination to clear'),
    );
    expect(await call(running, 'PATCH', path, { body: { provider: null, smsEnabled: null } })).toEqual(
      badRequest('provider should not be null', 'smsEnabled should not be null', 'provider must be one of the following values: twilio', 'smsEnabled must be a boolean value'),
    );
    expect(stored(importedSeed.id)).toEqual(before);
    // Clearing what is held works, once: afterwards the field is no longer held.
    expect((await call(running, 'PATCH', path, { body: { assistantId: null, name: null } })).status).toBe(200);
    expect(stored(importedSeed.id)).toMatchObject({ assistantId: null, name: null });
    expect(await call(running, 'PATCH', path, { body: { name: null } })).toEqual(badRequest('name should not be null: the phone number has no name to clear'));
  });

  it('refuses a path id that is not a UUID and answers 404 for an unknown one', async () => {
    const running = await start();
    expect(await call(running, 'GET', '/phone-number/+14155550100')).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Validation failed (uuid is expected)' } });
    expect(await call(running, 'GET', '/phone-number/11111111-2222-4333-a444-555555555555')).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Phone Number not found' } });
  });

  it('enforces the list limits and refuses unknown query parameters', async () => {
    const running = await start();
    expect(await call(running, 'GET', '/v2/phone-number?limit=1001')).toEqual(badRequest('limit must not be greater than 1000'));
    expect(await call(running, 'GET', '/assistant?limit=-1&cursor=abc')).toEqual(badRequest('property cursor should not exist', 'limit must not be less than 0'));
    expect(await call(running, 'GET', '/v2/phone-number?page=0')).toEqual(badRequest('page must not be less than 1'));
    expect(await call(running, 'GET', '/squad?createdAtLt=yesterday')).toEqual(badRequest('createdAtLt must be a valid ISO 8601 date string'));
  });

  it('also serves the v1 number list newest first in createdAt windows', async () => {
    const running = await start();
    const first = (await call(running, 'GET', '/phone-number?limit=4')).body as VapiPhoneNumber[];
    expect(first).toHaveLength(4);
    const oldest = first[3]!.createdAt;
    const rest = (await call(running, 'GET', `/phone-number?limit=1000&createdAtLt=${encodeURIComponent(oldest)}`)).body as VapiPhoneNumber[];
    expect([...first, ...rest].map((record) => record.id).sort()).toEqual(seedNumbers.map((entry) => entry.id).sort());
    expect(Date.parse(first[0]!.createdAt)).toBeGreaterThan(Date.parse(first[1]!.createdAt));
  });

  it('pages v2 with metadata that says when to stop', async () => {
    const running = await start();
    const last = (await call(running, 'GET', '/v2/phone-number?limit=4&page=3')).body as { results: unknown[]; metadata: Record<string, unknown> };
    expect(last.results).toHaveLength(1);
    expect(last.metadata).toEqual({ itemsPerPage: 4, totalItems: 9, currentPage: 3, totalPages: 3, hasNextPage: false, sortOrder: 'DESC' });
  });
});
