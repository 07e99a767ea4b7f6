import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, PartialWriteError, ProviderError, VoicenumError } from '../../src/domain/errors.js';
import type { RemoteNumber } from '../../src/domain/model.js';
import { createBlandAdapter, type BlandAdapterSettings } from '../../src/providers/bland/index.js';
import type { NumberKey, ProviderAdapter, WriteSlotAgent } from '../../src/providers/types.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { blandStateFromSeed, createBlandFake, type BlandState } from '../../src/sandbox/fakes/bland.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';

const plan = buildSeedPlan();
const seedNumbers = plan.numbers.filter((number) => number.provider === 'bland');
const seedAgents = plan.agents.filter((agent) => agent.provider === 'bland');
const agentNamed = (name: string) => seedAgents.find((agent) => agent.name === name)!;
const receptionist = agentNamed('receptionist');
const collections = agentNamed('collections');
const intake = agentNamed('intake-flow');
const smsFollowup = agentNamed('sms-followup');
const v2AgentCount = seedAgents.filter((agent) => agent.kind === 'agent').length;

/** The first seeded Bland number whose inbound slot holds this agent. */
const numberHeldBy = (agentId: string): SeedNumber => seedNumbers.find((number) => number.slots.inbound[0]?.agentId === agentId)!;
const unassignedNumber = (): SeedNumber => seedNumbers.find((number) => number.slots.inbound.length === 0)!;

let fake: RunningFake | undefined;
let state: BlandState;
let sleeps: number[] = [];
let traces: string[] = [];

async function start(change?: (state: BlandState) => void, faults: FaultPlan = {}): Promise<RunningFake> {
  state = blandStateFromSeed(plan);
  change?.(state);
  fake = await startFakeServer(createBlandFake(), memoryState(state), faults);
  return fake;
}

function adapter(settings: Partial<BlandAdapterSettings> = {}): ProviderAdapter {
  return createBlandAdapter({
    apiKey: SANDBOX_KEYS.bland,
    baseUrl: fake!.url,
    ...settings,
    http: {
      baseDelayMs: 1,
      maxDelayMs: 10_000,
      timeoutMs: 1_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      trace: (line) => traces.push(line),
      ...settings.http,
    },
  });
}

