import type { z } from 'zod';
import { ProviderError } from '../../domain/errors.js';
import type { RemoteNumber } from '../../domain/model.js';
import type { HttpClient, HttpRequest } from '../http.js';
import { describeIssue } from '../schema-issue.js';
import type { AvailableNumber, CreatedResource, LifecycleCapability, NumberKey, PurchaseRequest, TrunkingCapability, VoiceRouting } from '../types.js';
import { checkNumber, toRemoteNumber } from './map.js';
import {
  availableNumbersPageWire,
  availableNumberWire,
  credentialListPageWire,
  credentialListWire,
  credentialWire,
  trunkCredentialListPageWire,
  incomingNumberWire,
  originationUrlWire,
  trunkPageWire,
  trunkPhoneNumberPageWire,
  trunkPhoneNumberWire,
  trunkWire,
  type IncomingNumberWire,
} from './schema.js';

/**
 * The life of a Twilio number, and the pieces of a SIP-trunk import: plain form-encoded requests
 * through the shared HttpClient (retries, timeouts, bounded bodies, typed errors), read with the
 * snake_case wire schemas of ./schema.ts. The 2010 API (numbers, SIP credential lists) and
 * Trunking v1 live on two hosts, hence two clients with the same credentials.
 *
 * Creates are sent with `retry: 'unprocessed'`: a create whose answer was lost (timeout, reset,
 * 5xx) may have been applied, and sending it again would buy a second number or make a second
 * trunk. Updates and deletes are safe to repeat and keep the default retries; a delete repeated
 * after a lost answer meets a 404, which `remove` and `release` take as done.
 */

/** Pages read from one Trunking list at most: far past any real account, short of one that never ends. */
const MAX_PAGES = 1000;
/** Candidates asked for per search: enough to choose from on a terminal. */
const SEARCH_PAGE_SIZE = 20;

export interface TwilioLifecycleSettings {
  accountSid: string;
  /** The 2010 API (api.twilio.com). */
  api: HttpClient;
  /** Trunking v1 (trunking.twilio.com). */
  trunking: HttpClient;
}

function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ProviderError('twilio', `${what}: unusable answer (${describeIssue(parsed.error)})`);
  return parsed.data;
}

/** A DELETE that finds nothing has nothing left to do: an undo may run twice (after a crash, a retry). */
function deleteIfPresent(client: HttpClient, path: string): Promise<void> {
  return client.removeIfPresent({ method: 'DELETE', path });
}

/** A wire IncomingPhoneNumber as the camelCase fields the sync mapping reads, then as a RemoteNumber. */
function remoteNumberOf(wire: IncomingNumberWire, what: string): RemoteNumber {
  const checked = checkNumber({
    sid: wire.sid,
    phoneNumber: wire.phone_number,
    friendlyName: wire.friendly_name,
    status: wire.status,
    origin: wire.origin,
    capabilities: wire.capabilities,
    voiceFallbackUrl: wire.voice_fallback_url,
    trunkSid: wire.trunk_sid,
    voiceApplicationSid: wire.voice_application_sid,
    smsApplicationSid: wire.sms_application_sid,
  });
  if (!checked.ok) throw new ProviderError('twilio', `${what} answered a number voicenum cannot use: ${checked.skipped.reason}`);
  return toRemoteNumber(checked.value, null);
}

const present = (value: string | null | undefined): string | null => (value === undefined || value === null || value === '' ? null : value);

/** A capability flag from an AvailablePhoneNumbers entry, whose keys Twilio writes in either case. */
function capability(flags: Record<string, boolean | null | undefined> | null | undefined, name: string): boolean | null {
  if (!flags) return null;
  return flags[name] ?? flags[name.toUpperCase()] ?? null;
}

