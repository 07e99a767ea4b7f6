import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createTwilioAdapter, type TwilioAdapter } from '../../src/providers/twilio/index.js';
import {
  availableNumbersPageWire,
  availableNumberWire,
  credentialListWire,
  credentialWire,
  incomingNumberWire,
  originationUrlWire,
  trunkPageWire,
  trunkPhoneNumberPageWire,
  trunkPhoneNumberWire,
  trunkWire,
} from '../../src/providers/twilio/schema.js';
import type { RecordedRequest } from '../../src/sandbox/fake-server.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { OpenApiSpec, specsPresent, SPECS_DIR, type Json, type Relaxation } from '../helpers/openapi.js';

/**
 * The life of a Twilio number against Twilio's own documents: `twilio_api_v2010.json`
 * (AvailablePhoneNumbers, IncomingPhoneNumbers create/delete, SIP credential lists) and
 * `twilio_trunking_v1.json` (Trunks and their OriginationUrls, CredentialLists, PhoneNumbers).
 * Twilio's examples parse through the adapter's wire schemas; the fake's answers and the adapter's
 * forms match the specs' schemas.
 */

/** As in twilio.test.ts: Twilio writes "" for an unset SID, which its own patterns refuse. */
const emptySid: Relaxation = {
  why: "Twilio's own examples answer \"\" for an unset SID; its patterns refuse it",
  apply: (node) => (node.type === 'string' && typeof node.pattern === 'string' && /^\^[A-Z]{2}\[0-9a-fA-F\]\{32\}\$$/.test(node.pattern) ? { anyOf: [node, { const: '' }] } : node),
};
/** As in twilio.test.ts: relative paths and "" in `format: uri` fields. */
const uriReference: Relaxation = {
  why: "Twilio's own examples put relative paths and \"\" in `format: uri` fields",
  apply: (node) => (node.format === 'uri' ? { ...node, format: 'uri-reference' } : node),
};
/**
 * AvailablePhoneNumbers' `friendly_name` is typed `format: phone-number` (E.164), but Twilio's own
 * example answers the formatted number, "(808) 925-1571", as Twilio's console shows it.
 */
const formattedFriendlyName: Relaxation = {
  why: "Twilio's own AvailablePhoneNumbers examples answer a formatted friendly_name, not E.164",
  apply: (node, pointer) => (/available_phone_number_(local|toll_free)\/properties\/friendly_name$/.test(pointer) && node.format === 'phone-number' ? { type: node.type ?? 'string' } : node),
};
const RELAXED = { relaxations: [emptySid, uriReference, formattedFriendlyName] };

const ACCOUNT = '/2010-04-01/Accounts/{AccountSid}';
const LOCAL = `${ACCOUNT}/AvailablePhoneNumbers/{CountryCode}/Local.json`;
const TOLL_FREE = `${ACCOUNT}/AvailablePhoneNumbers/{CountryCode}/TollFree.json`;
const NUMBERS = `${ACCOUNT}/IncomingPhoneNumbers.json`;
const NUMBER = `${ACCOUNT}/IncomingPhoneNumbers/{Sid}.json`;
const LISTS = `${ACCOUNT}/SIP/CredentialLists.json`;
const LIST = `${ACCOUNT}/SIP/CredentialLists/{Sid}.json`;
const CREDENTIALS = `${ACCOUNT}/SIP/CredentialLists/{CredentialListSid}/Credentials.json`;
const TRUNKS = '/v1/Trunks';
const TRUNK = '/v1/Trunks/{Sid}';
const ORIGINATION_URLS = '/v1/Trunks/{TrunkSid}/OriginationUrls';
const ORIGINATION_URL = '/v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}';
const TRUNK_LISTS = '/v1/Trunks/{TrunkSid}/CredentialLists';
const TRUNK_LIST = '/v1/Trunks/{TrunkSid}/CredentialLists/{Sid}';
const TRUNK_NUMBERS = '/v1/Trunks/{TrunkSid}/PhoneNumbers';
const TRUNK_NUMBER = '/v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}';

