import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ProviderError, VoicenumError } from '../../src/domain/errors.js';
import type { RemoteNumber } from '../../src/domain/model.js';
import type { HttpSettings } from '../../src/providers/http.js';
import { createRetellAdapter } from '../../src/providers/retell/index.js';
import type { SlotWrite } from '../../src/providers/types.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FakeResponse, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createRetellFake, retellStateFromSeed, type RetellState } from '../../src/sandbox/fakes/retell.js';
import { buildSeedPlan, type SeedNumber, type SeedSlotAgent } from '../../src/sandbox/seed.js';

const plan = buildSeedPlan();
const seedNumbers = plan.numbers.filter((entry) => entry.provider === 'retell');
const seedAgents = plan.agents.filter((entry) => entry.provider === 'retell');
const agentId = (name: string): string => seedAgents.find((agent) => agent.name === name)!.id;

let fake: RunningFake | undefined;
let state: RetellState;
let sleeps: number[];
let traces: string[];

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: { faults?: FaultPlan; edit?: (state: RetellState) => void } = {}): Promise<RunningFake> {
  state = retellStateFromSeed(plan);
  options.edit?.(state);
  fake = await startFakeServer(createRetellFake(), memoryState(state), options.faults);
  sleeps = [];
  traces = [];
  return fake;
}

/** Starts the fake with one route's answer rewritten, for upstream misbehaviour the fault switches cannot produce. */
async function startRewriting(path: string, rewrite: (answer: FakeResponse, call: number) => FakeResponse): Promise<RunningFake> {
  state = retellStateFromSeed(plan);
  const provider = createRetellFake();
  let calls = 0;
  provider.routes = provider.routes.map((route) => (route.path === path ? { ...route, handler: (request, current, changes) => rewrite(route.handler(request, current, changes), ++calls) } : route));
  fake = await startFakeServer(provider, memoryState(state));
  sleeps = [];
  traces = [];
  return fake;
}

function http(overrides: HttpSettings = {}): HttpSettings {
  return {
    baseDelayMs: 1,
    maxDelayMs: 5_000,
    timeoutMs: 2_000,
    maxAttempts: 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    trace: (line) => traces.push(line),
    ...overrides,
  };
}

function adapter(options: { apiKey?: string; pageSize?: number } = {}) {
  return createRetellAdapter({ apiKey: options.apiKey ?? SANDBOX_KEYS.retell, baseUrl: fake!.url, pageSize: options.pageSize, http: http() });
}

function requestsTo(path: string): number {
  return fake!.log.filter((entry) => entry.path === path).length;
}

