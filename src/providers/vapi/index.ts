import { ProviderError } from '../../domain/errors.js';
import type { ProviderSnapshot, RemoteAgent, RemoteNumber, SkippedRecord } from '../../domain/model.js';
import { createOnce } from '../create-once.js';
import { HttpClient } from '../http.js';
import type { AdapterSettings, FetchOptions, LifecycleCapability, NumberKey, ProviderAdapter, PurchaseRequest, SettingsWrite, SlotWrite, CarrierSource } from '../types.js';
import { heldFieldsOf, mapAssistant, mapNumber, mapSquad, settingsPatch, slotPatch, toBuyBody, toTwilioImportBody, type HeldFields, type MapResult, type PhoneNumberPatch } from './map.js';
import { PhoneNumberPageSchema, RecordListSchema, vapiErrorMessage, type VapiPhoneNumberPage } from './schema.js';

export interface VapiAdapterSettings extends AdapterSettings {
  /** A private API key (the public one only opens web calls). */
  apiKey: string;
  /** Records per list request; Vapi allows up to 1000, tests use small pages. */
  pageSize?: number;
}

export const VAPI_DEFAULT_BASE_URL = 'https://api.vapi.ai';
const MAX_PAGE_SIZE = 1000;
/** Pages read from one list at most: far past any real account, short of a list that never ends. */
const MAX_PAGES = 10_000;

interface Collected<T> {
  records: T[];
  skipped: SkippedRecord[];
}

type Progress = (numbers: number, agents: number) => void;

function malformed(path: string, what: string): ProviderError {
  return new ProviderError('vapi', `GET ${path} answered ${what}`);
}

