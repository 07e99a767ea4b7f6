import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteNumber } from '../../src/domain/model.js';
import { ProviderError } from '../../src/domain/errors.js';
import { createElevenLabsAdapter } from '../../src/providers/elevenlabs/index.js';
import { mapAgent, mapNumber } from '../../src/providers/elevenlabs/map.js';
import { AgentPageSchema, CreatedSchema, elevenlabsErrorMessage } from '../../src/providers/elevenlabs/schema.js';
import type { LifecycleCapability, ProviderAdapter } from '../../src/providers/types.js';
import type { RecordedRequest } from '../../src/sandbox/fake-server.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { generateInstance, OpenApiSpec, specsPresent, SPECS_DIR, type Json, type Schema } from '../helpers/openapi.js';

/**
 * ElevenLabs Agents' adapter and sandbox fake against the platform's own OpenAPI document (3.1.0,
 * api.elevenlabs.io/openapi.json as saved by tryAGI/ElevenLabs on 2026-08-22). The spec gives
 * examples on its schemas: those are read through the adapter first. Then everything the adapter
 * exchanged with the fake (every read, write, import and delete, and the fake's 422s) is validated
 * against the spec: answers by route and status, request bodies by their request schema, and query
 * parameters by the operation's parameter list.
 */

const NUMBERS = '/v1/convai/phone-numbers';
const ONE = '/v1/convai/phone-numbers/{phone_number_id}';
const AGENTS = '/v1/convai/agents';
const VARIANTS = ['GetPhoneNumberTwilioResponseModel', 'GetPhoneNumberExotelResponseModel', 'GetPhoneNumberSIPTrunkResponseModel'];
/** A number libphonenumber accepts: the spec's own examples (`+1234567890`) are too short to be one. */
const REAL_NUMBER = '+14155550123';