export function createTwilioLifecycle(settings: TwilioLifecycleSettings): { lifecycle: LifecycleCapability; trunking: TrunkingCapability } {
  const { api, trunking } = settings;
  const account = `/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}`;
  const numberPath = (sid: string) => `${account}/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`;
  const trunkPath = (sid: string) => `/v1/Trunks/${encodeURIComponent(sid)}`;
  const listPath = (sid: string) => `${account}/SIP/CredentialLists/${encodeURIComponent(sid)}`;

  const create = async <S extends z.ZodType>(client: HttpClient, path: string, form: Record<string, string>, schema: S, what: string): Promise<z.infer<S>> => {
    const request: HttpRequest = { method: 'POST', path, form, retry: 'unprocessed' };
    const answer = await client.request(request);
    return parse(schema, answer.data, what);
  };

  /**
   * Follow a Trunking v1 list through `meta.next_page_url` (an absolute trunking.twilio.com URL:
   * only its path and query are kept, so the configured base URL is the one asked).
   */
  const walkTrunking = async <T>(first: string, read: (data: unknown) => { items: T[]; next: string | null | undefined }): Promise<T[]> => {
    const items: T[] = [];
    const followed = new Set<string>();
    let path: string | null = first;
    for (let page = 0; path !== null; page++) {
      if (page >= MAX_PAGES) throw new ProviderError('twilio', `listing ${first}: paging did not advance to an end`);
      followed.add(path);
      const answer = await trunking.request({ method: 'GET', path });
      const { items: found, next } = read(answer.data);
      items.push(...found);
      const nextPath: string | null = next ? relativeOf(next) : null;
      if (nextPath !== null && followed.has(nextPath)) throw new ProviderError('twilio', `listing ${first}: paging did not advance (a next page already followed)`);
      path = nextPath;
    }
    return items;
  };

  const readVoiceRouting = async (phoneNumberSid: string): Promise<VoiceRouting> => {
    const what = `reading the voice routing of ${phoneNumberSid}`;
    const answer = await api.request({ method: 'GET', path: numberPath(phoneNumberSid) });
    const wire = parse(incomingNumberWire, answer.data, what);
    return {
      voiceUrl: present(wire.voice_url),
      voiceMethod: present(wire.voice_method),
      voiceApplicationSid: present(wire.voice_application_sid),
      trunkSid: present(wire.trunk_sid),
    };
  };

  const lifecycle: LifecycleCapability = {
    async searchAvailable(request: PurchaseRequest): Promise<AvailableNumber[]> {
      const country = request.country ?? 'US';
      const kind = request.tollFree ? 'TollFree' : 'Local';
      const query: Record<string, string | number> = { PageSize: SEARCH_PAGE_SIZE };
      if (request.areaCode !== undefined) query.AreaCode = request.areaCode;
      if (request.e164 !== undefined) query.Contains = request.e164;
      const answer = await api.request({ method: 'GET', path: `${account}/AvailablePhoneNumbers/${encodeURIComponent(country)}/${kind}.json`, query });
      const what = `searching ${country} ${kind} numbers`;
      const page = parse(availableNumbersPageWire, answer.data, what);
      // One odd entry is left out rather than failing the whole choice.
      return page.available_phone_numbers.flatMap((entry) => {
        const parsed = availableNumberWire.safeParse(entry);
        if (!parsed.success) return [];
        const { phone_number, locality, region, capabilities } = parsed.data;
        return [{ e164: phone_number, locality: present(locality), region: present(region), capabilities: { voice: capability(capabilities, 'voice'), sms: capability(capabilities, 'sms') } }];
      });
    },

    async buy(request: PurchaseRequest): Promise<RemoteNumber> {
      const form: Record<string, string> = {};
      if (request.e164 !== undefined) form.PhoneNumber = request.e164;
      else if (request.areaCode !== undefined) form.AreaCode = request.areaCode;
      else throw new Error('a Twilio purchase names a number (PhoneNumber) or an area code (AreaCode)');
      if (request.label !== undefined) form.FriendlyName = request.label;
      const what = `buying ${request.e164 ?? `a number in area code ${request.areaCode}`}`;
      return remoteNumberOf(await create(api, `${account}/IncomingPhoneNumbers.json`, form, incomingNumberWire, what), what);
    },

    async release(number: NumberKey): Promise<void> {
      await deleteIfPresent(api, numberPath(number.providerId));
    },
  };

  const trunkingCapability: TrunkingCapability = {
    async listTrunks(prefix: string) {
      const trunks = await walkTrunking('/v1/Trunks?PageSize=1000', (data) => {
        const page = parse(trunkPageWire, data, 'listing the SIP trunks');
        return { items: page.trunks, next: page.meta?.next_page_url };
      });
      const ours = trunks.filter((trunk) => (trunk.friendly_name ?? '').startsWith(prefix));
      const out = [];
      for (const trunk of ours) {
        const numbers = await walkTrunking(`${trunkPath(trunk.sid)}/PhoneNumbers?PageSize=1000`, (data) => {
          const page = parse(trunkPhoneNumberPageWire, data, `listing the numbers of trunk ${trunk.sid}`);
          return { items: page.phone_numbers, next: page.meta?.next_page_url };
        });
        out.push({ sid: trunk.sid, domainName: trunk.domain_name, friendlyName: trunk.friendly_name ?? '', phoneNumberSids: numbers.map((number) => number.sid) });
      }
      return out;
    },

    async createTrunk({ friendlyName, domainName }) {
      const trunk = await create(trunking, '/v1/Trunks', { FriendlyName: friendlyName, DomainName: domainName }, trunkWire, `creating the SIP trunk ${domainName}`);
      return { kind: 'trunk', sid: trunk.sid, domainName: trunk.domain_name };
    },

    async addOriginationUrl(trunkSid, request) {
      const form = { FriendlyName: request.friendlyName, SipUrl: request.sipUrl, Priority: String(request.priority), Weight: String(request.weight), Enabled: String(request.enabled) };
      const created = await create(trunking, `${trunkPath(trunkSid)}/OriginationUrls`, form, originationUrlWire, `adding an origination URL to trunk ${trunkSid}`);
      return { kind: 'origination-url', sid: created.sid, parentSid: trunkSid };
    },

    async createCredentialList(friendlyName) {
      const created = await create(api, `${account}/SIP/CredentialLists.json`, { FriendlyName: friendlyName }, credentialListWire, 'creating a SIP credential list');
      return { kind: 'credential-list', sid: created.sid };
    },

    async addCredential(listSid, username, password) {
      // The password goes in the form only; the HttpClient traces never carry bodies.
      const created = await create(api, `${listPath(listSid)}/Credentials.json`, { Username: username, Password: password }, credentialWire, `adding a credential to list ${listSid}`);
      return { kind: 'credential', sid: created.sid, parentSid: listSid };
    },

    async attachCredentialList(trunkSid, listSid) {
      const created = await create(trunking, `${trunkPath(trunkSid)}/CredentialLists`, { CredentialListSid: listSid }, credentialListWire, `attaching credential list ${listSid} to trunk ${trunkSid}`);
      return { kind: 'trunk-credential-list', sid: created.sid, parentSid: trunkSid };
    },

    async attachPhoneNumber(trunkSid, phoneNumberSid) {
      const created = await create(trunking, `${trunkPath(trunkSid)}/PhoneNumbers`, { PhoneNumberSid: phoneNumberSid }, trunkPhoneNumberWire, `attaching ${phoneNumberSid} to trunk ${trunkSid}`);
      return { kind: 'trunk-phone-number', sid: created.sid, parentSid: trunkSid };
    },

    async findCredentialList(friendlyName) {
      let path: string | null = `${account}/SIP/CredentialLists.json?PageSize=1000`;
      const followed = new Set<string>();
      for (let page = 0; path !== null; page++) {
        if (page >= MAX_PAGES || followed.has(path)) throw new ProviderError('twilio', 'listing the SIP credential lists: paging did not advance to an end');
        followed.add(path);
        const answer: { data: unknown } = await api.request({ method: 'GET', path });
        const parsed: z.infer<typeof credentialListPageWire> = parse(credentialListPageWire, answer.data, 'listing the SIP credential lists');
        const found = parsed.credential_lists.find((entry) => entry.friendly_name === friendlyName);
        if (found) return { kind: 'credential-list', sid: found.sid };
        path = parsed.next_page_uri ? relativeOf(parsed.next_page_uri) : null;
      }
      return null;
    },

    async trunkCredentialListSids(trunkSid) {
      const lists = await walkTrunking(`${trunkPath(trunkSid)}/CredentialLists?PageSize=1000`, (data) => {
        const page = parse(trunkCredentialListPageWire, data, `listing the credential lists of trunk ${trunkSid}`);
        return { items: page.credential_lists, next: page.meta?.next_page_url };
      });
      return lists.map((entry) => entry.sid);
    },

    async remove(resource: CreatedResource) {
      const parent = (): string => {
        if (!resource.parentSid) throw new Error(`removing a ${resource.kind} needs the sid it belongs to (parentSid)`);
        return resource.parentSid;
      };
      const sid = encodeURIComponent(resource.sid);
      switch (resource.kind) {
        case 'trunk':
          return deleteIfPresent(trunking, trunkPath(resource.sid));
        case 'origination-url':
          return deleteIfPresent(trunking, `${trunkPath(parent())}/OriginationUrls/${sid}`);
        case 'trunk-credential-list':
          return deleteIfPresent(trunking, `${trunkPath(parent())}/CredentialLists/${sid}`);
        case 'trunk-phone-number':
          return deleteIfPresent(trunking, `${trunkPath(parent())}/PhoneNumbers/${sid}`);
        case 'credential-list':
          return deleteIfPresent(api, `${listPath(resource.sid)}.json`);
        case 'credential':
          return deleteIfPresent(api, `${listPath(parent())}/Credentials/${sid}.json`);
      }
    },

    readVoiceRouting,

    async restoreVoiceRouting(phoneNumberSid, routing) {
      const current = await readVoiceRouting(phoneNumberSid);
      // A trunk wins over an app and a URL at Twilio: when the saved routing had none, the number
      // leaves the trunk it is on now first, or the restored URL/app would never be reached.
      if (current.trunkSid !== null && current.trunkSid !== routing.trunkSid && routing.trunkSid === null) {
        await deleteIfPresent(trunking, `${trunkPath(current.trunkSid)}/PhoneNumbers/${encodeURIComponent(phoneNumberSid)}`);
      }
      const form: Record<string, string> = { VoiceUrl: routing.voiceUrl ?? '' };
      if (routing.voiceMethod !== null) form.VoiceMethod = routing.voiceMethod;
      // Setting one of trunk and app clears the other at Twilio, so only the saved one is sent.
      if (routing.trunkSid !== null) form.TrunkSid = routing.trunkSid;
      else form.VoiceApplicationSid = routing.voiceApplicationSid ?? '';
      await api.request({ method: 'POST', path: numberPath(phoneNumberSid), form });
    },
  };

  return { lifecycle, trunking: trunkingCapability };
}

/** The path and query of a next-page URL, so the client's own base URL is the host asked. */
function relativeOf(url: string): string {
  if (!/^https?:\/\//.test(url)) return url;
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