function stuck(path: string, what: string): ProviderError {
  return new ProviderError('vapi', `GET ${path}: paging did not advance (${what})`);
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

/** Whether another `/v2/phone-number` page exists, from whichever metadata field Vapi filled in. */
function hasNextPage(page: VapiPhoneNumberPage, current: number, limit: number): boolean {
  const { hasNextPage: next, totalPages, totalItems } = page.metadata;
  if (typeof next === 'boolean') return next;
  if (typeof totalPages === 'number') return current < totalPages;
  if (typeof totalItems === 'number') return current * limit < totalItems;
  return page.results.length === limit;
}

/** The oldest createdAt on a page: the upper bound of the next window. */
function oldestCreatedAt(raws: unknown[]): string | null {
  let oldest: { text: string; time: number } | null = null;
  for (const raw of raws) {
    const text = (raw as { createdAt?: unknown } | null)?.createdAt;
    const time = typeof text === 'string' ? Date.parse(text) : Number.NaN;
    if (typeof text === 'string' && !Number.isNaN(time) && (oldest === null || time < oldest.time)) oldest = { text, time };
  }
  return oldest?.text ?? null;
}

export function createVapiAdapter(settings: VapiAdapterSettings): ProviderAdapter {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(settings.pageSize ?? MAX_PAGE_SIZE)));
  const http = new HttpClient({
    ...settings.http,
    provider: 'vapi',
    baseUrl: settings.baseUrl,
    headers: { Authorization: `Bearer ${settings.apiKey}` },
    secrets: [settings.apiKey],
    errorMessage: vapiErrorMessage,
    authHint: 'set VAPI_API_KEY to a private API key from the Vapi dashboard (Organization Settings → API Keys)',
  });

  /**
   * Every number through the paged v2 list, oldest first, so a number created mid-sync lands on a
   * later page instead of shifting the ones not yet read; `hasNextPage` saves the empty last call.
   */
  async function fetchNumbers(progress: Progress): Promise<Collected<RemoteNumber>> {
    const out: Collected<RemoteNumber> = { records: [], skipped: [] };
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const response = await http.request({ method: 'GET', path: '/v2/phone-number', query: { page, limit: pageSize, sortOrder: 'ASC' } });
      const parsed = PhoneNumberPageSchema.safeParse(response.data);
      if (!parsed.success) throw malformed('/v2/phone-number', `page ${page} without a results list and its metadata`);
      const added = collect(out, seen, parsed.data.results, mapNumber, (number) => number.providerId);
      progress(out.records.length, 0);
      if (!hasNextPage(parsed.data, page, pageSize) || parsed.data.results.length === 0) return out;
      // Oldest first, new numbers land at the end: a page of nothing but numbers already read is
      // the list replaying itself, and the next page would too.
      if (added === 0) throw stuck('/v2/phone-number', `page ${page} held only numbers of earlier pages and still claimed a next page`);
      if (page >= MAX_PAGES) throw stuck('/v2/phone-number', `still a next page after ${MAX_PAGES} pages`);
    }
  }

  /**
   * A v1 list (bare array, newest first) read in createdAt windows. createdAt is not unique, so a
   * window ends *at* the oldest record seen (createdAtLe) and repeats are dropped: a strict bound
   * would skip unseen records sharing the boundary's timestamp. Only when a full page holds nothing
   * new (a page-size worth of records on one timestamp) does the window step strictly past it.
   */
  async function fetchWindowed(path: string, map: (raw: unknown) => MapResult<RemoteAgent>, progress: Progress): Promise<Collected<RemoteAgent>> {
    const out: Collected<RemoteAgent> = { records: [], skipped: [] };
    const seen = new Set<string>();
    let window: { createdAtLe?: string; createdAtLt?: string } = {};
    for (let page = 1; ; page++) {
      const response = await http.request({ method: 'GET', path, query: { limit: pageSize, ...window } });
      const parsed = RecordListSchema.safeParse(response.data);
      if (!parsed.success) throw malformed(path, 'something other than a list');
      const raws = parsed.data;
      const added = collect(out, seen, raws, map, (agent) => agent.id);
      progress(0, out.records.length);
      if (raws.length < pageSize) return out;
      const oldest = oldestCreatedAt(raws);
      if (oldest === null) throw malformed(path, 'a full page without createdAt, which paging needs');
      const next = added === 0 ? { createdAtLt: oldest } : { createdAtLe: oldest };
      // Already strictly past `oldest` and still nothing new: the window cannot move any further.
      if (next.createdAtLt !== undefined && next.createdAtLt === window.createdAtLt) throw stuck(path, `a full page older than ${oldest} brought nothing new`);
      if (page >= MAX_PAGES) throw stuck(path, `still full pages after ${MAX_PAGES} windows`);
      window = next;
    }
  }

  /**
   * What each record this adapter answered holds field by field (which handler field, whether a
   * name or fallback is set): the neutral record does not say, and a write may only null what is
   * held. Keyed by the very object handed out, so it always describes that record as read.
   */
  const heldByRecord = new WeakMap<RemoteNumber, HeldFields>();

  /** The held fields behind `current`; a record this adapter did not hand out is read again. */
  async function heldFor(key: NumberKey, current: RemoteNumber): Promise<HeldFields> {
    const known = heldByRecord.get(current);
    if (known) return known;
    const fresh = await readNumber(key);
    return heldByRecord.get(fresh)!;
  }

  async function readNumber(key: NumberKey): Promise<RemoteNumber> {
    const path = `/phone-number/${encodeURIComponent(key.providerId)}`;
    const response = await http.request({ method: 'GET', path });
    return mapAnswer(response.data, `GET ${path}`);
  }

  async function patchNumber(key: NumberKey, patch: PhoneNumberPatch): Promise<RemoteNumber> {
    const path = `/phone-number/${encodeURIComponent(key.providerId)}`;
    const response = await http.request({ method: 'PATCH', path, json: patch });
    return mapAnswer(response.data, `PATCH ${path}`);
  }

  function mapAnswer(data: unknown, call: string): RemoteNumber {
    const result = mapNumber(data);
    if (!result.ok) throw new ProviderError('vapi', `${call} answered a phone number voicenum cannot use (${result.skipped.reason})`);
    heldByRecord.set(result.value, heldFieldsOf(data)!);
    return result.value;
  }

  /** `POST /phone-number`, sent once (a second send would make a second number). */
  async function createNumber(body: object, secrets: string[] = []): Promise<RemoteNumber> {
    const response = await http.request({ method: 'POST', path: '/phone-number', json: body, retry: 'unprocessed', secrets });
    return mapAnswer(response.data, 'POST /phone-number');
  }

  /** A number the org holds, looked up by its digits through the v2 list's search. */
  async function findByNumber(e164: string, accept: (raw: Record<string, unknown>) => boolean): Promise<RemoteNumber | null> {
    const response = await http.request({ method: 'GET', path: '/v2/phone-number', query: { search: e164, limit: MAX_PAGE_SIZE } });
    const parsed = PhoneNumberPageSchema.safeParse(response.data);
    if (!parsed.success) throw malformed('/v2/phone-number', 'a page without a results list and its metadata');
    const raw = parsed.data.results.find((entry) => (entry as { number?: unknown } | null)?.number === e164 && accept(entry as Record<string, unknown>));
    return raw === undefined ? null : mapAnswer(raw, 'GET /v2/phone-number');
  }

  /**
   * Buy a free Vapi number (`provider: "vapi"`, by area code only), import a Twilio number with the
   * account's credentials (`provider: "twilio"`: Vapi points the Twilio number at itself), and
   * delete (`DELETE /phone-number/{id}`, 200 with the deleted record).
   */
  const lifecycle: LifecycleCapability = {
    async buy(request: PurchaseRequest): Promise<RemoteNumber> {
      const body = toBuyBody(request);
      return createOnce('vapi', 'a number', () => createNumber(body));
    },

    async importFromCarrier(request: { e164: string; label?: string; source: CarrierSource }): Promise<RemoteNumber> {
      const body = toTwilioImportBody(request.e164, request.source, request.label);
      const find = () => findByNumber(request.e164, (raw) => raw.provider === 'twilio' && raw.twilioAccountSid === request.source.accountSid);
      const secrets = [request.source.authToken, request.source.apiSecret].filter((value): value is string => Boolean(value));
      return createOnce('vapi', `the import of ${request.e164}`, () => createNumber(body, secrets), find);
    },

    async release(key: NumberKey): Promise<void> {
      // Already gone: an undo or a resumed release running again.
      await http.removeIfPresent({ method: 'DELETE', path: `/phone-number/${encodeURIComponent(key.providerId)}` });
    },
  };

  return {
    name: 'vapi',
    get requestCount() {
      return http.requestCount;
    },
    lifecycle,

    fetchAll(options: FetchOptions = {}): Promise<ProviderSnapshot> {
      // Reads only: cancellable, and the first failure stops the other lists' requests.
      return http.cancellableReads(options.signal, async () => {
        const before = http.requestCount;
        const counts = { numbers: 0, assistants: 0, squads: 0 };
        const report = (part: Partial<typeof counts>) => {
          Object.assign(counts, part);
          options.onProgress?.({ provider: 'vapi', numbers: counts.numbers, agents: counts.assistants + counts.squads });
        };
        const [numbers, assistants, squads] = await Promise.all([
          fetchNumbers((numbers) => report({ numbers })),
          fetchWindowed('/assistant', mapAssistant, (_, assistants) => report({ assistants })),
          fetchWindowed('/squad', mapSquad, (_, squads) => report({ squads })),
        ]);
        return {
          provider: 'vapi',
          numbers: numbers.records,
          agents: [...assistants.records, ...squads.records],
          skipped: [...numbers.skipped, ...assistants.skipped, ...squads.skipped],
          requests: http.requestCount - before,
        };
      });
    },

    async verifyCredentials(): Promise<void> {
      await http.request({ method: 'GET', path: '/phone-number', query: { limit: 1 } });
    },

    readNumber,

    async writeSlots(key: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const patch = slotPatch(slots, await heldFor(key, current));
      // Nothing to change upstream (clearing texts on a number that takes none): it is as asked.
      if (Object.keys(patch).length === 0) return current;
      return patchNumber(key, patch);
    },

    async writeSettings(key: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber> {
      if (settings.label === undefined && settings.fallback === undefined) return current;
      const patch = settingsPatch(settings, await heldFor(key, current));
      if (Object.keys(patch).length === 0) return current;
      return patchNumber(key, patch);
    },
  };
}
