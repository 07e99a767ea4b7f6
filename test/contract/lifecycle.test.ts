import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import { createRetellAdapter } from '../../src/providers/retell/index.js';
import { toRemoteNumber } from '../../src/providers/retell/map.js';
import { phoneNumberSchema, retellErrorMessage } from '../../src/providers/retell/schema.js';
import type { LifecycleCapability, CarrierSource } from '../../src/providers/types.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { mapNumber } from '../../src/providers/vapi/map.js';
import type { RecordedRequest } from '../../src/sandbox/fake-server.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { generateInstance, OpenApiSpec, specsPresent, SPECS_DIR, type Json, type Schema } from '../helpers/openapi.js';

/**
 * Buying, importing and deleting numbers at Retell and Vapi against their own OpenAPI documents:
 * what the specs say the platforms answer parses through the adapters' wire schemas, and what the
 * sandbox fakes answer (and the adapters send) matches the specs, status codes included. Bland has
 * no published spec; its fake follows the doc pages (see src/sandbox/fakes/bland.ts).
 */

const CREATE = '/create-phone-number';
const IMPORT = '/import-phone-number';
const DELETE = '/delete-phone-number/{phone_number}';

const FRESH = '+13125550177';

/** The exchanges of one fake whose path starts with one of `prefixes`. */
function exchangesTo(requests: RecordedRequest[], prefixes: string[]): RecordedRequest[] {
  return requests.filter((request) => request.method !== 'GET' && prefixes.some((prefix) => request.path.startsWith(prefix)));
}