describe.skipIf(!specsPresent('twilioApi', 'twilioTrunking'))(`Twilio lifecycle contract (specs from ${SPECS_DIR})`, () => {
  let api: OpenApiSpec;
  let trunking: OpenApiSpec;

  beforeAll(() => {
    api = new OpenApiSpec('twilioApi', RELAXED);
    trunking = new OpenApiSpec('twilioTrunking', RELAXED);
  });

  const specFor = (path: string) => (path.startsWith('/v1/') ? trunking : api);

  function examples(method: string, path: string, status: string): Json[] {
    const found = specFor(path).responseExamples(method, path, status);
    expect(found.length, `${method} ${path} ${status} examples`).toBeGreaterThan(0);
    return found.map((example) => example.value);
  }

  function parsesAll(schema: z.ZodType, values: Json[]): void {
    for (const value of values) {
      const parsed = schema.safeParse(value);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  }

  describe("Twilio's own examples parse through the adapter's wire schemas", () => {
    it('the trunking spec is OpenAPI 3.0', () => {
      expect(trunking.version).toMatch(/^3\.0\./);
    });

    it('the friendly_name relaxation is needed: the raw schema refuses the example, for that field only; relaxed, it passes', () => {
      const raw = new OpenApiSpec('twilioApi', { relaxations: [emptySid, uriReference] });
      const example = raw.responseExamples('get', LOCAL).find((entry) => entry.name === 'readFull')!;
      const refused = raw.check(raw.responseValidator('get', LOCAL), example.value);
      expect(refused.errors).toEqual(['/available_phone_numbers/0/friendly_name: must match format "phone-number"', expect.stringMatching(/latitude/), expect.stringMatching(/longitude/)]);
    });

    it('AvailablePhoneNumbers pages, Local and TollFree, and every number in them', () => {
      const pages = [...examples('get', LOCAL, '200'), ...examples('get', TOLL_FREE, '200')];
      parsesAll(availableNumbersPageWire, pages);
      const entries = pages.flatMap((page) => availableNumbersPageWire.parse(page).available_phone_numbers) as Json[];
      expect(entries.length).toBeGreaterThan(0);
      parsesAll(availableNumberWire, entries);
    });

    it('a bought IncomingPhoneNumber (201), and one read for its voice routing', () => {
      parsesAll(incomingNumberWire, [...examples('post', NUMBERS, '201'), ...examples('get', NUMBER, '200')]);
    });

    it('a SIP credential list and a credential (201)', () => {
      parsesAll(credentialListWire, examples('post', LISTS, '201'));
      parsesAll(credentialWire, examples('post', CREDENTIALS, '201'));
    });

    it('a trunk (201) and a page of trunks; an origination URL, a credential list and a number attached to a trunk (201); a page of its numbers', () => {
      parsesAll(trunkWire, examples('post', TRUNKS, '201'));
      parsesAll(trunkPageWire, examples('get', TRUNKS, '200'));
      parsesAll(originationUrlWire, examples('post', ORIGINATION_URLS, '201'));
      parsesAll(credentialListWire, examples('post', TRUNK_LISTS, '201'));
      parsesAll(trunkPhoneNumberWire, examples('post', TRUNK_NUMBERS, '201'));
      parsesAll(trunkPhoneNumberPageWire, examples('get', TRUNK_NUMBERS, '200'));
    });
  });

  describe('the sandbox fake answers and the adapter sends what the specs describe', () => {
    let sandbox: SandboxEnvironment;
    let exchanges: RecordedRequest[];
    let adapter: TwilioAdapter;

    beforeAll(async () => {
      sandbox = await startSandbox();
      const accountSid = sandbox.env.TWILIO_ACCOUNT_SID!;
      const url = sandbox.fakes.twilio.url;
      expect(sandbox.env.VOICENUM_TWILIO_TRUNKING_BASE_URL).toBe(url);
      adapter = createTwilioAdapter({
        accountSid,
        username: accountSid,
        password: SANDBOX_KEYS.twilioAuthToken,
        apiBaseUrl: url,
        routesBaseUrl: url,
        trunkingBaseUrl: sandbox.env.VOICENUM_TWILIO_TRUNKING_BASE_URL,
        http: { maxAttempts: 1, timeoutMs: 5_000 },
      });
      const { lifecycle, trunking: t } = adapter;
      // One whole life: search, buy, every piece of a trunk import, the routing restored, every undo, release.
      await lifecycle.searchAvailable!({ areaCode: '415' });
      await lifecycle.searchAvailable!({ tollFree: true });
      const bought = await lifecycle.buy!({ areaCode: '415', label: 'contract line' });
      const saved = await t.readVoiceRouting(bought.providerId);
      const trunk = await t.createTrunk({ friendlyName: 'voicenum-contract', domainName: 'voicenum-contract.pstn.twilio.com' });
      const origination = await t.addOriginationUrl(trunk.sid, { friendlyName: 'retell', sipUrl: 'sip:sip.retellai.com;transport=tcp', priority: 10, weight: 10, enabled: true });
      const list = await t.createCredentialList('voicenum-contract');
      const credential = await t.addCredential(list.sid, 'voicenum', 'Contract-pass-2026');
      const attachedList = await t.attachCredentialList(trunk.sid, list.sid);
      await t.attachPhoneNumber(trunk.sid, bought.providerId);
      await t.listTrunks('voicenum-');
      await t.restoreVoiceRouting(bought.providerId, saved);
      for (const resource of [attachedList, credential, list, origination, trunk]) await t.remove(resource);
      await lifecycle.release!({ providerId: bought.providerId, e164: bought.e164 });
      exchanges = [...sandbox.fakes.twilio.requests];
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    it('every answer matches the spec response of its route and status (204 without a body)', () => {
      const problems: string[] = [];
      const covered = new Set<string>();
      for (const exchange of exchanges) {
        const spec = specFor(exchange.path);
        const operation = spec.operation(exchange.method, exchange.path);
        expect(operation, `${exchange.method} ${exchange.path} is in the spec`).toBeDefined();
        const status = exchange.responseStatus!;
        expect(status, `${exchange.method} ${exchange.path}`).toBeLessThan(300);
        covered.add(`${exchange.method} ${operation!.template} ${status}`);
        if (status === 204) {
          expect(exchange.responseBody, `${exchange.method} ${exchange.path}`).toBe('');
          expect(Object.keys((operation!.node.responses ?? {}) as object)).toContain('204');
          continue;
        }
        const answer = spec.check(spec.responseValidator(exchange.method, operation!.template, String(status)), JSON.parse(exchange.responseBody ?? 'null'));
        problems.push(...answer.errors.map((error) => `${exchange.method} ${exchange.path} answer ${error}`));
      }
      expect(problems).toEqual([]);
      expect([...covered].sort()).toEqual(
        [
          `GET ${LOCAL} 200`,
          `GET ${TOLL_FREE} 200`,
          `POST ${NUMBERS} 201`,
          `GET ${NUMBER} 200`,
          `POST ${NUMBER} 200`,
          `DELETE ${NUMBER} 204`,
          `POST ${LISTS} 201`,
          `DELETE ${LIST} 204`,
          `POST ${CREDENTIALS} 201`,
          `DELETE ${ACCOUNT}/SIP/CredentialLists/{CredentialListSid}/Credentials/{Sid}.json 204`,
          `GET ${TRUNKS} 200`,
          `POST ${TRUNKS} 201`,
          `DELETE ${TRUNK} 204`,
          `POST ${ORIGINATION_URLS} 201`,
          `DELETE ${ORIGINATION_URL} 204`,
          `POST ${TRUNK_LISTS} 201`,
          `DELETE ${TRUNK_LIST} 204`,
          `GET ${TRUNK_NUMBERS} 200`,
          `POST ${TRUNK_NUMBERS} 201`,
          `DELETE ${TRUNK_NUMBER} 204`,
        ].sort(),
      );
    });

    /**
     * A form carries text only; the spec types some fields as integers and booleans, which Twilio
     * reads from their text. Each value is read as its schema type (and only a value that reads
     * cleanly as one), so a "ten" for an integer still fails.
     */
    function typedForm(spec: OpenApiSpec, path: string, body: unknown): Record<string, unknown> {
      const operation = spec.operation('post', path)!;
      const media = (spec.deref(operation.node.requestBody as Json) as Record<string, Record<string, Record<string, Json>>>).content!['application/x-www-form-urlencoded']!;
      const properties = ((spec.deref(media.schema!) as Record<string, Json>).properties ?? {}) as Record<string, Json>;
      return Object.fromEntries(
        Object.entries(body as Record<string, string>).map(([key, value]) => {
          const type = (spec.deref(properties[key] ?? {}) as Record<string, Json>).type;
          if (type === 'integer' && /^-?\d+$/.test(value)) return [key, Number(value)];
          if (type === 'boolean' && (value === 'true' || value === 'false')) return [key, value === 'true'];
          return [key, value];
        }),
      );
    }

    it('every form the adapter posts matches the spec request schema of its route', () => {
      const posts = exchanges.filter((exchange) => exchange.method === 'POST');
      expect(posts.length).toBe(8);
      const problems: string[] = [];
      for (const exchange of posts) {
        const spec = specFor(exchange.path);
        const sent = spec.check(spec.requestValidator('post', exchange.path, 'application/x-www-form-urlencoded'), typedForm(spec, exchange.path, exchange.body));
        problems.push(...sent.errors.map((error) => `${exchange.path}: ${error}`));
      }
      expect(problems).toEqual([]);
    });
  });
});
