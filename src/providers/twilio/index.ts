import type TwilioSdk from 'twilio';
import type { IncomingPhoneNumberContextUpdateOptions, IncomingPhoneNumberInstance, IncomingPhoneNumberListInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js';
import { AuthError, ProviderError, VoicenumError } from '../../domain/errors.js';
import type { ProviderSnapshot, RemoteAgent, RemoteNumber, SkippedRecord } from '../../domain/model.js';
import { createLimiter } from '../../util/concurrency.js';
import { HttpClient, type HttpSettings } from '../http.js';
import type { FetchOptions, LifecycleCapability, NumberKey, ProviderAdapter, RegionCapability, SettingsWrite, SlotWrite, TrunkingCapability, WriteSlotAgent } from '../types.js';
import { createTwilioLifecycle } from './lifecycle.js';
import { applicationFromWire, checkNumber, numberFromWire, toApplicationAgent, toRemoteNumber, trunkAgents } from './map.js';
import { createForwardingClient, listPageProblem, type ListKeys } from './request-client.js';
import { routeSchema, twilioErrorMessage } from './schema.js';

export interface TwilioAdapterSettings {
  accountSid: string;
  /** The account SID with an auth token, or an API key SID with its secret. */
  username: string;
  password: string;
  /** Replaces https://api.twilio.com */
  apiBaseUrl: string;
  /** Replaces https://routes.twilio.com */
  routesBaseUrl: string;
  /** Replaces https://trunking.twilio.com (Elastic SIP Trunking v1, for imports). */
  trunkingBaseUrl?: string;
  http?: HttpSettings;
  /** Records per list page; Twilio's maximum (1000) unless a test asks for less. */
  pageSize?: number;
  /** Routes v2 region reads in flight at once during fetchAll (one per number). */
  regionConcurrency?: number;
}

/**
 * The Twilio adapter also reads and sets what only Twilio has: the inbound processing region. The
 * rest of voicenum reaches it through the `regions` capability (see regionsOf in ../types.ts).
 */
export interface TwilioAdapter extends ProviderAdapter {
  /** The number's inbound processing region (Routes v2); null when Routes has no record of it. */
  readRegion(e164: string): Promise<string | null>;
  /** Set the inbound processing region; returns the region as Routes v2 answered it. */
  setRegion(e164: string, region: string): Promise<string | null>;
  readonly regions: RegionCapability;
  /** Search, buy and release numbers (see ./lifecycle.ts). */
  readonly lifecycle: LifecycleCapability;
  /** SIP trunks and credential lists, for importing a number into a voice-AI platform. */
  readonly trunking: TrunkingCapability;
}

type Client = ReturnType<typeof TwilioSdk>;

const MAX_PAGE_SIZE = 1000;
/** Pages read from one list at most: far past any real account, short of a list that never ends. */
const MAX_PAGES = 10_000;
// Routes v2 has no list: one read per number. Twilio limits concurrent requests per account and
// answers 429 (retried) beyond it; 32 keeps a 10,000-number sync to seconds.
const DEFAULT_REGION_CONCURRENCY = 32;
/** The 2010 lists voicenum walks, by the end of their path, and the key their records come under. */
const LIST_KEYS: ListKeys = { '/IncomingPhoneNumbers.json': 'incoming_phone_numbers', '/Applications.json': 'applications' };
const AUTH_HINT = 'set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET), or run `voicenum auth login twilio`';

/**
 * Run an SDK call. voicenum's own errors (from the HttpClient underneath) pass as they are; anything
 * else the SDK throws means Twilio answered something it could not use.
 */
async function upstream<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof VoicenumError) throw error;
    throw new ProviderError('twilio', `${what}: unusable answer (${(error as Error).message})`);
  }
}

/** A page of a 2010 list: its records as Twilio sends them, and the way to the next one. */
interface ListPage {
  records: Record<string, unknown>[];
  /** Where the next page is (a path on the API's host, or a URL); undefined on the last page. */
  nextPageUrl?: string;
  nextPage(): Promise<ListPage> | undefined;
}

/**
 * Follow a 2010 list to its end. A page without its list never gets here: reading it refuses it
 * (listPageProblem, LIST_KEYS).
 */
