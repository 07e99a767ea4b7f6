import twilio from 'twilio';
import { ApplicationPage } from 'twilio/lib/rest/api/v2010/account/application.js';
import { IncomingPhoneNumberInstance, IncomingPhoneNumberPage } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js';
import { PhoneNumberInstance as RouteInstance } from 'twilio/lib/rest/routes/v2/phoneNumber.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteNumber } from '../../src/domain/model.js';
import { createTwilioAdapter, type TwilioAdapter } from '../../src/providers/twilio/index.js';
import { checkNumber, toApplicationAgent, toRemoteNumber } from '../../src/providers/twilio/map.js';
import { listPageProblem } from '../../src/providers/twilio/request-client.js';
import { routeSchema } from '../../src/providers/twilio/schema.js';
import type { RecordedRequest } from '../../src/sandbox/fake-server.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { OpenApiSpec, specsPresent, SPECS_DIR, type Json, type Relaxation } from '../helpers/openapi.js';

/**
 * Twilio's adapter and sandbox fake against Twilio's own OpenAPI documents (twilio/twilio-oai
 * @ d50069b: `twilio_api_v2010.json` for IncomingPhoneNumbers and Applications, and
 * `twilio_routes_v2.json` for the inbound processing region). Both give response examples, which
 * are read here through the twilio SDK's own page and instance classes, as the adapter reads them.
 */

/**
 * Twilio writes "none" as an empty string in SID fields (`voice_application_sid: ""`), which its
 * schema's `^AP[0-9a-fA-F]{32}$` pattern refuses: the spec's own examples break it. The same empty
 * string clears a SID on update (the adapter sends `VoiceApplicationSid=`).
 */
const emptySid: Relaxation = {
  why: "Twilio's own examples answer \"\" for an unset SID; its patterns refuse it",
  apply: (node) => (node.type === 'string' && typeof node.pattern === 'string' && /^\^[A-Z]{2}\[0-9a-fA-F\]\{32\}\$$/.test(node.pattern) ? { anyOf: [node, { const: '' }] } : node),
};

/**
 * Twilio's `format: uri` fields hold relative paths (`uri`, `next_page_uri`: "/2010-04-01/…") and
 * empty strings for an unset URL (`sms_url: ""`) in its own examples: they are URI references.
 */
const uriReference: Relaxation = {
  why: "Twilio's own examples put relative paths and \"\" in `format: uri` fields",
  apply: (node) => (node.format === 'uri' ? { ...node, format: 'uri-reference' } : node),
};

const RELAXED = { relaxations: [emptySid, uriReference] };
const ACCOUNT = '/2010-04-01/Accounts/{AccountSid}';
const NUMBERS = `${ACCOUNT}/IncomingPhoneNumbers.json`;
const NUMBER = `${ACCOUNT}/IncomingPhoneNumbers/{Sid}.json`;
const APPLICATIONS = `${ACCOUNT}/Applications.json`;
const ROUTE = '/v2/PhoneNumbers/{PhoneNumber}';
const EXAMPLE_ACCOUNT = `AC${'a'.repeat(32)}`;