async function raw(method: string, path: string, options: { body?: unknown; auth?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? SANDBOX_KEYS.bland : options.auth;
  if (auth !== null) headers.authorization = auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${fake!.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const key = (e164: string): NumberKey => ({ providerId: e164, e164 });
/** The key as the assign engine passes it: with what the cache believes the slots hold. */
const hintedKey = (e164: string, inboundAgentId: string): NumberKey => ({ providerId: e164, e164, known: { inbound: [{ agentId: inboundAgentId, weight: 1 }] } });
const slotAgent = (agentId: string, kind: string): WriteSlotAgent => ({ agentId, kind, weight: 1 });
const requestsTo = (method: string, pattern: RegExp) => fake!.log.filter((entry) => entry.method === method && pattern.test(entry.path));
const writes = () => fake!.log.filter((entry) => entry.method !== 'GET');
const stored = (e164: string) => state.numbers.find((number) => number.phone_number === e164)!;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  sleeps = [];
  traces = [];
});

describe('Bland fetchAll', () => {
  it('reads every seeded number and agent with one request per list and one detail read per v2 agent', async () => {
    await start();
    const snapshot = await adapter().fetchAll();

    expect(snapshot.numbers.map((number) => number.e164).sort()).toEqual(seedNumbers.map((number) => number.e164).sort());
    expect(snapshot.agents.map((agent) => agent.id).sort()).toEqual(seedAgents.map((agent) => agent.id).sort());
    expect(snapshot.skipped).toEqual([]);
    expect(requestsTo('GET', /^\/v1\/inbound$/)).toHaveLength(1);
    expect(requestsTo('GET', /^\/v2\/agents$/)).toHaveLength(1);
    expect(requestsTo('GET', /^\/v1\/pathway$/)).toHaveLength(1);
    expect(requestsTo('GET', /^\/v1\/sms\/numbers$/)).toHaveLength(1);
    expect(requestsTo('GET', /^\/v2\/agents\/[^/]+$/)).toHaveLength(v2AgentCount);
    expect(requestsTo('GET', /^\/v2\/agents\/[^/]+\/inbound$/).length).toBeLessThanOrEqual(v2AgentCount);
    expect(snapshot.requests).toBe(fake!.log.length);
    // The agent list has no cursor, so it is asked for at its documented maximum.
    expect(traces.some((line) => line.includes('/v2/agents?limit=500'))).toBe(true);
  });

  it('spends no binding reads when no number is attached to a persona', async () => {
    await start((s) => {
      for (const number of s.numbers) number.persona_id = null;
    });
    await adapter().fetchAll();
    expect(requestsTo('GET', /^\/v2\/agents\/[^/]+\/inbound$/)).toHaveLength(0);
  });

  it('maps slots, labels and the fields Bland does not have, as the seed plan says', async () => {
    await start();
    const snapshot = await adapter().fetchAll();
    for (const seed of seedNumbers) {
      const number = snapshot.numbers.find((candidate) => candidate.e164 === seed.e164)!;
      expect(number).toEqual<RemoteNumber>({
        provider: 'bland',
        providerId: seed.e164,
        e164: seed.e164,
        label: seed.label,
        status: null,
        capabilities: { voice: null, sms: null },
        region: null,
        fallback: null,
        origin: null,
        slots: {
          inbound: seed.slots.inbound.map((slot) => ({ agentId: slot.agentId, weight: 1 })),
          outbound: [],
          sms: seed.slots.sms.map((slot) => ({ agentId: slot.agentId, weight: 1 })),
        },
      });
    }
    for (const seed of seedAgents) {
      const agent = snapshot.agents.find((candidate) => candidate.id === seed.id)!;
      expect(agent).toEqual({ provider: 'bland', id: seed.id, name: seed.name, kind: seed.kind, live: seed.live });
    }
    expect(snapshot.agents.find((agent) => agent.name === 'renewals-beta')!.live).toBe(false);
  });

  it('reports a number attached to a v1 persona with that persona as its agent', async () => {
    const target = unassignedNumber().e164;
    await start((s) => {
      s.personas.push({ id: 'persona-legacy-1', name: 'legacy-support', user_id: s.orgId, current_production_version_id: 'v-9', current_draft_version_id: null, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', deleted_at: null, agent_id: null });
      s.numbers.find((number) => number.phone_number === target)!.persona_id = 'persona-legacy-1';
    });
    const snapshot = await adapter().fetchAll();
    expect(snapshot.agents).toContainEqual({ provider: 'bland', id: 'persona-legacy-1', name: 'legacy-support', kind: 'persona', live: true });
    expect(snapshot.numbers.find((number) => number.e164 === target)!.slots.inbound).toEqual([{ agentId: 'persona-legacy-1', weight: 1 }]);
  });

  it('skips and reports malformed records; the others still come back', async () => {
    await start((s) => {
      s.numbers.push({ ...s.numbers[0]!, phone_number: '4155550000' });
      (s.numbers as unknown[]).push({ label: 'no number at all' });
      (s.pathways as unknown[]).push({ name: 'pathway without id' });
    });
    const snapshot = await adapter().fetchAll();
    expect(snapshot.numbers.map((number) => number.e164).sort()).toEqual(seedNumbers.map((number) => number.e164).sort());
    expect(snapshot.skipped).toHaveLength(3);
    expect(snapshot.skipped).toContainEqual(expect.objectContaining({ kind: 'number', id: '4155550000', reason: expect.stringContaining('not E.164') }));
    expect(snapshot.skipped).toContainEqual(expect.objectContaining({ kind: 'number', id: '(no id)', reason: expect.stringContaining('phone_number') }));
    expect(snapshot.skipped).toContainEqual(expect.objectContaining({ kind: 'agent', id: '(no id)' }));
  });

  it('skips a number attached to a persona Bland does not show', async () => {
    const target = unassignedNumber().e164;
    await start((s) => {
      s.numbers.find((number) => number.phone_number === target)!.persona_id = 'persona-gone';
    });
    const snapshot = await adapter().fetchAll();
    expect(snapshot.numbers.map((number) => number.e164)).not.toContain(target);
    expect(snapshot.skipped).toEqual([expect.objectContaining({ kind: 'number', id: target, reason: expect.stringContaining('persona-gone') })]);
  });

  it('syncs an account without SMS (not Enterprise): no SMS assignments, no failure', async () => {
    await start((s) => {
      s.smsEnabled = false;
    });
    const snapshot = await adapter().fetchAll();
    expect(requestsTo('GET', /^\/v1\/sms\/numbers$/)[0]!.status).toBe(403);
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(snapshot.numbers.every((number) => number.slots.sms.length === 0)).toBe(true);
  });
});

describe('Bland HTTP behaviour', () => {
  it('retries a 429 after exactly the Retry-After wait and succeeds', async () => {
    await start(undefined, { pathContains: '/v1/inbound', rateLimit: { count: 1, retryAfterSeconds: 3 } });
    const snapshot = await adapter().fetchAll();
    expect(snapshot.numbers).toHaveLength(seedNumbers.length);
    expect(sleeps).toEqual([3000]);
    expect(requestsTo('GET', /^\/v1\/inbound$/).map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('ends a 5xx that never clears in a ProviderError naming Bland and quoting its message, after a bounded number of attempts', async () => {
    await start(undefined, { pathContains: '/v1/inbound', serverError: { count: -1, status: 503 } });
    const error = await adapter({ http: { maxAttempts: 3 } }).fetchAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(5);
    expect((error as ProviderError).message).toMatch(/^bland: GET \/v1\/inbound failed with HTTP 503: Internal server error \(after 3 attempts\)$/);
    expect(requestsTo('GET', /^\/v1\/inbound$/)).toHaveLength(3);
  });

  it('treats a list body that is not JSON as a ProviderError', async () => {
    await start(undefined, { pathContains: '/v1/inbound', malformed: { count: 1 } });
    await expect(adapter().fetchAll()).rejects.toThrow(/bland: .*not JSON/);
  });

  it('answers a wrong key with its own 401 body and the adapter turns it into an AuthError', async () => {
    await start();
    const error = await adapter({ apiKey: 'sk-wrong-key-0000' }).verifyCredentials().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).message).toContain('Invalid API key');
    expect((error as AuthError).message).not.toContain('sk-wrong-key-0000');
    expect(await raw('GET', '/v1/inbound', { auth: 'sk-wrong-key-0000' })).toEqual({ status: 401, body: { status: 'error', message: 'Invalid API key' } });
    expect(await raw('GET', '/v2/agents', { auth: 'sk-wrong-key-0000' })).toEqual({ status: 401, body: { data: null, errors: [{ error: 'UNAUTHORIZED', message: 'Invalid API key' }] } });
  });

  it('refuses the Bearer form of a valid key and a missing header with its 401', async () => {
    await start();
    expect(await raw('GET', '/v1/inbound', { auth: `Bearer ${SANDBOX_KEYS.bland}` })).toEqual({ status: 401, body: { status: 'error', message: 'Invalid API key' } });
    expect((await raw('GET', '/v1/inbound', { auth: null })).status).toBe(401);
    expect((await raw('GET', '/v1/inbound')).status).toBe(200);
    await expect(adapter().verifyCredentials()).resolves.toBeUndefined();
  });
});

describe('Bland fake wire format', () => {
  it('keeps its seeded state as plain JSON, with the plan’s ids', async () => {
    await start();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state.numbers.map((number) => number.phone_number)).toEqual(seedNumbers.map((number) => number.e164));
    expect([...state.agents.map((agent) => agent.id), ...state.pathways.map((pathway) => pathway.id)].sort()).toEqual(seedAgents.map((agent) => agent.id).sort());
  });

  it('sets a label and refuses a bad one without touching the pathway', async () => {
    await start();
    const target = numberHeldBy(intake.id).e164;
    expect((await raw('POST', `/v1/inbound/${encodeURIComponent(target)}`, { body: { pathway_id: '', label: 42 } })).status).toBe(400);
    expect(stored(target)).toMatchObject({ pathway_id: intake.id, label: numberHeldBy(intake.id).label });
    expect((await raw('POST', `/v1/inbound/${encodeURIComponent(target)}`, { body: { label: 'front desk' } })).status).toBe(200);
    expect(stored(target)).toMatchObject({ pathway_id: intake.id, label: 'front desk' });
  });

  it('clamps the agent list limit into 1..500 and lists agents without environments', async () => {
    await start();
    const two = await raw('GET', '/v2/agents?limit=2');
    expect((two.body.data as unknown[]).length).toBe(2);
    expect((await raw('GET', '/v2/agents?limit=0')).body.data).toHaveLength(1);
    expect((await raw('GET', '/v2/agents?limit=100000')).body.data).toHaveLength(v2AgentCount);
    expect((two.body.data as Record<string, unknown>[])[0]).not.toHaveProperty('environments');
    const one = await raw('GET', `/v2/agents/${receptionist.id}`);
    expect((one.body.data as { environments: unknown[] }).environments).toHaveLength(3);
  });

  it('finds a number with or without + / %2B / country code in the path', async () => {
    await start();
    const e164 = seedNumbers[0]!.e164;
    for (const form of [e164, encodeURIComponent(e164), e164.slice(2), e164.slice(1)]) {
      expect(await raw('GET', `/v1/inbound/${form}`)).toEqual({ status: 200, body: expect.objectContaining({ phone_number: e164 }) });
    }
    expect(await raw('GET', '/v1/inbound/+14155559999')).toEqual({ status: 404, body: { status: 'error', message: 'Inbound number +14155559999 not found' } });
  });

  it('lists only the BYO Twilio numbers when the encrypted_key header is sent', async () => {
    await start();
    const encryptedKey = state.twilioAccounts[0]!.encrypted_key;
    const listed = await raw('GET', '/v1/inbound', { headers: { encrypted_key: encryptedKey } });
    const imported = seedNumbers.filter((number) => number.importedFromTwilio).map((number) => number.e164);
    expect((listed.body.inbound_numbers as { phone_number: string }[]).map((number) => number.phone_number)).toEqual(imported);
  });

  it('answers an unknown agent binding with persona_id null, as documented', async () => {
    await start();
    expect(await raw('GET', '/v2/agents/no-such-agent/inbound')).toEqual({ status: 200, body: { data: { agent_id: 'no-such-agent', persona_id: null }, errors: null } });
  });

  it('refuses malformed or impossible writes with Bland’s error bodies and changes nothing', async () => {
    await start();
    const target = numberHeldBy(intake.id).e164;
    const before = structuredClone(state);
    expect(await raw('POST', `/v2/agents/${collections.id}/inbound/attach`, { body: { inbound_numbers: [] } })).toEqual({
      status: 400,
      body: { data: null, errors: [{ error: 'INVALID_BODY', message: 'inbound_numbers must be a non-empty array of non-empty strings' }] },
    });
    expect(await raw('POST', `/v2/agents/${collections.id}/inbound/attach`, { body: { inbound_numbers: [target, '+14155559999'] } })).toEqual({
      status: 400,
      body: { data: null, errors: [{ error: 'INVALID_INBOUND_NUMBERS', message: 'Not on your account: +14155559999' }] },
    });
    expect((await raw('POST', '/v2/agents/no-such-agent/inbound/attach', { body: { inbound_numbers: [target] } })).status).toBe(404);
    expect(await raw('POST', `/v1/inbound/${encodeURIComponent(target)}`, { body: { pathway_id: 'no-such-pathway' } })).toEqual({
      status: 400,
      body: { status: 'error', message: 'Pathway no-such-pathway not found' },
    });
    expect((await raw('POST', `/v1/inbound/${encodeURIComponent(target)}`, { body: {} })).status).toBe(400);
    expect((await raw('POST', '/v1/sms/number/update', { body: { pathway_id: smsFollowup.id } })).body.errors).toEqual([{ error: 'MISSING_PHONE_NUMBER', message: 'phone_number is required' }]);
    expect((await raw('POST', '/v1/sms/number/update', { body: { phone_number: target, pathway_id: 'nope' } })).body.errors).toEqual([{ error: 'INVALID_PATHWAY_ID', message: 'Pathway nope not found' }]);
    expect(state).toEqual(before);
  });
});

describe('Bland readNumber and writeSlots', () => {
  it('readNumber reads one number; a fresh adapter learns which agent is behind its persona', async () => {
    await start();
    const seed = numberHeldBy(receptionist.id);
    const number = await adapter().readNumber(key(seed.e164));
    expect(number.slots.inbound).toEqual([{ agentId: receptionist.id, weight: 1 }]);
    expect(number.slots.sms).toEqual([{ agentId: smsFollowup.id, weight: 1 }]);
    expect(number.label).toBe(seed.label);
    expect(requestsTo('GET', /^\/v1\/inbound\//)).toHaveLength(1);
  });

  it('readNumber with a correct hint is one round trip: number, SMS list and the hinted agent’s binding, at once', async () => {
    await start();
    const seed = numberHeldBy(receptionist.id);
    const bland = adapter();
    const number = await bland.readNumber(hintedKey(seed.e164, receptionist.id));
    expect(fake!.log.map((entry) => `${entry.method} ${entry.path}`).sort()).toEqual(
      [`GET /v1/inbound/${encodeURIComponent(seed.e164)}`, 'GET /v1/sms/numbers', `GET /v2/agents/${receptionist.id}/inbound`].sort(),
    );
    expect(bland.requestCount).toBe(3);
    expect(number.slots).toEqual({ inbound: [{ agentId: receptionist.id, weight: 1 }], outbound: [], sms: [{ agentId: smsFollowup.id, weight: 1 }] });
    expect(number.label).toBe(seed.label);
    // The same adapter knows the binding now: the next read skips it.
    fake!.log.length = 0;
    await bland.readNumber(hintedKey(seed.e164, receptionist.id));
    expect(fake!.log).toHaveLength(2);
  });

  it('readNumber sends the three requests concurrently', async () => {
    // With latency on every answer, requests sent one after another never overlap at the server.
    await start(undefined, { latencyMs: 50 });
    const seed = numberHeldBy(receptionist.id);
    await adapter().readNumber(hintedKey(seed.e164, receptionist.id));
    expect(fake!.log).toHaveLength(3);
    expect(fake!.peakInFlight).toBe(3);
  });

  it('readNumber with a wrong hint falls back to the scan and still names the real holder', async () => {
    await start();
    const seed = numberHeldBy(receptionist.id);
    for (const hint of [collections.id, intake.id, 'no-such-agent']) {
      fake!.log.length = 0;
      const number = await adapter().readNumber(hintedKey(seed.e164, hint));
      expect(number.slots.inbound).toEqual([{ agentId: receptionist.id, weight: 1 }]);
      expect(requestsTo('GET', /^\/v2\/agents$/)).toHaveLength(1);
    }
  });

  it('readNumber never takes the hint as the answer: a number with a pathway, or none, is read as such', async () => {
    await start();
    const pathwayNumber = numberHeldBy(intake.id).e164;
    const empty = unassignedNumber().e164;
    expect((await adapter().readNumber(hintedKey(pathwayNumber, receptionist.id))).slots.inbound).toEqual([{ agentId: intake.id, weight: 1 }]);
    expect((await adapter().readNumber(hintedKey(empty, receptionist.id))).slots.inbound).toEqual([]);
    expect(requestsTo('GET', /^\/v2\/agents$/)).toHaveLength(0);
  });

  it('readNumber treats a failing binding read as no hint and still answers', async () => {
    await start(undefined, { pathContains: `/v2/agents/${receptionist.id}/inbound`, serverError: { count: 1, status: 503 } });
    const seed = numberHeldBy(receptionist.id);
    const number = await adapter({ http: { maxAttempts: 1 } }).readNumber(hintedKey(seed.e164, receptionist.id));
    expect(number.slots.inbound).toEqual([{ agentId: receptionist.id, weight: 1 }]);
    expect(requestsTo('GET', /^\/v2\/agents$/)).toHaveLength(1);
    expect(requestsTo('GET', new RegExp(`^/v2/agents/${receptionist.id}/inbound$`)).map((entry) => entry.status)).toEqual([503, 200]);
  });

  it('attaches a v2 agent in place of a pathway with one call', async () => {
    await start();
    const bland = adapter();
    const seed = numberHeldBy(intake.id);
    const current = await bland.readNumber(key(seed.e164));
    fake!.log.length = 0;
    const answer = await bland.writeSlots(key(seed.e164), { inbound: [slotAgent(collections.id, 'agent')] }, current);
    expect(writes().map((entry) => entry.path)).toEqual([`/v2/agents/${collections.id}/inbound/attach`]);
    expect(answer.slots.inbound).toEqual([{ agentId: collections.id, weight: 1 }]);
    expect(stored(seed.e164).pathway_id).toBeNull();
    expect((await adapter().readNumber(key(seed.e164))).slots.inbound).toEqual([{ agentId: collections.id, weight: 1 }]);
  });

  it('attaches a v2 agent to an unassigned number with exactly one request and answers the written slots', async () => {
    await start();
    const bland = adapter();
    const seed = unassignedNumber();
    const current = await bland.readNumber(key(seed.e164));
    fake!.log.length = 0;
    const before = bland.requestCount;
    const answer = await bland.writeSlots(key(seed.e164), { inbound: [slotAgent(collections.id, 'agent')] }, current);
    expect(fake!.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([`POST /v2/agents/${collections.id}/inbound/attach`]);
    expect(bland.requestCount - before).toBe(1);
    expect(answer).toEqual({ ...current, slots: { ...current.slots, inbound: [{ agentId: collections.id, weight: 1 }] } });
    expect(await adapter().readNumber(key(seed.e164))).toEqual(answer);
  });

  it('moves a number from one v2 agent to another with one attach', async () => {
    await start();
    const bland = adapter();
    const seed = numberHeldBy(receptionist.id);
    const current = await bland.readNumber(key(seed.e164));
    fake!.log.length = 0;
    await bland.writeSlots(key(seed.e164), { inbound: [slotAgent(collections.id, 'agent')] }, current);
    expect(writes().map((entry) => entry.path)).toEqual([`/v2/agents/${collections.id}/inbound/attach`]);
    expect((await adapter().readNumber(key(seed.e164))).slots.inbound).toEqual([{ agentId: collections.id, weight: 1 }]);
  });

  it('moves a number from a v2 agent to a pathway: sets the pathway, then detaches the agent', async () => {
    await start();
    const bland = adapter();
    const seed = numberHeldBy(receptionist.id);
    const current = await bland.readNumber(key(seed.e164));
    fake!.log.length = 0;
    await bland.writeSlots(key(seed.e164), { inbound: [slotAgent(intake.id, 'pathway')] }, current);
    // Two requests in all: the pathway, then the detach; no read-back.
    expect(fake!.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([`POST /v1/inbound/${encodeURIComponent(seed.e164)}`, `POST /v2/agents/${receptionist.id}/inbound/detach`]);
    expect(stored(seed.e164)).toMatchObject({ pathway_id: intake.id, persona_id: null });
    expect((await adapter().readNumber(key(seed.e164))).slots.inbound).toEqual([{ agentId: intake.id, weight: 1 }]);
  });

  it('clears an agent by detaching it and a pathway by writing pathway_id null', async () => {
    await start();
    const bland = adapter();
    const agentNumber = numberHeldBy(collections.id).e164;
    const pathwayNumber = numberHeldBy(intake.id).e164;
    const agentCleared = await bland.writeSlots(key(agentNumber), { inbound: [] }, await bland.readNumber(key(agentNumber)));
    const pathwayCleared = await bland.writeSlots(key(pathwayNumber), { inbound: [] }, await bland.readNumber(key(pathwayNumber)));
    expect(writes().map((entry) => entry.path)).toEqual([`/v2/agents/${collections.id}/inbound/detach`, `/v1/inbound/${encodeURIComponent(pathwayNumber)}`]);
    expect(agentCleared.slots.inbound).toEqual([]);
    expect(pathwayCleared.slots.inbound).toEqual([]);
    expect(stored(agentNumber).persona_id).toBeNull();
    expect(stored(pathwayNumber).pathway_id).toBeNull();
  });

  it('sets and clears the SMS pathway through the SMS configuration', async () => {
    await start();
    const bland = adapter();
    const target = unassignedNumber().e164;
    const current = await bland.readNumber(key(target));
    fake!.log.length = 0;
    const set = await bland.writeSlots(key(target), { sms: [slotAgent(intake.id, 'pathway')] }, current);
    expect(fake!.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual(['POST /v1/sms/number/update']);
    expect(set.slots.sms).toEqual([{ agentId: intake.id, weight: 1 }]);
    expect(state.smsNumbers.find((entry) => entry.phone_number === target)!.sms_config.pathway_id).toBe(intake.id);
    const cleared = await bland.writeSlots(key(target), { sms: [] }, set);
    expect(cleared.slots.sms).toEqual([]);
    expect((await adapter().readNumber(key(target))).slots.sms).toEqual([]);
    expect(writes().map((entry) => entry.path)).toEqual(['/v1/sms/number/update', '/v1/sms/number/update']);
  });

  it('treats a slot Bland lacks, several agents or a version pin as a programming error', async () => {
    await start();
    const bland = adapter();
    const seed = unassignedNumber();
    const current = await bland.readNumber(key(seed.e164));
    const attempts = [
      bland.writeSlots(key(seed.e164), { outbound: [slotAgent(collections.id, 'agent')] }, current),
      bland.writeSlots(key(seed.e164), { inbound: [slotAgent(collections.id, 'agent'), slotAgent(receptionist.id, 'agent')] }, current),
      bland.writeSlots(key(seed.e164), { inbound: [{ ...slotAgent(collections.id, 'agent'), version: '2' }] }, current),
      bland.writeSlots(key(seed.e164), { sms: [slotAgent(collections.id, 'agent')] }, current),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(VoicenumError);
    }
    expect(writes()).toEqual([]);
  });

  it('surfaces an upstream refusal (unknown agent id) as a ProviderError quoting Bland', async () => {
    await start();
    const bland = adapter();
    const seed = unassignedNumber();
    const error = await bland.writeSlots(key(seed.e164), { inbound: [slotAgent('no-such-agent', 'agent')] }, await bland.readNumber(key(seed.e164))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe('bland: POST /v2/agents/no-such-agent/inbound/attach failed with HTTP 404: Agent no-such-agent not found (AGENT_NOT_FOUND)');
  });

  it('undoes the pathway it set when detaching the old agent fails', async () => {
    await start();
    const bland = adapter({ http: { maxAttempts: 2 } });
    const seed = numberHeldBy(receptionist.id);
    const current = await bland.readNumber(key(seed.e164));
    fake!.setFaults({ pathContains: '/detach', serverError: { count: -1, status: 500 } });
    await expect(bland.writeSlots(key(seed.e164), { inbound: [slotAgent(intake.id, 'pathway')] }, current)).rejects.toThrow(/bland: POST \/v2\/agents\/.*\/inbound\/detach failed with HTTP 500/);
    fake!.setFaults({});
    expect(stored(seed.e164).pathway_id).toBeNull();
    expect((await adapter().readNumber(key(seed.e164))).slots.inbound).toEqual([{ agentId: receptionist.id, weight: 1 }]);
  });

  it('says what to fix by hand when the undo fails too', async () => {
    await start();
    const bland = adapter({ http: { maxAttempts: 2 } });
    const seed = numberHeldBy(receptionist.id);
    const current = await bland.readNumber(key(seed.e164));
    fake!.setFaults({ failWritesAfter: 1 });
    const error = await bland.writeSlots(key(seed.e164), { inbound: [slotAgent(intake.id, 'pathway')] }, current).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain('could not be undone');
    expect((error as ProviderError).message).toContain(`point ${seed.e164} at pathway ${intake.id}`);
    expect((error as ProviderError).hint).toContain('by hand');
    // Typed, so the engine flags the number with the exact manual fix.
    expect(error).toBeInstanceOf(PartialWriteError);
    expect((error as PartialWriteError).needsAttention).toMatch(/fix by hand in the Bland dashboard: detach .* from pathway .* and point .* back at agent .*; then run `voicenum sync --provider bland`/);
  });
});

describe('Bland writeSettings', () => {
  it('sets the label with one request and answers the record with it; a fresh read agrees', async () => {
    await start();
    const bland = adapter();
    const target = numberHeldBy(receptionist.id).e164;
    const current = await bland.readNumber(key(target));
    const personaBefore = stored(target).persona_id;
    fake!.log.length = 0;
    const answer = await bland.writeSettings(key(target), { label: 'front desk' }, current);
    expect(fake!.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([`POST /v1/inbound/${encodeURIComponent(target)}`]);
    expect(answer).toEqual({ ...current, label: 'front desk' });
    expect(stored(target)).toMatchObject({ label: 'front desk', persona_id: personaBefore });
    expect(await adapter().readNumber(key(target))).toEqual(answer);
  });

  it('clears the label with null', async () => {
    await start();
    const bland = adapter();
    const target = numberHeldBy(intake.id).e164;
    const answer = await bland.writeSettings(key(target), { label: null }, await bland.readNumber(key(target)));
    expect(answer.label).toBeNull();
    expect(stored(target)).toMatchObject({ label: null, pathway_id: intake.id });
  });

  it('refuses a fallback as a programming error before any request', async () => {
    await start();
    const bland = adapter();
    const target = unassignedNumber().e164;
    const current = await bland.readNumber(key(target));
    fake!.log.length = 0;
    for (const settings of [{ fallback: '+14155550100' }, { fallback: null }, { label: 'x', fallback: '+14155550100' }]) {
      const error = await bland.writeSettings(key(target), settings, current).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(VoicenumError);
      expect((error as Error).message).toContain('fallback');
    }
    expect(fake!.log).toEqual([]);
    expect(stored(target).label).toBe(unassignedNumber().label);
  });

  it('makes no request for an empty write and answers the record as it was', async () => {
    await start();
    const bland = adapter();
    const target = unassignedNumber().e164;
    const current = await bland.readNumber(key(target));
    fake!.log.length = 0;
    expect(await bland.writeSettings(key(target), {}, current)).toEqual(current);
    expect(fake!.log).toEqual([]);
  });
});
