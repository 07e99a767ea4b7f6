import { ProviderError } from '../../domain/errors.js';
import type { ProviderSnapshot, RemoteAgent, RemoteNumber, SkippedRecord } from '../../domain/model.js';
import { createOnce } from '../create-once.js';
import { HttpClient } from '../http.js';
import type { AdapterSettings, CarrierSource, FetchOptions, LifecycleCapability, NumberKey, ProviderAdapter, SettingsWrite, SlotWrite } from '../types.js';
import { labelPatch, mapAgent, mapNumber, slotPatch, toTwilioImportBody, type MapResult, type PhoneNumberPatch } from './map.js';
import { AgentPageSchema, CreatedSchema, elevenlabsErrorMessage, PhoneNumberListSchema } from './schema.js';

export interface ElevenLabsAdapterSettings extends AdapterSettings {
  apiKey: string;
  /** Agents per list request; ElevenLabs allows 1 to 100, tests use small pages. */
  pageSize?: number;
}

export const ELEVENLABS_DEFAULT_BASE_URL = 'https://api.elevenlabs.io';
const NUMBERS = '/v1/convai/phone-numbers';
const AGENTS = '/v1/convai/agents';
const MAX_PAGE_SIZE = 100;
/** Pages read from one list at most: far past any real account, short of a list that never ends. */
const MAX_PAGES = 10_000;

interface Collected<T> {
  records: T[];
  skipped: SkippedRecord[];
}

function malformed(call: string, what: string): ProviderError {
  return new ProviderError('elevenlabs', `${call} answered ${what}`);
}

function stuck(path: string, what: string): ProviderError {
  return new ProviderError('elevenlabs', `GET ${path}: paging did not advance (${what})`);
}