/** Sends a raw request to the fake, for what the adapter never does (wrong auth, refused bodies). */
async function raw(method: string, path: string, options: { body?: unknown; auth?: string | null } = {}): Promise<{ status: number; body: { status?: string; message?: string } & Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = options.auth === undefined ? `Bearer ${SANDBOX_KEYS.retell}` : options.auth;
  if (auth !== null) headers.Authorization = auth;
  const response = await fetch(`${fake!.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: (await response.json()) as { status?: string; message?: string } };
}

function expectedSlot(list: SeedSlotAgent[]) {
  return list.map((entry) => ({ agentId: entry.agentId, weight: entry.weight, version: entry.version === undefined ? null : String(entry.version) }));
}

function numberFor(seed: SeedNumber, numbers: RemoteNumber[]): RemoteNumber {
  const found = numbers.find((number) => number.e164 === seed.e164);
  expect(found, `number ${seed.e164}`).toBeDefined();
  return found!;
}

describe('Retell adapter: reading', () => {
  it('follows every page of numbers and agents with the page size asked for', async () => {
    await start();
    const snapshot = await adapter({ pageSize: 5 }).fetchAll();

    expect(snapshot.numbers.map((number) => number.e164).sort()).toEqual(seedNumbers.map((entry) => entry.e164).sort());
    expect(snapshot.agents.map((agent) => agent.id).sort()).toEqual(seedAgents.map((agent) => agent.id).sort());
    expect(snapshot.skipped).toEqual([]);
    // 18 numbers at 5 a page, 6 agents at 5 a page, then one version page per agent.
    expect(seedNumbers).toHaveLength(18);
    expect(requestsTo('/v2/list-phone-numbers')).toBe(4);
    expect(requestsTo('/v2/list-agents')).toBe(2);
    expect(fake!.log.filter((entry) => entry.path.startsWith('/list-agent-versions/'))).toHaveLength(seedAgents.length);
    expect(snapshot.requests).toBe(4 + 2 + seedAgents.length);
  });

  it('asks for the largest page Retell allows, so a small account costs one list call each', async () => {
    await start();
    const snapshot = await adapter().fetchAll();

    expect(requestsTo('/v2/list-phone-numbers')).toBe(1);
    expect(requestsTo('/v2/list-agents')).toBe(1);
    const listTraces = traces.filter((line) => line.startsWith('→') && line.includes('/v2/list-'));
    // One traced request per list: an empty trace would make the `every` below pass on nothing.
    expect(listTraces).toHaveLength(2);
    expect(listTraces.every((line) => line.includes('limit=1000'))).toBe(true);
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
  });

  it('never calls the removed legacy list endpoint', async () => {
    await start();
    await adapter().fetchAll();
    expect(requestsTo('/list-phone-numbers')).toBe(0);
    expect(requestsTo('/list-agents')).toBe(0);
  });

  it('maps nickname, origin, fallback and the weighted slots as seeded; status and capabilities stay unknown', async () => {
    await start();
    const { numbers } = await adapter().fetchAll();

    for (const seed of seedNumbers) {
      const number = numberFor(seed, numbers);
      expect(number).toMatchObject({
        provider: 'retell',
        providerId: seed.e164,
        label: seed.label,
        status: null,
        capabilities: { voice: null, sms: null },
        region: null,
        fallback: seed.fallback,
        origin: seed.importedFromTwilio ? 'custom' : 'retell-twilio',
      });
      expect(number.slots).toEqual({ inbound: expectedSlot(seed.slots.inbound), outbound: expectedSlot(seed.slots.outbound), sms: expectedSlot(seed.slots.sms) });
    }
    // The seed has a 70/30 split and a version pin; both must survive the trip.
    expect(numbers.some((number) => number.slots.inbound.length === 2 && number.slots.inbound[0]!.weight === 0.7)).toBe(true);
    expect(numbers.some((number) => number.slots.inbound[0]?.version === '2')).toBe(true);
  });

  it('reports agents with their channel as kind and live only when a version is published', async () => {
    await start();
    const { agents } = await adapter().fetchAll();

    for (const seed of seedAgents) {
      expect(agents.find((agent) => agent.id === seed.id)).toEqual({ provider: 'retell', id: seed.id, name: seed.name, kind: seed.kind, live: seed.live });
    }
    expect(agents.find((agent) => agent.name === 'after-hours')?.live).toBe(false);
    expect(agents.find((agent) => agent.name === 'sms-concierge')?.kind).toBe('chat');
  });

  it('stops reading an agent’s versions at the first published one', async () => {
    await start();
    const { agents } = await adapter({ pageSize: 1 }).fetchAll();

    // Newest first: the draft v3 on page one, the published v2 on page two; v1 and v0 are never asked for.
    expect(requestsTo(`/list-agent-versions/${agentId('sales')}`)).toBe(2);
    // A draft-only agent has a single version and is read to the end.
    expect(requestsTo(`/list-agent-versions/${agentId('after-hours')}`)).toBe(1);
    expect(agents.find((agent) => agent.name === 'sales')?.live).toBe(true);
  });

  it('skips and reports malformed records while the others still come back', async () => {
    await start({
      edit: (s) => {
        const template = s.numbers[0]!;
        s.numbers.push({ ...structuredClone(template), phone_number: '+1 415 555' });
        s.numbers.push({ ...structuredClone(template), phone_number: '+14155550999', inbound_agents: [{ agent_id: '', weight: 1 }] });
        s.agents.push({ ...structuredClone(s.agents[0]!), agent_id: '', agent_name: 'nameless' });
      },
    });
    const snapshot = await adapter({ pageSize: 4 }).fetchAll();

    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(snapshot.agents).toHaveLength(seedAgents.length);
    expect(snapshot.skipped).toEqual(
      expect.arrayContaining([
        { provider: 'retell', kind: 'number', id: '+1 415 555', reason: expect.stringContaining('E.164') },
        { provider: 'retell', kind: 'number', id: '+14155550999', reason: expect.stringContaining('inbound_agents') },
        { provider: 'retell', kind: 'agent', id: '(no agent_id)', reason: expect.stringContaining('agent_id') },
      ]),
    );
    expect(snapshot.skipped).toHaveLength(3);
  });

  it('treats a page that is not JSON as a provider error', async () => {
    await start({ faults: { pathContains: '/v2/list-phone-numbers', malformed: { count: 1 } } });
    const error = await adapter().fetchAll().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as Error).message).toMatch(/^retell: .*not JSON/);
  });

  it('stops with a ProviderError when a cursor answers the page that handed it out', async () => {
    await start({ faults: { stuckPaging: { pathContains: '/v2/list-phone-numbers' } } });
    await expect(adapter({ pageSize: 5 }).fetchAll()).rejects.toThrow(/^retell: GET \/v2\/list-phone-numbers: paging did not advance/);
    expect(requestsTo('/v2/list-phone-numbers')).toBe(2);
  });

  it('stops when the cursor is recycled past the last page instead of looping', async () => {
    // Reported of the live API: has_more stays true and an old pagination_key comes back.
    let firstKey: string | undefined;
    await startRewriting('/v2/list-phone-numbers', (answer, call) => {
      if (call > 20) return { status: 500, body: { status: 'error', message: 'the adapter kept paging' } };
      const body = answer.body as { items: unknown[]; has_more: boolean; pagination_key?: string };
      firstKey ??= body.pagination_key;
      return body.has_more ? answer : { status: 200, body: { ...body, has_more: true, pagination_key: firstKey } };
    });
    const snapshot = await adapter({ pageSize: 5 }).fetchAll();

    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(requestsTo('/v2/list-phone-numbers')).toBeLessThanOrEqual(4);
  });

  it('treats a page without its items list, or has_more without a key, as a provider error', async () => {
    await startRewriting('/v2/list-agents', () => ({ status: 200, body: { agents: [], has_more: false } }));
    await expect(adapter().fetchAll()).rejects.toThrow(/retell: POST \/v2\/list-agents answered a page voicenum cannot read \(items/);
    await fake!.close();

    await startRewriting('/v2/list-phone-numbers', (answer) => ({ status: 200, body: { ...(answer.body as object), has_more: true, pagination_key: undefined } }));
    await expect(adapter().fetchAll()).rejects.toThrow('has_more but sent no pagination_key');
  });

  it('reads one number with a single GET', async () => {
    await start();
    const seed = seedNumbers[1]!;
    const number = await adapter().readNumber({ providerId: seed.e164, e164: seed.e164 });

    expect(number.slots.inbound).toEqual(expectedSlot(seed.slots.inbound));
    expect(number.fallback).toBe(seed.fallback);
    expect(fake!.log).toEqual([{ method: 'GET', path: `/get-phone-number/${seed.e164}`, status: 200 }]);
  });
});

describe('Retell adapter: failures', () => {
  it('retries a 429 after exactly the Retry-After it was given', async () => {
    await start({ faults: { pathContains: '/v2/list-phone-numbers', rateLimit: { count: 1, retryAfterSeconds: 2 } } });
    const snapshot = await adapter().fetchAll();

    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(sleeps).toEqual([2_000]);
    expect(fake!.log.filter((entry) => entry.path === '/v2/list-phone-numbers').map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('gives up on a 5xx that never clears with an error naming Retell and quoting its message', async () => {
    await start({ faults: { pathContains: '/v2/list-phone-numbers', serverError: { count: -1, status: 503 } } });
    const error = await adapter().fetchAll().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as Error).message).toContain('retell');
    expect((error as Error).message).toContain('HTTP 503: Internal server error');
    expect(requestsTo('/v2/list-phone-numbers')).toBe(3);
  });

  it('turns a wrong key into an AuthError carrying Retell’s own 401 message', async () => {
    await start();
    const error = await adapter({ apiKey: 'key_not_the_right_one' }).verifyCredentials().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as Error).message).toContain('API key is missing or invalid.');
    expect((error as Error).message).not.toContain('key_not_the_right_one');
    expect((error as AuthError).hint).toContain('RETELL_API_KEY');
    expect(fake!.log).toEqual([{ method: 'GET', path: '/v2/list-phone-numbers', status: 401 }]);
  });

  it('verifies good credentials with one cheap call', async () => {
    await start();
    const retell = adapter();
    await retell.verifyCredentials();
    expect(retell.requestCount).toBe(1);
  });
});

describe('Retell fake: wire rules', () => {
  it('answers a raw key, another scheme or no header with its 401 body', async () => {
    await start();
    for (const auth of [SANDBOX_KEYS.retell, `Basic ${SANDBOX_KEYS.retell}`, `Bearer wrong`, null]) {
      const response = await raw('GET', '/v2/list-phone-numbers', { auth });
      expect(response).toEqual({ status: 401, body: { status: 'error', message: 'API key is missing or invalid.' } });
    }
    expect((await raw('GET', '/v2/list-phone-numbers?limit=1')).status).toBe(200);
  });

  it('pages with pagination_key and has_more, and refuses a limit above 1000', async () => {
    await start();
    const first = await raw('GET', '/v2/list-phone-numbers?limit=10');
    expect(first.body.has_more).toBe(true);
    expect(first.body.items).toHaveLength(10);
    const second = await raw('GET', `/v2/list-phone-numbers?limit=10&pagination_key=${encodeURIComponent(String(first.body.pagination_key))}`);
    expect(second.body).toMatchObject({ has_more: false });
    expect(second.body.items).toHaveLength(seedNumbers.length - 10);
    expect(second.body.pagination_key).toBeUndefined();

    expect(await raw('GET', '/v2/list-phone-numbers?limit=1001')).toEqual({ status: 400, body: { status: 'error', message: 'limit must be an integer between 1 and 1000' } });
  });

  it('answers the removed legacy list endpoint with a 404 that names its successor', async () => {
    await start();
    const response = await raw('GET', '/list-phone-numbers');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ status: 'error', message: 'GET /list-phone-numbers has been removed; use GET /v2/list-phone-numbers' });
  });

  it('filters /v2/list-agents by channel', async () => {
    await start();
    const response = await raw('POST', '/v2/list-agents', { body: { filter_criteria: { channel: { type: 'string', op: 'eq', value: 'chat' } } } });
    expect((response.body.items as { agent_name: string }[]).map((agent) => agent.agent_name)).toEqual(['sms-concierge']);
  });

  it('rejects each removed single-agent field with a 400 in Retell’s error shape', async () => {
    await start();
    const e164 = seedNumbers[0]!.e164;
    const before = structuredClone(state.numbers[0]);
    const removed = ['inbound_agent_id', 'inbound_agent_version', 'outbound_agent_id', 'outbound_agent_version', 'inbound_sms_agent_id', 'inbound_sms_agent_version', 'outbound_sms_agent_id', 'outbound_sms_agent_version'];
    for (const field of removed) {
      const response = await raw('PATCH', `/update-phone-number/${e164}`, { body: { [field]: field.endsWith('version') ? 1 : agentId('sales'), nickname: 'changed' } });
      expect(response.status).toBe(400);
      expect(response.body.status).toBe('error');
      expect(response.body.message).toContain(`${field} is no longer supported`);
    }
    expect(state.numbers[0]).toEqual(before);
  });

  it('refuses bad weighted lists, unknown agents and agents of the wrong channel', async () => {
    await start();
    const e164 = seedNumbers[3]!.e164;
    const before = structuredClone(state.numbers[3]);
    const cases: [unknown, number, string][] = [
      [{ inbound_agents: [{ agent_id: agentId('sales'), weight: 0.6 }, { agent_id: agentId('support'), weight: 0.3 }] }, 400, 'total weights must add up to 1'],
      [{ inbound_agents: [{ agent_id: agentId('sales'), weight: 0 }, { agent_id: agentId('support'), weight: 1 }] }, 400, 'weight must be greater than 0'],
      [{ inbound_agents: [{ agent_id: agentId('sales') }] }, 400, 'weight must be greater than 0'],
      [{ inbound_agents: { agent_id: agentId('sales'), weight: 1 } }, 400, 'must be an array'],
      [{ outbound_agents: [{ agent_id: 'agent_does_not_exist', weight: 1 }] }, 422, 'Cannot find agent agent_does_not_exist'],
      [{ inbound_agents: [{ agent_id: agentId('sales'), agent_version: 9, weight: 1 }] }, 422, 'Cannot find version 9'],
      [{ inbound_agents: [{ agent_id: agentId('sms-concierge'), weight: 1 }] }, 400, 'is a chat agent; inbound_agents takes voice agents'],
      [{ inbound_sms_agents: [{ agent_id: agentId('sales'), weight: 1 }] }, 400, 'is a voice agent; inbound_sms_agents takes chat agents'],
      [{ inbound_agents: [{ agent_id: agentId('after-hours'), agent_version: 'latest_published', weight: 1 }] }, 400, 'has no published version'],
      // A valid list next to a refused field: nothing of the request may stick.
      [{ outbound_agents: [{ agent_id: agentId('sales'), weight: 1 }], nickname: 42 }, 400, 'nickname must be a string or null'],
    ];
    for (const [body, status, message] of cases) {
      const response = await raw('PATCH', `/update-phone-number/${e164}`, { body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.status).toBe('error');
      expect(response.body.message).toContain(message);
    }
    expect(state.numbers[3]).toEqual(before);
    expect((await raw('PATCH', '/update-phone-number/+14150000000', { body: { nickname: 'x' } })).status).toBe(422);
  });

  it('sets and removes the nickname and the fallback number, with Retell’s fallback rules', async () => {
    await start();
    const e164 = seedNumbers[2]!.e164;
    const withFallback = seedNumbers.find((entry) => entry.fallback !== null)!;

    const labelled = await raw('PATCH', `/update-phone-number/${e164}`, { body: { nickname: 'front desk', fallback_number: '+14155550100' } });
    expect(labelled.status).toBe(200);
    expect(labelled.body).toMatchObject({ phone_number: e164, nickname: 'front desk', fallback_number: '+14155550100' });

    expect((await raw('PATCH', `/update-phone-number/${e164}`, { body: { fallback_number: e164 } })).body.message).toBe('fallback_number cannot be the same as this phone number');
    expect((await raw('PATCH', `/update-phone-number/${e164}`, { body: { fallback_number: withFallback.e164 } })).body.message).toContain('already has its own fallback configured');
    expect((await raw('PATCH', `/update-phone-number/${e164}`, { body: { fallback_number: '415-555-0100' } })).status).toBe(400);

    const cleared = await raw('PATCH', `/update-phone-number/${e164}`, { body: { nickname: null, fallback_number: null } });
    expect(cleared.body).toMatchObject({ nickname: null, fallback_number: null });
  });
});

describe('Retell adapter: writing slots', () => {
  async function current(e164: string): Promise<RemoteNumber> {
    return adapter().readNumber({ providerId: e164, e164 });
  }

  it('writes a weighted inbound list with a version pin in one PATCH, and a fresh read shows it', async () => {
    await start();
    const e164 = seedNumbers[3]!.e164; // no agents at all in the seed
    const retell = adapter();
    const before = await current(e164);
    const inbound = [
      { agentId: agentId('sales'), weight: 0.7, version: '2', kind: 'voice' },
      { agentId: agentId('support'), weight: 0.3, version: 'latest_published', kind: 'voice' },
    ];
    const answered = await retell.writeSlots({ providerId: e164, e164 }, { inbound }, before);

    const expected = [
      { agentId: agentId('sales'), weight: 0.7, version: '2' },
      { agentId: agentId('support'), weight: 0.3, version: 'latest_published' },
    ];
    expect(answered.slots.inbound).toEqual(expected);
    expect(retell.requestCount).toBe(1);
    expect((await current(e164)).slots).toEqual({ inbound: expected, outbound: [], sms: [] });
    // The pin travels as an integer, the tag as a string.
    expect(state.numbers[3]!.inbound_agents).toEqual([
      { agent_id: agentId('sales'), agent_version: 2, weight: 0.7 },
      { agent_id: agentId('support'), agent_version: 'latest_published', weight: 0.3 },
    ]);
  });

  it('writes outbound and sms together; sms fills both SMS lists', async () => {
    await start();
    const e164 = seedNumbers[3]!.e164;
    const retell = adapter();
    const slots: SlotWrite = {
      outbound: [{ agentId: agentId('outbound-dialer'), weight: 1, kind: 'voice' }],
      sms: [{ agentId: agentId('sms-concierge'), weight: 1, kind: 'chat' }],
    };
    await retell.writeSlots({ providerId: e164, e164 }, slots, await current(e164));

    const fresh = await current(e164);
    expect(fresh.slots.outbound).toEqual([{ agentId: agentId('outbound-dialer'), weight: 1, version: null }]);
    expect(fresh.slots.sms).toEqual([{ agentId: agentId('sms-concierge'), weight: 1, version: null }]);
    expect(state.numbers[3]!.inbound_sms_agents).toEqual([{ agent_id: agentId('sms-concierge'), weight: 1 }]);
    expect(state.numbers[3]!.outbound_sms_agents).toEqual([{ agent_id: agentId('sms-concierge'), weight: 1 }]);
    expect(fake!.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(1);
  });

  it('clears slots with an empty list and leaves the others alone', async () => {
    await start();
    const seed = seedNumbers[0]!; // receptionist inbound, outbound-dialer outbound, sms-concierge sms
    const key = { providerId: seed.e164, e164: seed.e164 };
    const answered = await adapter().writeSlots(key, { inbound: [], sms: [] }, await current(seed.e164));

    expect(answered.slots).toEqual({ inbound: [], outbound: expectedSlot(seed.slots.outbound), sms: [] });
    expect((await current(seed.e164)).slots).toEqual(answered.slots);
    expect(state.numbers[0]).toMatchObject({ inbound_agents: null, inbound_sms_agents: null, outbound_sms_agents: null });
  });

  it('surfaces Retell refusing an unknown agent as a ProviderError quoting Retell', async () => {
    await start();
    const e164 = seedNumbers[3]!.e164;
    const error = await adapter()
      .writeSlots({ providerId: e164, e164 }, { inbound: [{ agentId: 'agent_gone', weight: 1, kind: 'voice' }] }, await current(e164))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(422);
    expect((error as Error).message).toContain('Cannot find agent agent_gone under given api key.');
  });

  it('treats a slot Retell does not have as a programming error and sends nothing', async () => {
    await start();
    const e164 = seedNumbers[3]!.e164;
    const retell = adapter();
    const before = await current(e164);
    const slots = { voicemail: [{ agentId: agentId('sales'), weight: 1, kind: 'voice' }] } as unknown as SlotWrite;
    const error = await retell.writeSlots({ providerId: e164, e164 }, slots, before).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(VoicenumError);
    expect(retell.requestCount).toBe(0);
  });
});

describe('Retell adapter: writing label and fallback', () => {
  const keyFor = (e164: string) => ({ providerId: e164, e164 });
  async function current(e164: string): Promise<RemoteNumber> {
    return adapter().readNumber(keyFor(e164));
  }
  const patches = () => fake!.log.filter((entry) => entry.method === 'PATCH');

  it('sets the label with one PATCH of nickname, leaving the rest alone, and a fresh read shows it', async () => {
    await start();
    const seed = seedNumbers[0]!; // has agents in every slot
    const before = await current(seed.e164);
    const answered = await adapter().writeSettings(keyFor(seed.e164), { label: 'front desk' }, before);

    expect(answered).toEqual({ ...before, label: 'front desk' });
    expect(patches()).toEqual([{ method: 'PATCH', path: `/update-phone-number/${seed.e164}`, status: 200 }]);
    expect(await current(seed.e164)).toEqual({ ...before, label: 'front desk' });
    expect(state.numbers[0]!.fallback_number).toBe(seed.fallback);
  });

  it('clears the label with null', async () => {
    await start();
    const seed = seedNumbers[2]!;
    const answered = await adapter().writeSettings(keyFor(seed.e164), { label: null }, await current(seed.e164));
    expect(answered.label).toBeNull();
    expect((await current(seed.e164)).label).toBeNull();
    expect(state.numbers[2]!.nickname).toBeNull();
  });

  it('sets the fallback number, then a fresh read shows it with the label unchanged', async () => {
    await start();
    const seed = seedNumbers[2]!;
    const retell = adapter();
    const answered = await retell.writeSettings(keyFor(seed.e164), { fallback: '+14155550142' }, await current(seed.e164));

    expect(answered.fallback).toBe('+14155550142');
    expect(retell.requestCount).toBe(1);
    const fresh = await current(seed.e164);
    expect(fresh).toMatchObject({ fallback: '+14155550142', label: seed.label });
    expect(state.numbers[2]!.fallback_number).toBe('+14155550142');
  });

  it('clears a fallback by sending fallback_number null', async () => {
    await start();
    const seed = seedNumbers.find((entry) => entry.fallback !== null)!;
    const before = await current(seed.e164);
    expect(before.fallback).toBe(seed.fallback);
    const answered = await adapter().writeSettings(keyFor(seed.e164), { fallback: null }, before);

    expect(answered.fallback).toBeNull();
    expect(await current(seed.e164)).toEqual({ ...before, fallback: null });
    expect(state.numbers.find((entry) => entry.phone_number === seed.e164)!.fallback_number).toBeNull();
  });

  it('sets label and fallback together in one PATCH', async () => {
    await start();
    const seed = seedNumbers[4]!;
    const retell = adapter();
    const answered = await retell.writeSettings(keyFor(seed.e164), { label: 'night line', fallback: '+14155550143' }, await current(seed.e164));
    expect(answered).toMatchObject({ label: 'night line', fallback: '+14155550143' });
    expect(retell.requestCount).toBe(1);
    expect(await current(seed.e164)).toMatchObject({ label: 'night line', fallback: '+14155550143' });
  });

  it('surfaces Retell refusing a fallback equal to the number itself as a ProviderError quoting Retell', async () => {
    await start();
    const seed = seedNumbers[2]!;
    const before = await current(seed.e164);
    const error = await adapter()
      .writeSettings(keyFor(seed.e164), { label: 'changed', fallback: seed.e164 }, before)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).status).toBe(400);
    expect((error as Error).message).toContain('retell');
    expect((error as Error).message).toContain('fallback_number cannot be the same as this phone number');
    // A refused update changes nothing, not even the label sent beside it.
    expect(await current(seed.e164)).toEqual(before);
  });

  it('makes no request for an empty settings write and answers the current record', async () => {
    await start();
    const seed = seedNumbers[1]!;
    const before = await current(seed.e164);
    const logged = fake!.log.length;
    const retell = adapter();

    expect(await retell.writeSettings(keyFor(seed.e164), {}, before)).toBe(before);
    expect(await retell.writeSettings(keyFor(seed.e164), { label: undefined, fallback: undefined }, before)).toBe(before);
    expect(retell.requestCount).toBe(0);
    expect(fake!.log).toHaveLength(logged);
  });
});
