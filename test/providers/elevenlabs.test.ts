import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ProviderError } from '../../src/domain/errors.js';
import type { RemoteNumber } from '../../src/domain/model.js';
import { createElevenLabsAdapter } from '../../src/providers/elevenlabs/index.js';
import type { HttpSettings } from '../../src/providers/http.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FakeResponse, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createElevenLabsFake, elevenlabsStateFromSeed, type ElevenLabsState } from '../../src/sandbox/fakes/elevenlabs.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';

/**
 * The ElevenLabs Agents adapter over real HTTP against the sandbox fake: reading numbers and paged
 * agents, the credentials, mapping, the inbound agent and the label (each a PATCH with only what
 * changes), upstream refusals and faults as typed errors; and the fake's own validation.
 */

const plan = buildSeedPlan();
const seedNumbers = plan.numbers.filter((entry) => entry.provider === 'elevenlabs');
const seedAgents = plan.agents.filter((entry) => entry.provider === 'elevenlabs');
const agentNamed = (name: string) => seedAgents.find((entry) => entry.name === name)!;

let fake: RunningFake | undefined;
let state: ElevenLabsState;
let sleeps: number[];

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: { faults?: FaultPlan; edit?: (state: ElevenLabsState) => void; rewrite?: { method: string; path: string; answer: FakeResponse } } = {}): Promise<RunningFake> {
  state = elevenlabsStateFromSeed(plan);
  options.edit?.(state);
  const provider = createElevenLabsFake();
  const rewrite = options.rewrite;
  if (rewrite) provider.routes = provider.routes.map((route) => (route.method === rewrite.method && route.path === rewrite.path ? { ...route, handler: () => rewrite.answer } : route));
  fake = await startFakeServer(provider, memoryState(state), options.faults);
  sleeps = [];
  return fake;
}

function http(): HttpSettings {
  return { baseDelayMs: 1, maxDelayMs: 10_000, timeoutMs: 2_000, maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) };
}

function adapter(running: RunningFake, options: { apiKey?: string; pageSize?: number } = {}) {
  return createElevenLabsAdapter({ apiKey: options.apiKey ?? SANDBOX_KEYS.elevenlabs, baseUrl: running.url, pageSize: options.pageSize, http: http() });
}