describe.skipIf(!specsPresent('twilioApi', 'twilioRoutes'))(`Twilio contract (specs from ${SPECS_DIR})`, () => {
  let api: OpenApiSpec;
  let routes: OpenApiSpec;
  let rawApi: OpenApiSpec;
  /** The SDK's API versions, only to build pages and instances (they send nothing). */
  let sdk: ReturnType<typeof twilio>;

  beforeAll(() => {
    api = new OpenApiSpec('twilioApi', RELAXED);
    routes = new OpenApiSpec('twilioRoutes', RELAXED);
    rawApi = new OpenApiSpec('twilioApi');
    sdk = twilio(EXAMPLE_ACCOUNT, 'not-a-token', { accountSid: EXAMPLE_ACCOUNT });
  });

  const response = (body: Json) => ({ statusCode: 200, body: JSON.stringify(body), headers: {} }) as never;

  /** The spec's examples of one response, asserted to exist and to match the (relaxed) schema. */
  function examples(spec: OpenApiSpec, method: string, path: string): { name: string; value: Json }[] {
    const found = spec.responseExamples(method, path);
    expect(found.length, `${method} ${path} examples`).toBeGreaterThan(0);
    for (const example of found) expect(spec.check(spec.responseValidator(method, path), example.value), `${path} ${example.name}`).toEqual({ valid: true, errors: [] });
    return found;
  }

  describe("Twilio's own examples, read through the SDK and the adapter's mapping", () => {
    it('are OpenAPI 3.0', () => {
      expect(api.version).toMatch(/^3\.0\./);
      expect(routes.version).toMatch(/^3\.0\./);
    });

    it('the relaxations are needed: the raw 2010 schema refuses Twilio\'s own examples, only for "" SIDs and URLs and relative URIs', () => {
      const fieldsRefused = (path: string, name: string): string[] => {
        const example = rawApi.responseExamples('get', path).find((entry) => entry.name === name);
        const result = rawApi.check(rawApi.responseValidator('get', path), example!.value);
        expect(result.valid, `${path} ${name}`).toBe(false);
        expect(result.errors.every((error) => /must match (pattern|format "uri")|must NOT have fewer than 34 characters|must be null|must match a schema in anyOf/.test(error)), result.errors.join('\n')).toBe(true);
        return [...new Set(result.errors.map((error) => error.split(':')[0]!))].sort();
      };
      expect(fieldsRefused(NUMBER, 'fetch')).toEqual(['/sms_application_sid', '/sms_fallback_url', '/sms_url', '/status_callback', '/voice_application_sid']);
      expect(fieldsRefused(NUMBERS, 'readFull')).toEqual(expect.arrayContaining(['/first_page_uri', '/uri', '/incoming_phone_numbers/0/sms_application_sid']));
    });

    it('a fetched IncomingPhoneNumber maps to its number, label, status, capabilities and empty slots', () => {
      const found = [...examples(api, 'get', NUMBER), ...examples(api, 'post', NUMBER)];
      expect(found.length).toBeGreaterThan(0);
      for (const { name, value } of found) {
        const instance = new IncomingPhoneNumberInstance(sdk.api.v2010, value as never, EXAMPLE_ACCOUNT);
        const checked = checkNumber(instance);
        expect(checked.ok, name).toBe(true);
        const number = toRemoteNumber((checked as { value: Parameters<typeof toRemoteNumber>[0] }).value, null);
        expect(number, name).toEqual<RemoteNumber>({
          provider: 'twilio',
          providerId: `PN${'a'.repeat(32)}`,
          e164: '+18089255327',
          label: '(808) 925-5327',
          status: 'in-use',
          capabilities: { voice: true, sms: false },
          region: null,
          fallback: null,
          origin: 'origin',
          voiceUrl: null,
          // "" SIDs and a null trunk: nothing answers calls or texts through voicenum's slots.
          slots: { inbound: [], outbound: [], sms: [] },
        });
      }
    });

    it('a list page, full and empty, is read by the SDK page class into instances the adapter accepts', () => {
      const found = examples(api, 'get', NUMBERS);
      expect(found.map((example) => example.name).sort()).toEqual(['readEmpty', 'readFull']);
      const counts: Record<string, number> = {};
      for (const { name, value } of found) {
        const page = new IncomingPhoneNumberPage(sdk.api.v2010, response(value), { accountSid: EXAMPLE_ACCOUNT });
        // The check the request client makes on every raw list answer accepts the example page.
        expect(listPageProblem(`https://api.twilio.com${NUMBERS}`, value, { '/IncomingPhoneNumbers.json': 'incoming_phone_numbers' })).toBeNull();
        counts[name] = page.instances.length;
        for (const instance of page.instances) expect(checkNumber(instance), name).toMatchObject({ ok: true, value: { phoneNumber: '+18089255327' } });
      }
      expect(counts).toEqual({ readEmpty: 0, readFull: 1 });
    });

    it('a TwiML application from the list example maps to an agent named by its friendly name', () => {
      const found = examples(api, 'get', APPLICATIONS);
      const agents = found.flatMap(({ value }) => new ApplicationPage(sdk.api.v2010, response(value), { accountSid: EXAMPLE_ACCOUNT }).instances.map(toApplicationAgent));
      expect(agents.length).toBeGreaterThan(0);
      expect(agents).toEqual([{ ok: true, value: { provider: 'twilio', id: `AP${'a'.repeat(32)}`, name: 'd8821fb7-4d01-48b2-bdc5-34e46252b90b', kind: 'twiml-app', live: null } }]);
    });

    it('a Routes v2 answer, fetched or updated, yields its voice region', () => {
      const found = [...examples(routes, 'get', ROUTE), ...examples(routes, 'post', ROUTE)];
      expect(found.length).toBeGreaterThan(0);
      for (const { name, value } of found) {
        const instance = new RouteInstance(sdk.routes.v2, value as never);
        expect(routeSchema.parse({ voiceRegion: instance.voiceRegion }), name).toEqual({ voiceRegion: 'au1' });
      }
    });
  });

  describe('the sandbox fake answers and the adapter sends what the specs describe', () => {
    let sandbox: SandboxEnvironment;
    /** What the adapter exchanged with the fake, taken before any test adds requests of its own. */
    let exchanges: RecordedRequest[];
    let adapter: TwilioAdapter;

    beforeAll(async () => {
      sandbox = await startSandbox();
      const accountSid = sandbox.env.TWILIO_ACCOUNT_SID!;
      adapter = createTwilioAdapter({
        accountSid,
        username: accountSid,
        password: SANDBOX_KEYS.twilioAuthToken,
        apiBaseUrl: sandbox.fakes.twilio.url,
        routesBaseUrl: sandbox.fakes.twilio.url,
        pageSize: 7,
        http: { maxAttempts: 1, timeoutMs: 5_000 },
      });
      await adapter.verifyCredentials();
      const snapshot = await adapter.fetchAll();
      const app = snapshot.agents.find((agent) => agent.kind === 'twiml-app')!;
      const trunk = snapshot.agents.find((agent) => agent.kind === 'sip-trunk')!;
      const number = snapshot.numbers.find((entry) => entry.capabilities.sms === true)!;
      const key = { providerId: number.providerId, e164: number.e164 };
      // Every kind of body the adapter writes: an app for calls and texts, a trunk, clearing both,
      // a label and a fallback URL and clearing those, and a region.
      let current = await adapter.readNumber(key);
      current = await adapter.writeSlots(key, { inbound: [{ agentId: app.id, weight: 1, kind: 'twiml-app' }], sms: [{ agentId: app.id, weight: 1, kind: 'twiml-app' }] }, current);
      current = await adapter.writeSlots(key, { inbound: [{ agentId: trunk.id, weight: 1, kind: 'sip-trunk' }] }, current);
      current = await adapter.writeSlots(key, { inbound: [], sms: [] }, current);
      current = await adapter.writeSettings(key, { label: 'contract line', fallback: 'https://example.com/fallback' }, current);
      await adapter.writeSettings(key, { label: null, fallback: null }, current);
      await adapter.setRegion(number.e164, 'ie1');
      exchanges = [...sandbox.fakes.twilio.requests];
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    function specFor(path: string): OpenApiSpec {
      return path.startsWith('/2010-04-01/') ? api : routes;
    }

    it('every answer matches the spec response schema of its route', () => {
      expect(exchanges.length).toBeGreaterThan(0);
      const problems: string[] = [];
      const covered = new Set<string>();
      for (const exchange of exchanges) {
        expect(exchange.responseStatus, `${exchange.method} ${exchange.path}`).toBe(200);
        const spec = specFor(exchange.path);
        const operation = spec.operation(exchange.method, exchange.path);
        expect(operation, `${exchange.method} ${exchange.path} is in the spec`).toBeDefined();
        covered.add(`${exchange.method} ${operation!.template}`);
        const answer = spec.check(spec.responseValidator(exchange.method, operation!.template), JSON.parse(exchange.responseBody ?? 'null'));
        problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} answer ${error}`));
      }
      expect(problems).toEqual([]);
      expect([...covered].sort()).toEqual([`GET ${APPLICATIONS}`, `GET ${NUMBERS}`, `GET ${NUMBER}`, `GET ${ROUTE}`, `POST ${NUMBER}`, `POST ${ROUTE}`]);
    });

    it('every form the adapter posts matches the spec request schema, "" clears included', () => {
      const posts = exchanges.filter((exchange) => exchange.method === 'POST');
      expect(posts.length).toBe(6);
      const problems: string[] = [];
      for (const exchange of posts) {
        const spec = specFor(exchange.path);
        const sent = spec.check(spec.requestValidator('post', exchange.path, 'application/x-www-form-urlencoded'), exchange.body);
        problems.push(...sent.errors.map((error) => `${exchange.path} ${exchange.rawBody}: ${error}`));
      }
      expect(problems).toEqual([]);
      // The clears really are empty strings, the form the relaxation above admits.
      expect(posts.map((exchange) => exchange.body)).toContainEqual({ TrunkSid: '', VoiceApplicationSid: '', SmsApplicationSid: '' });
      expect(posts.map((exchange) => exchange.body)).toContainEqual({ FriendlyName: '', VoiceFallbackUrl: '' });
    });
  });
});