/** Adds a page's usable records and reports the others, each once; returns how many were new. */
function collect<T>(into: Collected<T>, seen: Set<string>, raws: unknown[], map: (raw: unknown) => MapResult<T>, keyOf: (record: T) => string): number {
  let added = 0;
  for (const raw of raws) {
    const result = map(raw);
    const key = result.ok ? keyOf(result.value) : `skipped:${result.skipped.id}:${result.skipped.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    added++;
    if (result.ok) into.records.push(result.value);
    else into.skipped.push(result.skipped);
  }
  return added;
}

export function createElevenLabsAdapter(settings: ElevenLabsAdapterSettings): ProviderAdapter {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(settings.pageSize ?? MAX_PAGE_SIZE)));
  const http = new HttpClient({
    ...settings.http,
    provider: 'elevenlabs',
    baseUrl: settings.baseUrl,
    headers: { 'xi-api-key': settings.apiKey },
    secrets: [settings.apiKey],
    errorMessage: elevenlabsErrorMessage,
    authHint: 'set ELEVENLABS_API_KEY to an API key of your ElevenLabs account (Developers → API Keys), with access to the Agents platform',
  });

  /**
   * Every number, in one request: the v1 list answers a bare array without paging. (The SDK has a
   * paged `/v1/convai/v2/phone-numbers`, but the saved spec does not; voicenum reads what it has.)
   */
  async function fetchNumbers(onCount: (count: number) => void): Promise<Collected<RemoteNumber>> {
    const response = await http.request({ method: 'GET', path: NUMBERS });
    const parsed = PhoneNumberListSchema.safeParse(response.data);
    if (!parsed.success) throw malformed(`GET ${NUMBERS}`, 'something other than a list of phone numbers');
    const out: Collected<RemoteNumber> = { records: [], skipped: [] };
    collect(out, new Set(), parsed.data, mapNumber, (number) => number.providerId);
    onCount(out.records.length);
    return out;
  }

  /**
   * Every agent, page by page, following `next_cursor` while `has_more`. A cursor that comes back
   * again, or a page of nothing but agents already read that still claims more, is a list that
   * would loop: stopped with a provider error.
   */
  async function fetchAgents(onCount: (count: number) => void): Promise<Collected<RemoteAgent>> {
    const out: Collected<RemoteAgent> = { records: [], skipped: [] };
    const seen = new Set<string>();
    const cursors = new Set<string>();
    let cursor: string | null = null;
    for (let page = 1; ; page++) {
      const response = await http.request({ method: 'GET', path: AGENTS, query: { page_size: pageSize, cursor } });
      const parsed = AgentPageSchema.safeParse(response.data);
      if (!parsed.success) throw malformed(`GET ${AGENTS}`, `page ${page} without its agents list and has_more`);
      const added = collect(out, seen, parsed.data.agents, mapAgent, (agent) => agent.id);
      onCount(out.records.length);
      if (!parsed.data.has_more) return out;
      const next = parsed.data.next_cursor;
      if (!next) throw malformed(`GET ${AGENTS}`, `page ${page} with has_more but no next_cursor`);
      if (cursors.has(next)) throw stuck(AGENTS, `next_cursor ${JSON.stringify(next.slice(0, 40))} came back on page ${page}`);
      if (added === 0) throw stuck(AGENTS, `page ${page} held only agents of earlier pages and still claimed more`);
      if (page >= MAX_PAGES) throw stuck(AGENTS, `still more after ${MAX_PAGES} pages`);
      cursors.add(next);
      cursor = next;
    }
  }

  function mapAnswer(data: unknown, call: string): RemoteNumber {
    const result = mapNumber(data);
    if (!result.ok) throw new ProviderError('elevenlabs', `${call} answered a phone number voicenum cannot use (${result.skipped.reason})`);
    return result.value;
  }

  const pathOf = (key: NumberKey) => `${NUMBERS}/${encodeURIComponent(key.providerId)}`;

  async function readNumber(key: NumberKey): Promise<RemoteNumber> {
    const path = pathOf(key);
    const response = await http.request({ method: 'GET', path });
    return mapAnswer(response.data, `GET ${path}`);
  }

  async function patchNumber(key: NumberKey, patch: PhoneNumberPatch): Promise<RemoteNumber> {
    const path = pathOf(key);
    const response = await http.request({ method: 'PATCH', path, json: patch });
    return mapAnswer(response.data, `PATCH ${path}`);
  }

  /** The account's Twilio import of `e164` from this Twilio account, if ElevenLabs holds one. */
  async function findImport(e164: string): Promise<RemoteNumber | null> {
    const response = await http.request({ method: 'GET', path: NUMBERS, query: { provider: 'twilio' } });
    const parsed = PhoneNumberListSchema.safeParse(response.data);
    if (!parsed.success) throw malformed(`GET ${NUMBERS}`, 'something other than a list of phone numbers');
    for (const raw of parsed.data) {
      const result = mapNumber(raw);
      if (result.ok && result.value.e164 === e164 && result.value.origin === 'twilio') return result.value;
    }
    return null;
  }

  /**
   * Import a Twilio number with the account's SID and auth token (`POST /v1/convai/phone-numbers`,
   * sent once: a second send would be a second import), and delete (`DELETE …/{id}`).
   */
  const lifecycle: LifecycleCapability = {
    async importFromCarrier(request: { e164: string; label?: string; source: CarrierSource }): Promise<RemoteNumber> {
      const body = toTwilioImportBody(request.e164, request.source, request.label);
      const create = async (): Promise<RemoteNumber> => {
        const response = await http.request({ method: 'POST', path: NUMBERS, json: body, retry: 'unprocessed', secrets: [body.token] });
        const created = CreatedSchema.safeParse(response.data);
        if (!created.success) throw malformed(`POST ${NUMBERS}`, 'no phone_number_id');
        const key = { providerId: created.data.phone_number_id, e164: request.e164 };
        // The answer is the id alone. The number exists now, whatever a read of it says: should the
        // read fail, what was asked is the record, so the journal keeps the id its undo needs.
        return readNumber(key).catch(() => ({
          provider: 'elevenlabs' as const,
          providerId: key.providerId,
          e164: request.e164,
          label: body.label,
          status: null,
          capabilities: { voice: null, sms: null },
          region: null,
          fallback: null,
          origin: 'twilio',
          slots: { inbound: [], outbound: [], sms: [] },
        }));
      };
      return createOnce('elevenlabs', `the import of ${request.e164}`, create, () => findImport(request.e164));
    },

    async release(key: NumberKey): Promise<void> {
      // Already gone: an undo or a resumed release running again.
      await http.removeIfPresent({ method: 'DELETE', path: pathOf(key) });
    },
  };

  return {
    name: 'elevenlabs',
    get requestCount() {
      return http.requestCount;
    },
    lifecycle,

    fetchAll(options: FetchOptions = {}): Promise<ProviderSnapshot> {
      // Reads only: cancellable, and the first failure stops the other list's requests.
      return http.cancellableReads(options.signal, async () => {
        const before = http.requestCount;
        const counts = { numbers: 0, agents: 0 };
        const report = (part: Partial<typeof counts>) => {
          Object.assign(counts, part);
          options.onProgress?.({ provider: 'elevenlabs', numbers: counts.numbers, agents: counts.agents });
        };
        const [numbers, agents] = await Promise.all([fetchNumbers((numbers) => report({ numbers })), fetchAgents((agents) => report({ agents }))]);
        return {
          provider: 'elevenlabs',
          numbers: numbers.records,
          agents: agents.records,
          skipped: [...numbers.skipped, ...agents.skipped],
          requests: http.requestCount - before,
        };
      });
    },

    async verifyCredentials(): Promise<void> {
      await http.request({ method: 'GET', path: AGENTS, query: { page_size: 1 } });
    },

    readNumber,

    async writeSlots(key: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const patch = slotPatch(slots, current);
      if (Object.keys(patch).length === 0) return current;
      return patchNumber(key, patch);
    },

    async writeSettings(key: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const patch = labelPatch(settings, current);
      if (Object.keys(patch).length === 0) return current;
      return patchNumber(key, patch);
    },
  };
}