/** A raw request to the fake, for what the adapter never sends. */
async function call(running: RunningFake, method: string, path: string, options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
  const key = options.key === undefined ? SANDBOX_KEYS.elevenlabs : options.key;
  if (key !== null) headers['xi-api-key'] = key;
  const response = await fetch(`${running.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: await response.json() };
}

const key = (entry: SeedNumber) => ({ providerId: entry.id, e164: entry.e164 });
const held = seedNumbers.find((entry) => entry.slots.inbound.length > 0 && entry.importedFromTwilio)!;
const free = seedNumbers.find((entry) => entry.slots.inbound.length === 0)!;
const patches = (running: RunningFake) => running.requests.filter((request) => request.method === 'PATCH').map((request) => JSON.parse(request.rawBody) as unknown);
const stored = (id: string) => state.phoneNumbers.find((record) => record.phone_number_id === id)!;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('elevenlabs fetchAll', () => {
  it('reads the numbers in one request and every page of agents with the page size it is given', async () => {
    const running = await start();
    const snapshot = await adapter(running, { pageSize: 1 }).fetchAll();
    expect(snapshot.numbers.map((number) => number.e164).sort()).toEqual(seedNumbers.map((entry) => entry.e164).sort());
    expect(snapshot.agents.map((agent) => agent.id).sort()).toEqual(seedAgents.map((agent) => agent.id).sort());
    const agentPages = running.requests.filter((request) => request.path === '/v1/convai/agents');
    expect(agentPages.map((request) => new URLSearchParams(request.query).get('page_size'))).toEqual(['1', '1', '1', '1']);
    // The first page has no cursor; each later one sends the cursor the page before answered.
    expect(agentPages.map((request) => new URLSearchParams(request.query).has('cursor'))).toEqual([false, true, true, true]);
    expect(running.requests.filter((request) => request.path === '/v1/convai/phone-numbers')).toHaveLength(1);
    expect(snapshot.requests).toBe(5);
    expect(snapshot.skipped).toEqual([]);
  });

  it('asks for the largest page ElevenLabs allows (100) and spends one request per list when everything fits', async () => {
    const running = await start();
    await adapter(running).fetchAll();
    expect(running.requests.map((request) => `${request.path}?${request.query}`).sort()).toEqual(['/v1/convai/agents?page_size=100', '/v1/convai/phone-numbers?']);
  });

  it('retries a 429 after the Retry-After the fake sent and then succeeds', async () => {
    const running = await start({ faults: { pathContains: '/v1/convai/agents', rateLimit: { count: 1, retryAfterSeconds: 2 } } });
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.agents).toHaveLength(seedAgents.length);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up on a 5xx that never clears with a ProviderError naming ElevenLabs and quoting its message', async () => {
    const running = await start({ faults: { serverError: { count: -1, status: 503 } } });
    const error = await rejection(adapter(running).fetchAll());
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^elevenlabs: .*HTTP 503.*Internal server error/);
  });

  it('skips and reports malformed records while the others still come back', async () => {
    const running = await start({
      edit: (s) => {
        s.phoneNumbers[0]!.phone_number = '555-0100';
        (s.agents[1] as unknown as Record<string, unknown>).agent_id = 42;
      },
    });
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.numbers).toHaveLength(seedNumbers.length - 1);
    expect(snapshot.agents).toHaveLength(seedAgents.length - 1);
    expect(snapshot.skipped).toEqual([
      { provider: 'elevenlabs', kind: 'number', id: seedNumbers[0]!.id, reason: 'number "555-0100" is not in E.164 form' },
      { provider: 'elevenlabs', kind: 'agent', id: '(no id)', reason: expect.stringMatching(/^agent_id: /) },
    ]);
  });

  it('stops with a ProviderError when the agent cursor comes back, or more is claimed without a cursor', async () => {
    const stuck = await start({ faults: { stuckPaging: { pathContains: '/v1/convai/agents' } } });
    const error = await rejection(adapter(stuck, { pageSize: 1 }).fetchAll());
    expect(error.message).toMatch(/^elevenlabs: GET \/v1\/convai\/agents: paging did not advance/);
    // The second page comes back as the first, with the first page's cursor: stopped there.
    expect(stuck.requests.filter((request) => request.path === '/v1/convai/agents')).toHaveLength(2);
    await fake!.close();
    const endless = await start({ rewrite: { method: 'GET', path: '/v1/convai/agents', answer: { status: 200, body: { agents: [], next_cursor: null, has_more: true } } } });
    const noCursor = await rejection(adapter(endless).fetchAll());
    expect(noCursor.message).toContain('with has_more but no next_cursor');
  });

  it('treats a number list that is not an array, or an agent page without its fields, as a ProviderError', async () => {
    const running = await start({ rewrite: { method: 'GET', path: '/v1/convai/phone-numbers', answer: { status: 200, body: { phone_numbers: [] } } } });
    expect((await rejection(adapter(running).fetchAll())).message).toContain('something other than a list of phone numbers');
    await fake!.close();
    const agents = await start({ rewrite: { method: 'GET', path: '/v1/convai/agents', answer: { status: 200, body: { items: [] } } } });
    expect((await rejection(adapter(agents).fetchAll())).message).toContain('without its agents list and has_more');
  });
});

describe('elevenlabs credentials', () => {
  it('turns a wrong key into an AuthError after the fake answered its own 401', async () => {
    const running = await start();
    const error = await rejection(adapter(running, { apiKey: 'sk_wrong_key_0000' }).verifyCredentials());
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe('elevenlabs rejected the credentials (HTTP 401: Invalid API key)');
    expect((error as AuthError).hint).toContain('ELEVENLABS_API_KEY');
    expect(error.message).not.toContain('sk_wrong_key_0000');
  });

  it('a key quoted back by an upstream error, in any encoding, is shown as ***', async () => {
    const running = await start({ faults: { echoCredentials: { count: -1, status: 400 } } });
    const error = await rejection(adapter(running).verifyCredentials());
    expect(error.message).toContain('credentials not accepted: header=***');
    expect(error.message).not.toContain(SANDBOX_KEYS.elevenlabs);
    expect(error.message).not.toContain(Buffer.from(SANDBOX_KEYS.elevenlabs).toString('base64'));
  });

  it('accepts the right key with one cheap call, sent as xi-api-key', async () => {
    const running = await start();
    await adapter(running).verifyCredentials();
    expect(running.requests.map((request) => `${request.path}?${request.query}`)).toEqual(['/v1/convai/agents?page_size=1']);
  });

  it('refuses the right key in an Authorization header, as ElevenLabs reads xi-api-key', async () => {
    const running = await start();
    const answer = await call(running, 'GET', '/v1/convai/agents', { key: null, headers: { Authorization: `Bearer ${SANDBOX_KEYS.elevenlabs}` } });
    expect(answer).toEqual({ status: 401, body: { detail: { status: 'needs_authorization', message: 'Neither authorization header nor xi-api-key received, please provide one.' } } });
  });
});

describe('elevenlabs mapping', () => {
  it('maps numbers as the seed plan describes them: one inbound agent, the label, the origin; no status, fallback or region', async () => {
    const running = await start();
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    for (const entry of seedNumbers) {
      const number = snapshot.numbers.find((candidate) => candidate.providerId === entry.id)!;
      expect(number).toEqual<RemoteNumber>({
        provider: 'elevenlabs',
        providerId: entry.id,
        e164: entry.e164,
        label: entry.label,
        status: null,
        capabilities: { voice: null, sms: null },
        region: null,
        fallback: null,
        origin: entry.importedFromTwilio ? 'twilio' : 'sip_trunk',
        slots: { inbound: entry.slots.inbound.map((slot) => ({ agentId: slot.agentId, weight: 1 })), outbound: [], sms: [] },
      });
    }
    expect(new Set(snapshot.numbers.map((number) => number.origin))).toEqual(new Set(['twilio', 'sip_trunk']));
  });

  it('maps agents with their names, one kind, and live unknown (ElevenLabs has no published flag)', async () => {
    const running = await start();
    const snapshot = await adapter(running).fetchAll();
    expect(snapshot.agents.length).toBe(seedAgents.length);
    for (const agent of snapshot.agents) expect(agent).toEqual({ provider: 'elevenlabs', id: agent.id, name: seedAgents.find((entry) => entry.id === agent.id)!.name, kind: 'agent', live: null });
    expect(snapshot.agents.map((agent) => agent.name)).toContain('receptionist');
  });
});

describe('elevenlabs writes', () => {
  it('assigns the inbound agent with agent_id alone, and the answer shows it', async () => {
    const running = await start();
    const client = adapter(running);
    const current = await client.readNumber(key(free));
    const support = agentNamed('support-desk');
    const after = await client.writeSlots(key(free), { inbound: [{ agentId: support.id, weight: 1, kind: 'agent' }] }, current);
    expect(after.slots.inbound).toEqual([{ agentId: support.id, weight: 1 }]);
    expect(patches(running)).toEqual([{ agent_id: support.id }]);
    expect(stored(free.id).assigned_agent).toMatchObject({ agent_id: support.id, agent_name: 'support-desk' });
  });

  it('unassigns with agent_id null, and sends nothing when the number already holds what is asked', async () => {
    const running = await start();
    const client = adapter(running);
    const current = await client.readNumber(key(held));
    const same = await client.writeSlots(key(held), { inbound: [{ agentId: held.slots.inbound[0]!.agentId, weight: 1, kind: 'agent' }] }, current);
    expect(same).toBe(current);
    expect(patches(running)).toEqual([]);
    const cleared = await client.writeSlots(key(held), { inbound: [] }, current);
    expect(cleared.slots.inbound).toEqual([]);
    expect(patches(running)).toEqual([{ agent_id: null }]);
    expect(stored(held.id).assigned_agent).toBeNull();
  });

  it('refuses slots and shapes ElevenLabs does not have as programming errors, before any request', async () => {
    const running = await start();
    const client = adapter(running);
    const current = await client.readNumber(key(free));
    const before = running.requests.length;
    const agent = agentNamed('receptionist');
    const bad = [
      { outbound: [{ agentId: agent.id, weight: 1, kind: 'agent' }] },
      { sms: [{ agentId: agent.id, weight: 1, kind: 'agent' }] },
      { inbound: [{ agentId: agent.id, weight: 0.5, kind: 'agent' }, { agentId: agentNamed('support-desk').id, weight: 0.5, kind: 'agent' }] },
      { inbound: [{ agentId: agent.id, weight: 1, kind: 'agent', version: '3' }] },
      { inbound: [{ agentId: agent.id, weight: 1, kind: 'assistant' }] },
    ];
    for (const slots of bad) {
      const error = await rejection(client.writeSlots(key(free), slots, current));
      expect(error).not.toBeInstanceOf(ProviderError);
    }
    expect(running.requests.length).toBe(before);
  });

  it('surfaces an upstream refusal of an unknown agent as a ProviderError quoting ElevenLabs', async () => {
    const running = await start();
    const client = adapter(running);
    const current = await client.readNumber(key(free));
    const error = await rejection(client.writeSlots(key(free), { inbound: [{ agentId: 'NoSuchAgent000000000', weight: 1, kind: 'agent' }] }, current));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(404);
    expect(error.message).toContain('Agent with id NoSuchAgent000000000 not found');
  });

  it('sets the label with label alone, clears it with an empty label, and sends nothing for the same label', async () => {
    const running = await start();
    const client = adapter(running);
    let current = await client.readNumber(key(free));
    current = await client.writeSettings(key(free), { label: 'front desk' }, current);
    expect(current.label).toBe('front desk');
    expect(await client.writeSettings(key(free), { label: 'front desk' }, current)).toBe(current);
    current = await client.writeSettings(key(free), { label: null }, current);
    expect(current.label).toBeNull();
    expect(patches(running)).toEqual([{ label: 'front desk' }, { label: '' }]);
    expect(stored(free.id).label).toBe('');
  });

  it('refuses a fallback (ElevenLabs has none) before any request', async () => {
    const running = await start();
    const client = adapter(running);
    const current = await client.readNumber(key(free));
    const before = running.requests.length;
    await rejection(client.writeSettings(key(free), { fallback: '+14155550100' }, current));
    expect(running.requests.length).toBe(before);
  });

  it('a number that is gone is a ProviderError with the 404', async () => {
    const running = await start();
    const error = await rejection(adapter(running).readNumber({ providerId: 'phnum_missing', e164: free.e164 }));
    expect((error as ProviderError).status).toBe(404);
    expect(error.message).toContain('Phone number with id phnum_missing not found');
  });
});

describe('elevenlabs fake validation (FastAPI 422s as the spec shows them)', () => {
  it('refuses a page size outside 1–100 and a sort it does not know, with located pydantic messages', async () => {
    const running = await start();
    expect(await call(running, 'GET', '/v1/convai/agents?page_size=101&sort_direction=up')).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['query', 'page_size'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' },
          { loc: ['query', 'sort_direction'], msg: "Input should be 'asc' or 'desc'", type: 'enum' },
        ],
      },
    });
    expect((await call(running, 'GET', '/v1/convai/agents?page_size=x')).status).toBe(422);
    expect((await call(running, 'GET', '/v1/convai/phone-numbers?provider=vonage')).status).toBe(422);
  });

  it('refuses unknown or mistyped PATCH fields and changes nothing', async () => {
    const running = await start();
    const before = structuredClone(stored(held.id));
    const answer = await call(running, 'PATCH', `/v1/convai/phone-numbers/${held.id}`, { body: { agentId: 'x', label: 5 } });
    expect(answer).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'agentId'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
          { loc: ['body', 'label'], msg: 'Input should be a valid string', type: 'string_type' },
        ],
      },
    });
    expect(stored(held.id)).toEqual(before);
  });

  it('pages agents by cursor in a stable order, and lists only archived ones when asked', async () => {
    const running = await start({ edit: (s) => void (s.agents[0]!.archived = true) });
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer = (await call(running, 'GET', `/v1/convai/agents?page_size=2${cursor ? `&cursor=${cursor}` : ''}`)).body as { agents: { agent_id: string }[]; next_cursor: string | null; has_more: boolean };
      ids.push(...answer.agents.map((agent) => agent.agent_id));
      if (!answer.has_more) break;
      cursor = answer.next_cursor;
    }
    expect(ids).toHaveLength(seedAgents.length - 1);
    expect(new Set(ids).size).toBe(ids.length);
    const archived = (await call(running, 'GET', '/v1/convai/agents?archived=true')).body as { agents: { agent_id: string }[] };
    expect(archived.agents.map((agent) => agent.agent_id)).toEqual([state.agents[0]!.agent_id]);
  });
});