describe.skipIf(!specsPresent('elevenlabs'))(`ElevenLabs contract (specs from ${SPECS_DIR})`, () => {
  let spec: OpenApiSpec;

  beforeAll(() => {
    spec = new OpenApiSpec('elevenlabs');
  });

  const component = (name: string) => spec.resolve(`#/components/schemas/${name}`) as Schema;
  const example = (name: string) => structuredClone(component(name).example) as Record<string, Json>;

  describe('what the spec says ElevenLabs sends, through the adapter', () => {
    it('is OpenAPI 3.1; a number is one of three variants told apart by provider; the list is a bare array; no v2 paged list', () => {
      expect(spec.version).toBe('3.1.0');
      const union = spec.responseSchema('get', ONE);
      const refs = ((union.oneOf ?? []) as Schema[]).map((branch) => String(branch.$ref).split('/').at(-1));
      expect(refs).toEqual(VARIANTS);
      expect(spec.responseSchema('get', NUMBERS).type).toBe('array');
      // The SDK has /v1/convai/v2/phone-numbers (paged); the saved spec does not, so the adapter reads v1.
      expect(spec.operation('get', '/v1/convai/v2/phone-numbers')).toBeUndefined();
    });

    it("each variant's own example is valid; its number is too short for E.164, so the adapter skips it with that reason", () => {
      expect(VARIANTS.length).toBe(3);
      for (const name of VARIANTS) {
        const body = example(name);
        expect(spec.check(spec.responseValidator('get', ONE), body), name).toEqual({ valid: true, errors: [] });
        const result = mapNumber(body);
        if (body.phone_number === '+919999999999') {
          expect(result.ok, name).toBe(true);
        } else {
          expect(result, name).toMatchObject({ ok: false, skipped: { provider: 'elevenlabs', kind: 'number', id: body.phone_number_id, reason: expect.stringMatching(/is not in E\.164 form/) } });
        }
      }
    });

    it('each variant with a real number and an assigned agent maps label, origin and the one inbound agent; no outbound, no SMS', () => {
      const agent = example('PhoneNumberAgentInfo');
      expect(agent.agent_id).toBeTruthy();
      for (const name of VARIANTS) {
        const body: Record<string, Json> = { ...example(name), phone_number: REAL_NUMBER, assigned_agent: { ...agent, branch_id: null, environment: 'production' }, supports_inbound: true, supports_outbound: true };
        expect(spec.check(spec.responseValidator('get', ONE), body), name).toEqual({ valid: true, errors: [] });
        const result = mapNumber(body);
        expect(result.ok, name).toBe(true);
        const number = (result as { value: RemoteNumber }).value;
        expect(number, name).toMatchObject<Partial<RemoteNumber>>({ provider: 'elevenlabs', providerId: body.phone_number_id as string, e164: REAL_NUMBER, label: body.label as string, origin: body.provider as string, status: null, fallback: null });
        expect(number.slots, name).toEqual({ inbound: [{ agentId: agent.agent_id, weight: 1 }], outbound: [], sms: [] });
      }
    });

    it('the agents page example is valid and reads as agents with no more pages', () => {
      const page = example('GetAgentsPageResponseModel');
      expect(spec.check(spec.responseValidator('get', AGENTS), page)).toEqual({ valid: true, errors: [] });
      const parsed = AgentPageSchema.parse(page);
      expect(parsed.has_more).toBe(false);
      expect(parsed.agents.length).toBeGreaterThan(0);
      const agents = parsed.agents.map(mapAgent);
      expect(agents).toEqual([{ ok: true, value: { provider: 'elevenlabs', id: 'J3Pbu5gP6NNKBscdCdwB', name: 'My Agent', kind: 'agent', live: null } }]);
    });

    it('the import answers only the new id; a 422 is a list of located messages, which the adapter words', () => {
      const created = generateInstance(spec, spec.responseSchema('post', NUMBERS));
      expect(spec.check(spec.responseValidator('post', NUMBERS), created)).toEqual({ valid: true, errors: [] });
      expect(CreatedSchema.parse(created).phone_number_id).toBeTruthy();
      const refused = { detail: [{ loc: ['body', 'twilio', 'label'], msg: 'Field required', type: 'missing' }] };
      expect(spec.check(spec.responseValidator('post', NUMBERS, '422'), refused)).toEqual({ valid: true, errors: [] });
      expect(elevenlabsErrorMessage(refused)).toBe('twilio.label: Field required');
    });
  });

  describe('the sandbox fake answers and the adapter sends what the spec describes', () => {
    let sandbox: SandboxEnvironment;
    let exchanges: RecordedRequest[];
    let adapter: ProviderAdapter;

    beforeAll(async () => {
      sandbox = await startSandbox();
      // Two agents a page: the seed's four take two pages and a cursor.
      adapter = createElevenLabsAdapter({ apiKey: SANDBOX_KEYS.elevenlabs, baseUrl: sandbox.fakes.elevenlabs.url, pageSize: 2, http: { maxAttempts: 1, timeoutMs: 5_000 } });
      await adapter.verifyCredentials();
      const snapshot = await adapter.fetchAll();
      const free = snapshot.numbers.find((number) => number.slots.inbound.length === 0)!;
      const keyOf = (number: RemoteNumber) => ({ providerId: number.providerId, e164: number.e164 });
      // Every kind of body the adapter writes: an agent, another, none; a label and clearing it.
      let current = await adapter.readNumber(keyOf(free));
      current = await adapter.writeSlots(keyOf(free), { inbound: [{ agentId: snapshot.agents[0]!.id, weight: 1, kind: 'agent' }] }, current);
      current = await adapter.writeSlots(keyOf(free), { inbound: [{ agentId: snapshot.agents[1]!.id, weight: 1, kind: 'agent' }] }, current);
      current = await adapter.writeSlots(keyOf(free), { inbound: [] }, current);
      current = await adapter.writeSettings(keyOf(free), { label: 'contract line' }, current);
      await adapter.writeSettings(keyOf(free), { label: null }, current);
      const life = adapter.lifecycle as Required<LifecycleCapability>;
      const source = { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: `PN${'3'.repeat(32)}` };
      const imported = await life.importFromCarrier({ e164: '+13125550177', label: 'contract import', source });
      await life.release(keyOf(imported));
      await life.release(keyOf(imported));
      // What the fake refuses with a 422: a page too large, an import without its label.
      const raw = createElevenLabsAdapter({ apiKey: SANDBOX_KEYS.elevenlabs, baseUrl: sandbox.fakes.elevenlabs.url, pageSize: 1000, http: { maxAttempts: 1 } });
      await raw.verifyCredentials();
      const refusal = await fetch(`${sandbox.fakes.elevenlabs.url}${NUMBERS}`, { method: 'POST', headers: { 'xi-api-key': SANDBOX_KEYS.elevenlabs, 'Content-Type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', phone_number: REAL_NUMBER, sid: source.accountSid, token: 'x' }) });
      expect(refusal.status).toBe(422);
      const tooLarge = await fetch(`${sandbox.fakes.elevenlabs.url}${AGENTS}?page_size=101`, { headers: { 'xi-api-key': SANDBOX_KEYS.elevenlabs } });
      expect(tooLarge.status).toBe(422);
      exchanges = [...sandbox.fakes.elevenlabs.requests];
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    it('every answer matches the spec schema of its route and status (the 404 of a second delete has none)', () => {
      expect(exchanges.length).toBeGreaterThan(10);
      const problems: string[] = [];
      const covered = new Set<string>();
      for (const exchange of exchanges) {
        const operation = spec.operation(exchange.method, exchange.path);
        expect(operation, `${exchange.method} ${exchange.path} is in the spec`).toBeDefined();
        const status = String(exchange.responseStatus);
        covered.add(`${exchange.method} ${operation!.template} ${status}`);
        if (status === '404') continue;
        const answer = spec.check(spec.responseValidator(exchange.method, operation!.template, status), JSON.parse(exchange.responseBody ?? 'null'));
        problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} ${status} answer ${error}`));
      }
      expect(problems).toEqual([]);
      expect([...covered].sort()).toEqual([`DELETE ${ONE} 200`, `DELETE ${ONE} 404`, `GET ${AGENTS} 200`, `GET ${AGENTS} 422`, `GET ${NUMBERS} 200`, `GET ${ONE} 200`, `PATCH ${ONE} 200`, `POST ${NUMBERS} 200`, `POST ${NUMBERS} 422`]);
    });

    it('every body the adapter sent matches its request schema: agent_id (null to unassign), label, and the Twilio import', () => {
      const sent = exchanges.filter((exchange) => exchange.method === 'PATCH' || (exchange.method === 'POST' && exchange.responseStatus === 200));
      expect(sent.length).toBe(6);
      const problems: string[] = [];
      for (const exchange of sent) {
        const operation = spec.operation(exchange.method, exchange.path)!;
        const check = spec.check(spec.requestValidator(exchange.method, operation.template), JSON.parse(exchange.rawBody));
        problems.push(...check.errors.map((error) => `${exchange.method} ${exchange.rawBody}: ${error}`));
      }
      expect(problems).toEqual([]);
      const bodies = sent.map((exchange) => JSON.parse(exchange.rawBody) as Record<string, unknown>);
      expect(bodies.slice(0, 5).map((body) => Object.keys(body))).toEqual([['agent_id'], ['agent_id'], ['agent_id'], ['label'], ['label']]);
      expect(bodies[2]).toEqual({ agent_id: null });
      expect(bodies[4]).toEqual({ label: '' });
      expect(bodies[5]).toEqual({ provider: 'twilio', phone_number: '+13125550177', label: 'contract import', sid: sandbox.env.TWILIO_ACCOUNT_SID, token: SANDBOX_KEYS.twilioAuthToken });
      // The import matches the Twilio branch of the request's anyOf, not only the looser SIP one.
      expect(spec.check(spec.componentValidator('CreateTwilioPhoneNumberRequest'), bodies[5]).valid).toBe(true);
    });

    it('every query parameter the adapter sent is one the operation declares, within its bounds', () => {
      const reads = exchanges.filter((exchange) => exchange.method === 'GET' && exchange.responseStatus === 200);
      expect(reads.length).toBeGreaterThan(3);
      const problems: string[] = [];
      for (const exchange of reads) {
        const operation = spec.operation('get', exchange.path)!;
        const declared = new Map(((operation.node.parameters ?? []) as { name: string; in: string; schema: Schema }[]).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
        for (const [name, value] of new URLSearchParams(exchange.query)) {
          const schema = declared.get(name);
          if (!schema) {
            problems.push(`${exchange.path}?${exchange.query}: ${name} is not a parameter`);
            continue;
          }
          const typed = schema.type === 'integer' ? Number(value) : value;
          const check = spec.check(spec.schemaValidator(`query ${operation.template} ${name}`, schema), typed);
          problems.push(...check.errors.map((error) => `${exchange.path}?${name}=${value}: ${error}`));
        }
      }
      expect(problems).toEqual([]);
      const agentPages = reads.filter((exchange) => exchange.path === AGENTS).map((exchange) => exchange.query);
      expect(agentPages.some((query) => query.includes('cursor='))).toBe(true);
    });

    it('the import and release errors the adapter meets are typed: a second delete is already gone', async () => {
      const life = adapter.lifecycle as Required<LifecycleCapability>;
      await expect(life.release({ providerId: 'phnum_gone', e164: REAL_NUMBER })).resolves.toBeUndefined();
      const error = await life.importFromCarrier({ e164: '+13125550178', source: { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: 'wrong', phoneNumberSid: `PN${'4'.repeat(32)}` } }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).message).toContain('Twilio rejected the account SID and auth token');
    });
  });
});