describe.skipIf(!specsPresent('retell'))(`Retell number lifecycle contract (specs from ${SPECS_DIR})`, () => {
  let spec: OpenApiSpec;
  let sandbox: SandboxEnvironment;
  let exchanges: RecordedRequest[];
  let takenError: ProviderError;

  beforeAll(async () => {
    spec = new OpenApiSpec('retell');
    sandbox = await startSandbox();
    const adapter = createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: sandbox.fakes.retell.url, http: { maxAttempts: 1, timeoutMs: 5_000 } });
    const life = adapter.lifecycle as Required<LifecycleCapability>;
    const twilio: CarrierSource = { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: `PN${'2'.repeat(32)}` };
    const bought = await life.buy({ areaCode: '415', country: 'US', label: 'contract buy' });
    await life.buy({ tollFree: true });
    await life.importFromCarrier({ e164: FRESH, label: 'contract import', source: twilio, trunk: { terminationUri: 'vn-contract.pstn.twilio.com', username: 'voicenum', password: 'Contract-Pass-9' } });
    takenError = await life.buy({ e164: bought.e164 }).then(
      () => {
        throw new Error('buying a taken number succeeded');
      },
      (error: unknown) => error as ProviderError,
    );
    await life.release({ providerId: bought.e164, e164: bought.e164 });
    await life.release({ providerId: bought.e164, e164: bought.e164 });
    exchanges = exchangesTo(sandbox.fakes.retell.requests, ['/create-phone-number', '/import-phone-number', '/delete-phone-number/']);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('a create or import answer as the spec describes it (every field set) reads as a number; the trunk of an import is read', () => {
    for (const path of [CREATE, IMPORT]) {
      const body = generateInstance(spec, spec.responseSchema('post', path, '201'), { optional: true }) as Record<string, Json>;
      expect(spec.check(spec.responseValidator('post', path, '201'), body), path).toEqual({ valid: true, errors: [] });
      const wire = phoneNumberSchema.parse(body);
      expect(toRemoteNumber(wire), path).toMatchObject({ e164: '+14157774444', label: 'Frontdesk Number', origin: 'retell-twilio' });
      expect(wire.sip_outbound_trunk_config?.termination_uri, path).toBe('someuri.pstn.twilio.com');
    }
  });

  it('the spec gives a 201 for create and import, a 204 without a body for delete', () => {
    expect(Object.keys(spec.operation('post', CREATE)!.node.responses as object)).toContain('201');
    expect(Object.keys(spec.operation('post', IMPORT)!.node.responses as object)).toContain('201');
    expect(() => spec.responseSchema('delete', DELETE, '204')).toThrow(/has no JSON 204 schema/);
  });

  it('the fake answers each call with the status and body the spec gives, and each body sent matches its request schema', () => {
    const seen = exchanges.map((exchange) => `${exchange.method} ${spec.operation(exchange.method, exchange.path)!.template} ${exchange.responseStatus}`);
    expect(seen).toEqual([`POST ${CREATE} 201`, `POST ${CREATE} 201`, `POST ${IMPORT} 201`, `POST ${CREATE} 400`, `DELETE ${DELETE} 204`, `DELETE ${DELETE} 422`]);
    const problems: string[] = [];
    for (const exchange of exchanges) {
      const template = spec.operation(exchange.method, exchange.path)!.template;
      const status = String(exchange.responseStatus);
      if (status === '204') {
        expect(exchange.responseBody).toBe('');
        continue;
      }
      const answer = spec.check(spec.responseValidator(exchange.method, template, status), JSON.parse(exchange.responseBody ?? 'null'));
      problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} ${status} answer ${error}`));
      if (exchange.method === 'POST') {
        const sent = spec.check(spec.requestValidator('post', template), JSON.parse(exchange.rawBody));
        problems.push(...sent.errors.map((error) => `${exchange.method} ${exchange.path} request ${error}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('the refusal of a taken number reaches the caller with Retell’s own message', () => {
    const refusal = exchanges.find((exchange) => exchange.responseStatus === 400)!;
    const message = retellErrorMessage(JSON.parse(refusal.responseBody!));
    expect(message).toMatch(/is not available for purchase/);
    expect(takenError).toBeInstanceOf(ProviderError);
    expect(takenError.message).toContain(message!);
  });
});

describe.skipIf(!specsPresent('vapi'))(`Vapi number lifecycle contract (specs from ${SPECS_DIR})`, () => {
  let spec: OpenApiSpec;
  let sandbox: SandboxEnvironment;
  let exchanges: RecordedRequest[];
  const ONE = '/phone-number/{id}';

  beforeAll(async () => {
    spec = new OpenApiSpec('vapi');
    sandbox = await startSandbox();
    const adapter = createVapiAdapter({ apiKey: SANDBOX_KEYS.vapi, baseUrl: sandbox.fakes.vapi.url, http: { maxAttempts: 1, timeoutMs: 5_000 } });
    const life = adapter.lifecycle as Required<LifecycleCapability>;
    const twilio: CarrierSource = { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: `PN${'3'.repeat(32)}` };
    const bought = await life.buy({ areaCode: '646', label: 'contract buy' });
    const imported = await life.importFromCarrier({ e164: FRESH, label: 'contract import', source: twilio });
    await life.release({ providerId: bought.providerId, e164: bought.e164 });
    await life.release({ providerId: imported.providerId, e164: imported.e164 });
    exchanges = exchangesTo(sandbox.fakes.vapi.requests, ['/phone-number']);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('a create answer of the twilio and vapi variants, as the spec describes them, maps to a number', () => {
    const union = spec.responseSchema('post', '/phone-number', '201');
    const branches = ((union.oneOf ?? []) as Schema[]).map((branch) => ({ branch, schema: spec.deref(branch) as Schema }));
    const wanted = branches.filter(({ schema }) => ['twilio', 'vapi'].includes(((schema.properties as Record<string, Schema>).provider!.enum as string[])[0]!));
    expect(wanted).toHaveLength(2);
    for (const { branch } of wanted) {
      const body = generateInstance(spec, branch, { optional: true, values: { number: '+14155550123' }, skip: ['hooks', 'server', 'transferPlan'] });
      expect(spec.check(spec.responseValidator('post', '/phone-number', '201'), body)).toEqual({ valid: true, errors: [] });
      const result = mapNumber(body);
      expect(result.ok).toBe(true);
      expect((result as { ok: true; value: { e164: string; origin: string | null } }).value.e164).toBe('+14155550123');
    }
  });

  it('the fake answers create with 201 and delete with 200 and the deleted record, as the spec gives them; the bodies sent match the create DTO', () => {
    const seen = exchanges.map((exchange) => `${exchange.method} ${spec.operation(exchange.method, exchange.path)!.template} ${exchange.responseStatus}`);
    expect(seen).toEqual(['POST /phone-number 201', 'POST /phone-number 201', `DELETE ${ONE} 200`, `DELETE ${ONE} 200`]);
    const problems: string[] = [];
    for (const exchange of exchanges) {
      const template = spec.operation(exchange.method, exchange.path)!.template;
      const answer = spec.check(spec.responseValidator(exchange.method, template, String(exchange.responseStatus)), JSON.parse(exchange.responseBody!));
      problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} answer ${error}`));
      if (exchange.method === 'POST') {
        const sent = spec.check(spec.requestValidator('post', template), JSON.parse(exchange.rawBody));
        problems.push(...sent.errors.map((error) => `${exchange.method} request ${error}`));
      }
    }
    expect(problems).toEqual([]);
    // The import's answer names where it came from; the credentials are not sent back.
    const imported = JSON.parse(exchanges[1]!.responseBody!) as Record<string, unknown>;
    expect(imported).toMatchObject({ provider: 'twilio', number: FRESH, twilioAccountSid: sandbox.env.TWILIO_ACCOUNT_SID });
    expect(imported).not.toHaveProperty('twilioAuthToken');
  });
});
