import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteNumber } from '../../src/domain/model.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { mapAssistant, mapNumber, mapSquad } from '../../src/providers/vapi/map.js';
import { PhoneNumberPageSchema } from '../../src/providers/vapi/schema.js';
import type { RecordedRequest } from '../../src/sandbox/fake-server.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { generateInstance, OpenApiSpec, specsPresent, SPECS_DIR, type Json, type Schema } from '../helpers/openapi.js';

/**
 * Vapi's adapter and sandbox fake against Vapi's own OpenAPI document (3.0.0, VapiAI/docs
 * `fern/apis/api/openapi.json` of 2026-08-18). It gives no response examples, so bodies are
 * generated from the response schemas. A phone number is a `oneOf` of five variants told apart by
 * `provider`; each variant is checked.
 */

const NUMBER = '+14155550123';
const ASSISTANT_ID = '3f2a8c1e-5b7d-4e09-9a6f-0c1d2e3f4a5b';
/** Vapi's `number` fields are plain strings in the spec and E.164 on the wire (the API refuses others). */
const WIRE_VALUES = { number: NUMBER, assistantId: ASSISTANT_ID };

const ONE = '/phone-number/{id}';

/**
 * Optional fields voicenum never reads whose schemas nest deep unions (call hooks, webhook server
 * settings, transfer plans): left out of the "every field set" instances, which the small
 * generator could not fill validly and which would prove nothing about the adapter.
 */
const DEEP_UNREAD = ['hooks', 'server', 'transferPlan'];