async function walkPages(listKey: string, first: () => Promise<ListPage>, onRecord: (record: Record<string, unknown>) => void, onPage: () => void): Promise<void> {
  const what = `listing ${listKey}`;
  // Every next page URL followed so far: one that comes back would replay the list forever.
  const followed = new Set<string>();
  let page: ListPage | undefined = await upstream(what, first);
  for (let count = 1; page; count++) {
    const next = page.nextPageUrl ? page.nextPageUrl : null;
    if (next !== null && followed.has(next)) throw new ProviderError('twilio', `${what}: paging did not advance (page ${count} handed out a next page already followed)`);
    if (next !== null && count >= MAX_PAGES) throw new ProviderError('twilio', `${what}: paging did not advance to an end (still a next page after ${MAX_PAGES} pages)`);
    if (next !== null) followed.add(next);
    page.records.forEach(onRecord);
    onPage();
    const current: ListPage = page;
    page = await upstream(what, async () => current.nextPage());
  }
}

function regionOf(answer: { voiceRegion?: unknown }, what: string): string | null {
  const parsed = routeSchema.safeParse({ voiceRegion: answer.voiceRegion });
  if (!parsed.success) throw new ProviderError('twilio', `${what}: the answer has no usable voice_region`);
  return parsed.data.voiceRegion ?? null;
}

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The SDK update for the given slots: one POST sets them all. Twilio has no outbound slot. */
export function slotUpdate(slots: SlotWrite): IncomingPhoneNumberContextUpdateOptions {
  const update: IncomingPhoneNumberContextUpdateOptions = {};
  const only = (slot: string, agents: WriteSlotAgent[]): WriteSlotAgent | undefined => {
    if (agents.length > 1) throw new Error(`a Twilio number's ${slot} slot holds one target, ${agents.length} were given`);
    return agents[0];
  };
  if (slots.outbound && slots.outbound.length > 0) {
    throw new Error('Twilio numbers have no outbound slot: the caller ID is chosen per call');
  }
  if (slots.inbound) {
    const agent = only('inbound', slots.inbound);
    if (!agent) {
      update.trunkSid = '';
      update.voiceApplicationSid = '';
    } else if (agent.agentId.startsWith('TK')) {
      update.trunkSid = agent.agentId; // Twilio drops the voice application itself
    } else if (agent.agentId.startsWith('AP')) {
      update.voiceApplicationSid = agent.agentId; // and the trunk
    } else {
      throw new Error(`a Twilio inbound target is a TwiML app (AP…) or a SIP trunk (TK…), not ${agent.agentId}`);
    }
  }
  if (slots.sms) {
    const agent = only('sms', slots.sms);
    if (agent && !agent.agentId.startsWith('AP')) throw new Error(`a Twilio sms target is a TwiML app (AP…), not ${agent.agentId}`);
    update.smsApplicationSid = agent?.agentId ?? '';
  }
  return update;
}

/**
 * The SDK update for a label/fallback write: `FriendlyName` (≤ 64 characters at Twilio) and
 * `VoiceFallbackUrl`. Twilio clears with an empty string: no fallback URL, and a friendly name
 * that falls back to the formatted number.
 */
export function settingsUpdate(settings: SettingsWrite): IncomingPhoneNumberContextUpdateOptions {
  const update: IncomingPhoneNumberContextUpdateOptions = {};
  if (settings.label !== undefined) update.friendlyName = settings.label ?? '';
  if (settings.fallback !== undefined) update.voiceFallbackUrl = settings.fallback ?? '';
  return update;
}