describe.skipIf(!specsPresent('vapi'))(`Vapi contract (specs from ${SPECS_DIR})`, () => {
  let spec: OpenApiSpec;

  beforeAll(() => {
    spec = new OpenApiSpec('vapi');
  });

  /** The five phone-number variants of the response `oneOf`, by their `provider` value. */
  function variants(): { provider: string; schema: Schema }[] {
    const union = spec.responseSchema('get', ONE);
    const branches = (union.oneOf ?? []) as Schema[];
    return branches.map((branch) => {
      const schema = spec.deref(branch) as Schema;
      const provider = ((schema.properties as Record<string, Schema>).provider!.enum as string[])[0]!;
      return { provider, schema: branch };
    });
  }

  describe('what the spec says Vapi sends, through the adapter', () => {
    it('is OpenAPI 3.0, gives no response examples for these routes, and has five phone-number variants', () => {
      expect(spec.version).toMatch(/^3\.0\./);
      const routes = [['get', ONE], ['patch', ONE], ['get', '/v2/phone-number'], ['get', '/assistant'], ['get', '/squad']] as const;
      expect(routes.length).toBeGreaterThan(0);
      for (const [method, path] of routes) {
        expect(spec.responseExamples(method, path)).toEqual([]);
      }
      expect(variants().map((variant) => variant.provider).sort()).toEqual(['byo-phone-number', 'telnyx', 'twilio', 'vapi', 'vonage']);
    });

    it('each variant with only its required fields is accepted; the ones without a number are skipped with a reason', () => {
      const all = variants();
      expect(all.length).toBeGreaterThan(0);
      const outcomes: Record<string, string> = {};
      for (const { provider, schema } of all) {
        const body = generateInstance(spec, schema, { values: WIRE_VALUES });
        expect(spec.check(spec.responseValidator('get', ONE), body), provider).toEqual({ valid: true, errors: [] });
        const result = mapNumber(body);
        outcomes[provider] = result.ok ? `${result.value.e164} inbound=${result.value.slots.inbound.length} sms=${result.value.slots.sms.length}` : `skipped: ${result.skipped.reason}`;
      }
      // `number` is optional on BYO and Vapi-issued numbers (a SIP-only number has none).
      expect(outcomes).toEqual({
        'byo-phone-number': 'skipped: has no phone number (a SIP-only Vapi number)',
        vapi: 'skipped: has no phone number (a SIP-only Vapi number)',
        twilio: `${NUMBER} inbound=0 sms=0`,
        vonage: `${NUMBER} inbound=0 sms=0`,
        telnyx: `${NUMBER} inbound=0 sms=0`,
      });
    });

    it('each variant with every field set maps handler, label, status and fallback; only Twilio imports text', () => {
      const all = variants();
      expect(all.length).toBeGreaterThan(0);
      for (const { provider, schema } of all) {
        const body = generateInstance(spec, schema, { optional: true, values: WIRE_VALUES, skip: DEEP_UNREAD }) as Record<string, Json>;
        expect(spec.check(spec.responseValidator('get', ONE), body), provider).toEqual({ valid: true, errors: [] });
        const result = mapNumber(body);
        expect(result.ok, provider).toBe(true);
        const number = (result as { value: RemoteNumber }).value;
        const handler = [{ agentId: ASSISTANT_ID, weight: 1 }];
        expect(number, provider).toMatchObject<Partial<RemoteNumber>>({ e164: NUMBER, label: body.name as string, status: 'active', fallback: NUMBER, origin: provider });
        expect(number.slots, provider).toEqual({ inbound: handler, outbound: [], sms: provider === 'twilio' ? handler : [] });
      }
    });

    it('the v2 page envelope is accepted and tells the adapter whether to go on', () => {
      const page = generateInstance(spec, spec.responseSchema('get', '/v2/phone-number'), { optional: true, values: WIRE_VALUES, skip: DEEP_UNREAD });
      expect(spec.check(spec.responseValidator('get', '/v2/phone-number'), page)).toEqual({ valid: true, errors: [] });
      const parsed = PhoneNumberPageSchema.parse(page);
      expect(parsed.results.length).toBeGreaterThan(0);
      expect(parsed.metadata.hasNextPage).toBe(false);
    });

    it('assistants and squads, minimal and named, are accepted and map to agents', () => {
      const assistant = generateInstance(spec, { $ref: '#/components/schemas/Assistant' }) as Record<string, Json>;
      const squad = generateInstance(spec, { $ref: '#/components/schemas/Squad' }) as Record<string, Json>;
      const named = { ...assistant, name: 'front desk', latestVersion: 'v3' };
      const unversioned = { ...assistant, latestVersion: null };
      const assistants = [assistant, named, unversioned];
      expect(assistants.length).toBeGreaterThan(0);
      for (const body of assistants) expect(spec.check(spec.componentValidator('Assistant'), body)).toEqual({ valid: true, errors: [] });
      expect(spec.check(spec.componentValidator('Squad'), squad)).toEqual({ valid: true, errors: [] });
      expect(mapAssistant(assistant)).toEqual({ ok: true, value: { provider: 'vapi', id: assistant.id, name: assistant.id, kind: 'assistant', live: null } });
      expect(mapAssistant(named)).toMatchObject({ ok: true, value: { name: 'front desk', live: true } });
      expect(mapAssistant(unversioned)).toMatchObject({ ok: true, value: { live: null } });
      expect(mapSquad(squad)).toEqual({ ok: true, value: { provider: 'vapi', id: squad.id, name: squad.id, kind: 'squad', live: null } });
    });
  });

  describe('the sandbox fake answers and the adapter sends what the spec describes', () => {
    let sandbox: SandboxEnvironment;
    /** What the adapter exchanged with the fake, taken before any test adds requests of its own. */
    let exchanges: RecordedRequest[];
    let adapter: ProviderAdapter;

    beforeAll(async () => {
      sandbox = await startSandbox();
      adapter = createVapiAdapter({ apiKey: SANDBOX_KEYS.vapi, baseUrl: sandbox.fakes.vapi.url, pageSize: 7, http: { maxAttempts: 1, timeoutMs: 5_000 } });
      await adapter.verifyCredentials();
      const snapshot = await adapter.fetchAll();
      const assistants = snapshot.agents.filter((agent) => agent.kind === 'assistant');
      const squad = snapshot.agents.find((agent) => agent.kind === 'squad')!;
      const imported = snapshot.numbers.find((number) => number.origin === 'twilio' && number.slots.inbound.length > 0)!;
      const own = snapshot.numbers.find((number) => number.origin === 'vapi')!;
      const keyOf = (number: RemoteNumber) => ({ providerId: number.providerId, e164: number.e164 });
      // Every kind of body the adapter writes: a squad then an assistant (the other handler nulled),
      // a cleared handler, texts off and on, a label and a fallback, and clearing those.
      let current = await adapter.readNumber(keyOf(own));
      current = await adapter.writeSlots(keyOf(own), { inbound: [{ agentId: squad.id, weight: 1, kind: 'squad' }] }, current);
      current = await adapter.writeSlots(keyOf(own), { inbound: [{ agentId: assistants[0]!.id, weight: 1, kind: 'assistant' }] }, current);
      current = await adapter.writeSettings(keyOf(own), { label: 'contract line', fallback: imported.e164 }, current);
      current = await adapter.writeSettings(keyOf(own), { label: null, fallback: null }, current);
      await adapter.writeSlots(keyOf(own), { inbound: [] }, current);
      let texts = await adapter.readNumber(keyOf(imported));
      texts = await adapter.writeSlots(keyOf(imported), { sms: [] }, texts);
      await adapter.writeSlots(keyOf(imported), { sms: [{ agentId: assistants[1]!.id, weight: 1, kind: 'assistant' }] }, texts);
      exchanges = [...sandbox.fakes.vapi.requests];
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    it('every answer matches the spec response schema of its route', () => {
      expect(exchanges.length).toBeGreaterThan(0);
      const problems: string[] = [];
      const covered = new Set<string>();
      for (const exchange of exchanges) {
        expect(exchange.responseStatus, `${exchange.method} ${exchange.path}`).toBe(200);
        const operation = spec.operation(exchange.method, exchange.path);
        expect(operation, `${exchange.method} ${exchange.path} is in the spec`).toBeDefined();
        covered.add(`${exchange.method} ${operation!.template}`);
        const answer = spec.check(spec.responseValidator(exchange.method, operation!.template), JSON.parse(exchange.responseBody ?? 'null'));
        problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} answer ${error}`));
      }
      expect(problems).toEqual([]);
      expect([...covered].sort()).toEqual(['GET /assistant', 'GET /phone-number', `GET ${ONE}`, 'GET /squad', 'GET /v2/phone-number', `PATCH ${ONE}`]);
    });

    it('every PATCH body matches the update DTO, except the nulls that clear a field', () => {
      const patches = exchanges.filter((exchange) => exchange.method === 'PATCH');
      expect(patches.length).toBe(7);
      const problems: string[] = [];
      const nulls: string[] = [];
      for (const exchange of patches) {
        const body = JSON.parse(exchange.rawBody) as Record<string, unknown>;
        // The update DTOs type no field as nullable, yet an absent field is left alone, so null is
        // the only way to clear a handler, a name or a fallback (UNCONFIRMED at Vapi; see the
        // adapter's map.ts). Those nulls are listed apart; anything else must match the spec.
        const cleared = Object.keys(body).filter((key) => body[key] === null);
        nulls.push(...cleared);
        const rest = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
        const sent = spec.check(spec.requestValidator('patch', ONE), rest);
        problems.push(...sent.errors.map((error) => `${exchange.rawBody}: ${error}`));
      }
      expect(problems).toEqual([]);
      expect([...new Set(nulls)].sort()).toEqual(['assistantId', 'fallbackDestination', 'name', 'squadId']);
      // The exception is real: the spec itself refuses a clearing null.
      const clearing = patches.map((exchange) => JSON.parse(exchange.rawBody) as Record<string, unknown>).find((body) => body.assistantId === null)!;
      expect(spec.check(spec.requestValidator('patch', ONE), clearing).errors).toContain('/assistantId: must be string');
    });
  });
});