export function createTwilioAdapter(settings: TwilioAdapterSettings): TwilioAdapter {
  const clientFor = (baseUrl: string) =>
    new HttpClient({
      ...settings.http,
      provider: 'twilio',
      baseUrl,
      headers: { Authorization: basicAuth(settings.username, settings.password) },
      secrets: [{ value: settings.password, user: settings.username }],
      errorMessage: twilioErrorMessage,
      authHint: AUTH_HINT,
    });
  const http = clientFor(settings.apiBaseUrl);
  // Trunking v1 is another host with the same credentials.
  const trunkingHttp = clientFor(settings.trunkingBaseUrl ?? 'https://trunking.twilio.com');
  const { lifecycle, trunking } = createTwilioLifecycle({ accountSid: settings.accountSid, api: http, trunking: trunkingHttp });
  const pageSize = Math.min(settings.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  let client: Promise<Client> | undefined;

  // The SDK costs ~100 ms to load: only commands that talk to Twilio pay for it.
  const checkAccountSid = (): void => {
    if (!/^AC[0-9a-fA-F]{32}$/.test(settings.accountSid)) {
      throw new AuthError(`"${settings.accountSid.slice(0, 40)}" is not a Twilio account SID (AC followed by 32 hex digits)`, AUTH_HINT);
    }
  };
  const routesBase = settings.routesBaseUrl.replace(/\/+$/, '');
  const sdk = (): Promise<Client> => {
    client ??= (async () => {
      checkAccountSid();
      const { default: twilio } = await import('twilio');
      const httpClient = createForwardingClient(twilio, http, settings, LIST_KEYS);
      return twilio(settings.username, settings.password, { accountSid: settings.accountSid, httpClient });
    })();
    return client;
  };
  const numbersApi = async (): Promise<IncomingPhoneNumberListInstance> => (await sdk()).api.v2010.accounts(settings.accountSid).incomingPhoneNumbers;

  const mapAnswer = (instance: IncomingPhoneNumberInstance, region: string | null, what: string): RemoteNumber => {
    const checked = checkNumber(instance);
    if (!checked.ok) throw new ProviderError('twilio', `${what} answered a number voicenum cannot use: ${checked.skipped.reason}`);
    return toRemoteNumber(checked.value, region);
  };

  const setRegion = async (e164: string, region: string): Promise<string | null> => {
    const route = (await sdk()).routes.v2.phoneNumbers(e164);
    const what = `setting the region of ${e164}`;
    const answer = await upstream(what, () => route.update({ voiceRegion: region }));
    return regionOf(answer, what);
  };

  /**
   * One number's region, read from Routes v2 without the SDK: a sync reads it for every Twilio
   * number, and the SDK's context, instance and date parsing of each answer cost more CPU than the
   * request itself (5,500 of them in a 10,000-number sandbox sync). The request is the one the SDK
   * sends: GET /v2/PhoneNumbers/+E.164 on the Routes host, with the account's credentials.
   */
  const readRegion = async (e164: string): Promise<string | null> => {
    checkAccountSid();
    const what = `reading the region of ${e164}`;
    try {
      const answer = await http.request<unknown>({ method: 'GET', path: `${routesBase}/v2/PhoneNumbers/${e164}` });
      const body = typeof answer.data === 'object' && answer.data !== null ? (answer.data as Record<string, unknown>) : {};
      return regionOf({ voiceRegion: body.voice_region }, what);
    } catch (error) {
      if (error instanceof ProviderError && error.status === 404) return null;
      throw error;
    }
  };

  const updateNumber = async (number: NumberKey, update: IncomingPhoneNumberContextUpdateOptions, region: string | null): Promise<RemoteNumber> => {
    const api = await numbersApi();
    const what = `updating ${number.e164}`;
    const answer = await upstream(what, () => api(number.providerId).update(update));
    return mapAnswer(answer, region, what);
  };

  const readNumber = async (number: NumberKey): Promise<RemoteNumber> => {
    const api = await numbersApi();
    const what = `reading ${number.e164}`;
    // The region lives in another API; both answers are awaited together, one round trip of latency.
    const [answer, region] = await Promise.all([upstream(what, () => api(number.providerId).fetch()), readRegion(number.e164)]);
    return mapAnswer(answer, region, what);
  };

  /**
   * A page of a 2010 list, read without the SDK like the regions (a sync reads every number through
   * these pages, and the SDK costs some 150 ms to load before its first request and an instance per
   * record): the records under their key as Twilio sends them, and the next page where the SDK
   * finds it (`meta.next_page_url`, else `next_page_uri`, a path on the API's host, which `http`
   * is aimed at).
   */
  const listPage = async (path: string, listKey: string): Promise<ListPage> => {
    const { data } = await http.request<unknown>({ method: 'GET', path });
    const problem = listPageProblem(path, data, LIST_KEYS);
    if (problem !== null) throw new ProviderError('twilio', problem);
    const page = data as Record<string, unknown>;
    const meta = page.meta as { next_page_url?: unknown } | null | undefined;
    const nextUrl = typeof meta?.next_page_url === 'string' && meta.next_page_url !== '' ? meta.next_page_url : undefined;
    const nextUri = typeof page.next_page_uri === 'string' && page.next_page_uri !== '' ? page.next_page_uri : undefined;
    const next = nextUrl ?? nextUri;
    return { records: page[listKey] as Record<string, unknown>[], nextPageUrl: next, nextPage: () => (next === undefined ? undefined : listPage(next, listKey)) };
  };
  const firstPage = (list: string, listKey: string) => {
    checkAccountSid();
    return listPage(`/2010-04-01/Accounts/${settings.accountSid}/${list}?PageSize=${pageSize}`, listKey);
  };

  const fetchNumbers = async (onNumber: (number: RemoteNumber) => void, report: () => void, numbers: RemoteNumber[], skipped: SkippedRecord[]): Promise<void> => {
    await walkPages('incoming_phone_numbers', () => firstPage('IncomingPhoneNumbers.json', 'incoming_phone_numbers'), (record) => {
      const checked = checkNumber(numberFromWire(record));
      if (!checked.ok) return skipped.push(checked.skipped);
      const number = toRemoteNumber(checked.value, null);
      numbers.push(number);
      onNumber(number);
    }, report);
  };

  const fetchApplications = async (report: () => void, agents: RemoteAgent[], skipped: SkippedRecord[]): Promise<void> => {
    await walkPages('applications', () => firstPage('Applications.json', 'applications'), (record) => {
      const checked = toApplicationAgent(applicationFromWire(record));
      if (checked.ok) agents.push(checked.value);
      else skipped.push(checked.skipped);
    }, report);
  };

  return {
    name: 'twilio',
    get requestCount() {
      return http.requestCount + trunkingHttp.requestCount;
    },

    fetchAll(options: FetchOptions = {}): Promise<ProviderSnapshot> {
      // Reads only, so every request (the SDK's too: they pass through `http`) can be cancelled.
      return http.cancellableReads(options.signal, async (stop) => {
        const before = http.requestCount;
        const numbers: RemoteNumber[] = [];
        const agents: RemoteAgent[] = [];
        const skipped: SkippedRecord[] = [];
        // The region step: one Routes v2 read per number listed so far (12 s of a 10,000-number sync).
        const regions = { name: 'regions', done: 0, total: 0 };
        const report = () => options.onProgress?.({ provider: 'twilio', numbers: numbers.length, agents: agents.length, step: { ...regions, total: numbers.length } });
        const limiter = createLimiter(Math.max(1, settings.regionConcurrency ?? DEFAULT_REGION_CONCURRENCY));
        const regionJobs: Promise<unknown>[] = [];
        let failure: unknown;
        // The first failure is the one reported; it stops the queued region reads and cancels the
        // requests in flight, whose own (cancelled) failures come after it and are dropped.
        const fail = (error: unknown) => {
          failure ??= error;
          limiter.stop();
          stop();
        };
        // Regions are read while the next pages are still coming.
        const lookUpRegion = (number: RemoteNumber) => {
          const job = limiter.run(async () => {
            number.region = await readRegion(number.e164);
            regions.done++;
            report();
          });
          regionJobs.push(job.catch(fail));
        };
        await Promise.all([fetchNumbers(lookUpRegion, report, numbers, skipped), fetchApplications(report, agents, skipped)]).catch(fail);
        await Promise.all(regionJobs);
        if (failure !== undefined) throw failure;
        agents.push(...trunkAgents(numbers));
        return { provider: 'twilio', numbers, agents, skipped, requests: http.requestCount - before };
      });
    },

    async verifyCredentials(): Promise<void> {
      const api = await numbersApi();
      await upstream('checking the credentials', () => api.page({ pageSize: 1 }));
    },

    readNumber,

    async writeSlots(number: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const update = slotUpdate(slots);
      if (Object.keys(update).length === 0) return readNumber(number);
      // A slot write leaves the region alone, so the one already known stands.
      return updateNumber(number, update, current.region);
    },

    async writeSettings(number: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber> {
      const update = settingsUpdate(settings);
      if (Object.keys(update).length === 0) return current;
      // One POST sets both; the region lives in Routes v2 and is untouched, so the known one stands.
      return updateNumber(number, update, current.region);
    },

    readRegion,
    setRegion,
    regions: { read: readRegion, set: setRegion },
    lifecycle,
    trunking,
  };
}
