import { createHash } from 'node:crypto';
import { SANDBOX_KEYS } from '../credentials.js';
import type { Changes, FakeProvider, FakeRequest, FakeResponse, Route, StateAccess } from '../fake-server.js';
import type { SeedNumber, SeedPlan } from '../seed.js';
import { lifecycleRoutes } from './twilio-lifecycle.js';
import { recordByNumber } from './record-by-number.js';

/**
 * Twilio as voicenum sees it: the 2010 API's IncomingPhoneNumbers and Applications, and Routes v2
 * PhoneNumbers (inbound processing region). Both hosts are served by this one fake; their paths do
 * not overlap. Records are kept in Twilio's wire format (snake_case, RFC 2822 dates) so a handler
 * answers them as they are.
 */

/** An IncomingPhoneNumber as the 2010 API answers it (the spec's fields). */
export interface TwilioIncomingPhoneNumber {
  account_sid: string;
  address_sid: string | null;
  address_requirements: string;
  api_version: string;
  beta: boolean | null;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean } | null;
  date_created: string;
  date_updated: string;
  friendly_name: string;
  identity_sid: string | null;
  phone_number: string;
  origin: string;
  sid: string;
  sms_application_sid: string;
  sms_fallback_method: string;
  sms_fallback_url: string;
  sms_method: string;
  sms_url: string;
  status_callback: string;
  status_callback_method: string;
  trunk_sid: string | null;
  uri: string;
  voice_receive_mode: string;
  voice_application_sid: string;
  voice_caller_id_lookup: boolean;
  voice_fallback_method: string;
  voice_fallback_url: string | null;
  voice_method: string;
  voice_url: string | null;
  emergency_status: string;
  emergency_address_sid: string | null;
  emergency_address_status: string;
  bundle_sid: string | null;
  status: string;
  type: string;
}

/** A TwiML Application as the 2010 API answers it. */
export interface TwilioApplication {
  account_sid: string;
  api_version: string;
  date_created: string;
  date_updated: string;
  friendly_name: string;
  message_status_callback: string | null;
  sid: string;
  sms_fallback_method: string;
  sms_fallback_url: string;
  sms_method: string;
  sms_status_callback: string | null;
  sms_url: string;
  status_callback: string | null;
  status_callback_method: string;
  uri: string;
  voice_caller_id_lookup: boolean;
  voice_fallback_method: string;
  voice_fallback_url: string | null;
  voice_method: string;
  voice_url: string | null;
  public_application_connect_enabled: boolean;
}

/** A Routes v2 PhoneNumber: the inbound processing region of one number. ISO 8601 dates. */
export interface TwilioRoute {
  phone_number: string;
  sid: string;
  friendly_name: string | null;
  voice_region: string | null;
  date_created: string;
  date_updated: string;
}

export interface TwilioState {
  accountSid: string;
  authToken: string;
  /** API keys (SK sid + secret) that authenticate for the account, like the auth token. */
  apiKeys: { sid: string; secret: string }[];
  incomingPhoneNumbers: TwilioIncomingPhoneNumber[];
  applications: TwilioApplication[];
  /** Elastic SIP trunks (Trunking v1), served at /v1/Trunks. */
  trunks: TwilioTrunk[];
  routes: TwilioRoute[];
  // The resources of a trunk import. A state saved by an earlier voicenum has none of these
  // collections yet: the handlers create them on first use.
  originationUrls: TwilioOriginationUrl[];
  /** Credential lists attached to trunks (termination auth): one record per trunk and list. */
  trunkCredentialLists: TwilioTrunkCredentialList[];
  /** SIP credential lists of the 2010 API, and their credentials (passwords are not kept). */
  credentialLists: TwilioCredentialList[];
  credentials: TwilioCredential[];
}

/** A Trunking v1 Trunk (ISO 8601 dates). Older saved states hold only sid and friendly_name. */
export interface TwilioTrunk {
  sid: string;
  friendly_name: string;
  domain_name?: string | null;
  date_created?: string;
  date_updated?: string;
}

export interface TwilioOriginationUrl {
  sid: string;
  trunk_sid: string;
  friendly_name: string;
  sip_url: string;
  priority: number;
  weight: number;
  enabled: boolean;
  date_created: string;
  date_updated: string;
}

export interface TwilioTrunkCredentialList {
  /** The credential list's sid (CL…): Trunking v1 names the attachment by it. */
  sid: string;
  trunk_sid: string;
  date_created: string;
  date_updated: string;
}

export interface TwilioCredentialList {
  sid: string;
  friendly_name: string;
  date_created: string;
  date_updated: string;
}

export interface TwilioCredential {
  sid: string;
  credential_list_sid: string;
  username: string;
  date_created: string;
  date_updated: string;
}

/** Deterministic Twilio-style sid (prefix + 32 hex) derived from a name, so reseeding keeps ids. */
export function sidFor(prefix: string, name: string): string {
  return prefix + createHash('sha256').update(name).digest('hex').slice(0, 32);
}

/** The API key the sandbox accepts besides the auth token. Not a secret: it opens only the fake. */
export const TWILIO_SANDBOX_API_KEY = {
  sid: sidFor('SK', 'voicenum-sandbox-api-key'),
  secret: 'sandbox_twilio_api_secret_5d0f',
} as const;

/** Voice regions Routes v2 accepts for `VoiceRegion` (Twilio's Home Regions). */
export const TWILIO_VOICE_REGIONS = ['us1', 'ie1', 'au1'] as const;

export const TWILIO_MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_FRIENDLY_NAME = 64;
const API_PREFIX = '/2010-04-01/Accounts';

// Where the AI platforms point the Twilio numbers imported into them.
const RETELL_TRUNK_NAME = 'retell-elastic-sip';
const VAPI_VOICE_URL = 'https://api.vapi.ai/twilio/inbound_call';
const VAPI_SMS_URL = 'https://api.vapi.ai/twilio/sms';
const BLAND_VOICE_URL = 'https://api.bland.ai/v1/inbound/twilio';
// Where ElevenLabs points an imported number is not in its spec: these stand for it.
const ELEVENLABS_VOICE_URL = 'https://api.elevenlabs.io/twilio/inbound_call';
const ELEVENLABS_SMS_URL = 'https://api.elevenlabs.io/twilio/sms';

/** The voice webhook each platform that imports with the account's credentials sets on the number. */
const IMPORT_VOICE_URLS = { vapi: VAPI_VOICE_URL, bland: BLAND_VOICE_URL, elevenlabs: ELEVENLABS_VOICE_URL } as const;

export type VoiceUrlImporter = keyof typeof IMPORT_VOICE_URLS;

/** What a platform's fake does at the carrier's fake, as the platform does through Twilio's API. */
export interface CarrierLink {
  /**
   * A platform imported the account's number: it points the number's voice webhook at itself. An
   * application or trunk on the number is left as it is (it still wins over the URL at Twilio).
   */
  pointAtImporter(accountSid: string, e164: string, importer: VoiceUrlImporter): void;
}

/** The link the platform fakes are started with; a number not in the account is left alone. */
export function carrierLinkOf(access: StateAccess<TwilioState>): CarrierLink {
  return {
    pointAtImporter(accountSid, e164, importer) {
      access.mutate(
        (state, changes) => {
          const record = state.incomingPhoneNumbers.find((candidate) => candidate.account_sid === accountSid && candidate.phone_number === e164);
          if (!record) return;
          record.voice_url = IMPORT_VOICE_URLS[importer];
          record.voice_method = 'POST';
          record.date_updated = rfc2822(new Date());
          changes.put('incomingPhoneNumbers', record);
        },
        () => true,
      );
    },
  };
}

// --- dates -------------------------------------------------------------------------------------

/** RFC 2822 as the 2010 API writes it: `Thu, 30 Jul 2015 23:19:04 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const SEED_EPOCH = Date.UTC(2024, 0, 15, 9, 30, 0);
const seedDate = (index: number): Date => new Date(SEED_EPOCH + index * 86_400_000 + index * 61_000);

// --- seed --------------------------------------------------------------------------------------

interface VoiceRouting {
  voice_url: string | null;
  trunk_sid: string | null;
  voice_application_sid: string;
  sms_url: string;
}

/** The routing an AI platform leaves on a carrier record when it imports the number. */
function importRouting(plan: SeedPlan, number: SeedNumber, trunkSid: string): VoiceRouting | null {
  const holder = plan.numbers.find((other) => other.provider !== 'twilio' && other.importedFromTwilio && other.e164 === number.e164);
  if (!holder) return null;
  if (holder.provider === 'retell') return { voice_url: null, trunk_sid: trunkSid, voice_application_sid: '', sms_url: '' };
  if (holder.provider === 'vapi') return { voice_url: VAPI_VOICE_URL, trunk_sid: null, voice_application_sid: '', sms_url: number.smsCapable ? VAPI_SMS_URL : '' };
  if (holder.provider === 'elevenlabs') return { voice_url: ELEVENLABS_VOICE_URL, trunk_sid: null, voice_application_sid: '', sms_url: number.smsCapable ? ELEVENLABS_SMS_URL : '' };
  return { voice_url: BLAND_VOICE_URL, trunk_sid: null, voice_application_sid: '', sms_url: '' };
}

function seedRouting(plan: SeedPlan, number: SeedNumber, trunkSid: string): VoiceRouting {
  if (number.carrierRouting === 'import-trunk') return { voice_url: null, trunk_sid: trunkSid, voice_application_sid: '', sms_url: '' };
  const imported = number.carrierRouting === 'own-slots' ? null : importRouting(plan, number, trunkSid);
  if (imported) return imported;
  const inbound = number.slots.inbound[0]?.agentId ?? '';
  return {
    voice_url: null,
    trunk_sid: inbound.startsWith('TK') ? inbound : null,
    voice_application_sid: inbound.startsWith('AP') ? inbound : '',
    sms_url: '',
  };
}

export function numberRecord(accountSid: string, number: SeedNumber, routing: VoiceRouting, index: number): TwilioIncomingPhoneNumber {
  const created = rfc2822(seedDate(index));
  return {
    account_sid: accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: number.voiceCapable, sms: number.smsCapable, mms: number.smsCapable, fax: false },
    date_created: created,
    date_updated: created,
    friendly_name: number.label,
    identity_sid: null,
    phone_number: number.e164,
    origin: 'twilio',
    sid: number.id,
    sms_application_sid: number.slots.sms[0]?.agentId ?? '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: routing.sms_url,
    status_callback: '',
    status_callback_method: 'POST',
    trunk_sid: routing.trunk_sid,
    uri: `${API_PREFIX}/${accountSid}/IncomingPhoneNumbers/${number.id}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: routing.voice_application_sid,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: number.fallback,
    voice_method: 'POST',
    voice_url: routing.voice_url,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: number.e164.startsWith('+1') ? 'local' : 'mobile',
  };
}

function applicationRecord(accountSid: string, sid: string, name: string, index: number): TwilioApplication {
  const created = rfc2822(seedDate(index));
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    date_created: created,
    date_updated: created,
    friendly_name: name,
    message_status_callback: null,
    sid,
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_status_callback: null,
    sms_url: `https://sandbox.voicenum.invalid/twiml/${name}/sms`,
    status_callback: null,
    status_callback_method: 'POST',
    uri: `${API_PREFIX}/${accountSid}/Applications/${sid}.json`,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: `https://sandbox.voicenum.invalid/twiml/${name}/voice`,
    public_application_connect_enabled: false,
  };
}

function routeRecord(e164: string, region: string | null, index: number): TwilioRoute {
  const when = iso(seedDate(index));
  return { phone_number: e164, sid: sidFor('QQ', e164), friendly_name: null, voice_region: region, date_created: when, date_updated: when };
}

/**
 * The Twilio account of the seed plan: every Twilio record (carrier records of numbers imported
 * elsewhere included), the TwiML applications, the account SID and the accepted credentials.
 */
export function twilioStateFromSeed(plan: SeedPlan): TwilioState {
  const accountSid = plan.twilioAccountSid;
  const seeded = iso(seedDate(0));
  const retellTrunk: TwilioTrunk = { sid: sidFor('TK', `${accountSid}:${RETELL_TRUNK_NAME}`), friendly_name: RETELL_TRUNK_NAME, domain_name: `${RETELL_TRUNK_NAME}.pstn.twilio.com`, date_created: seeded, date_updated: seeded };
  const numbers = plan.numbers.filter((number) => number.provider === 'twilio');
  return {
    accountSid,
    authToken: SANDBOX_KEYS.twilioAuthToken,
    apiKeys: [{ ...TWILIO_SANDBOX_API_KEY }],
    incomingPhoneNumbers: numbers.map((number, index) => numberRecord(accountSid, number, seedRouting(plan, number, retellTrunk.sid), index)),
    applications: plan.agents.filter((agent) => agent.provider === 'twilio' && agent.kind === 'twiml-app').map((agent, index) => applicationRecord(accountSid, agent.id, agent.name, index)),
    trunks: [retellTrunk],
    routes: numbers.map((number, index) => routeRecord(number.e164, number.regionUnknown ? null : (number.region ?? 'us1'), index)),
    originationUrls: [],
    trunkCredentialLists: [],
    credentialLists: [],
    credentials: [],
  };
}

// --- errors ------------------------------------------------------------------------------------

const CODE_FOR_STATUS: Record<number, number> = { 400: 20001, 401: 20003, 403: 20003, 404: 20404, 405: 20004, 409: 20409, 429: 20429, 500: 20500, 503: 20503 };

/** Twilio's error body: `{ code, message, more_info, status }`. */
export function twilioError(status: number, code: number, message: string): FakeResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

const unauthorized = (): FakeResponse => twilioError(401, 20003, 'Authenticate');
export const notFound = (path: string): FakeResponse => twilioError(404, 20404, `The requested resource ${path} was not found`);

// --- auth --------------------------------------------------------------------------------------

interface BasicCredentials {
  username: string;
  password: string;
}

/** HTTP Basic only; anything else (Bearer, a bare key, broken base64) is Twilio's 401. */
function basicCredentials(request: FakeRequest): BasicCredentials | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header.trim()) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function credentialsValid(state: TwilioState, credentials: BasicCredentials): boolean {
  if (credentials.username === state.accountSid) return credentials.password === state.authToken;
  return state.apiKeys.some((key) => key.sid === credentials.username && key.secret === credentials.password);
}

export type Handler = (request: FakeRequest, state: TwilioState, changes: Changes<TwilioState>) => FakeResponse;

/** The key is checked here rather than in authorize(), which cannot see the state holding it. */
function authenticated(handler: Handler): Handler {
  return (request, state, changes) => {
    const credentials = basicCredentials(request);
    if (!credentials || !credentialsValid(state, credentials)) return unauthorized();
    return handler(request, state, changes);
  };
}

/**
 * Credentials that are valid but belong to another account than the path names are refused
 * like Twilio refuses credentials scoped to the wrong account (20003, "Permission Denied").
 */
function ownAccount(handler: Handler): Handler {
  return authenticated((request, state, changes) => {
    const accountSid = request.params.accountSid ?? '';
    if (accountSid !== state.accountSid) return twilioError(403, 20003, 'Authenticate');
    return handler(request, state, changes);
  });
}

// --- paging ------------------------------------------------------------------------------------

interface PageRequest {
  pageSize: number;
  page: number;
  /** Sid of the last record of the previous page (from `PageToken=PA<sid>`). */
  after: string | null;
}

function pageRequest(query: URLSearchParams): PageRequest | FakeResponse {
  const rawSize = query.get('PageSize');
  let pageSize = DEFAULT_PAGE_SIZE;
  if (rawSize !== null) {
    if (!/^\d+$/.test(rawSize) || Number(rawSize) < 1) return twilioError(400, 20001, `Invalid PageSize: ${rawSize}`);
    // Twilio answers at most 1000 per page and reports the size it used.
    pageSize = Math.min(Number(rawSize), TWILIO_MAX_PAGE_SIZE);
  }
  const rawPage = query.get('Page');
  if (rawPage !== null && !/^\d+$/.test(rawPage)) return twilioError(400, 20001, `Invalid Page: ${rawPage}`);
  const token = query.get('PageToken');
  if (token !== null && !/^PA[A-Za-z]{2}[0-9a-fA-F]{32}$/.test(token)) return twilioError(400, 20001, `Invalid PageToken: ${token}`);
  return { pageSize, page: rawPage === null ? 0 : Number(rawPage), after: token === null ? null : token.slice(2) };
}

function listUri(path: string, filters: [string, string][], pageSize: number, page: number, token?: string): string {
  const query = new URLSearchParams([...filters, ['PageSize', String(pageSize)], ['Page', String(page)]]);
  if (token) query.set('PageToken', token);
  return `${path}?${query.toString()}`;
}

/**
 * One page of a 2010 list, in the spec's envelope. Records are ordered by sid; a PageToken names
 * the last sid of the previous page, so a page stays right when records are added or removed;
 * Page alone (no token) is an offset, as Twilio still honours it.
 */
function listPage<T extends { sid: string }>(request: FakeRequest, key: string, records: T[], filters: [string, string][]): FakeResponse {
  const paging = pageRequest(request.query);
  if ('status' in paging) return paging;
  const sorted = [...records].sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  const startIndex = paging.after === null ? paging.page * paging.pageSize : sorted.findIndex((record) => record.sid > paging.after!);
  const from = startIndex < 0 ? sorted.length : startIndex;
  const items = sorted.slice(from, from + paging.pageSize);
  const hasMore = from + items.length < sorted.length;
  const last = items[items.length - 1];
  const start = paging.page * paging.pageSize;
  return {
    status: 200,
    body: {
      [key]: items,
      end: start + Math.max(items.length, 1) - 1,
      first_page_uri: listUri(request.path, filters, paging.pageSize, 0),
      next_page_uri: hasMore && last ? listUri(request.path, filters, paging.pageSize, paging.page + 1, `PA${last.sid}`) : null,
      page: paging.page,
      page_size: paging.pageSize,
      previous_page_uri: paging.page > 0 ? listUri(request.path, filters, paging.pageSize, paging.page - 1) : null,
      start,
      uri: listUri(request.path, filters, paging.pageSize, paging.page, request.query.get('PageToken') ?? undefined),
    },
  };
}

/** Twilio's PhoneNumber filter: a partial number where `*` stands for any one digit. */
function phoneNumberMatches(filter: string, phoneNumber: string): boolean {
  const pattern = filter.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\d');
  return new RegExp(pattern).test(phoneNumber);
}

function listFilters(query: URLSearchParams, names: string[]): [string, string][] {
  return names.flatMap((name) => {
    const value = query.get(name);
    return value === null ? [] : [[name, value] as [string, string]];
  });
}

// --- IncomingPhoneNumbers ----------------------------------------------------------------------

const listNumbers: Handler = (request, state) => {
  const filters = listFilters(request.query, ['PhoneNumber', 'FriendlyName', 'Origin', 'Beta']);
  const get = (name: string) => filters.find(([key]) => key === name)?.[1];
  const phone = get('PhoneNumber');
  const friendly = get('FriendlyName');
  const origin = get('Origin');
  const records = state.incomingPhoneNumbers.filter(
    (record) => (phone === undefined || phoneNumberMatches(phone, String(record.phone_number))) && (friendly === undefined || record.friendly_name === friendly) && (origin === undefined || record.origin === origin),
  );
  return listPage(request, 'incoming_phone_numbers', records, filters);
};

/** The sid of an instance path: the framework's `:resource` segment carries the `.json` suffix. */
export function instanceSid(request: FakeRequest): string | null {
  const match = /^(.+)\.json$/.exec(request.params.resource ?? '');
  return match ? match[1]! : null;
}

function findNumber(state: TwilioState, request: FakeRequest): TwilioIncomingPhoneNumber | undefined {
  const sid = instanceSid(request);
  return sid === null ? undefined : state.incomingPhoneNumbers.find((record) => record.sid === sid);
}

const fetchNumber: Handler = (request, state) => {
  const record = findNumber(state, request);
  return record ? { status: 200, body: record } : notFound(request.path);
};

export type Form = Record<string, string>;

export function formOf(request: FakeRequest): Form {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
}

const URL_FIELDS: [formKey: string, field: 'voice_url' | 'voice_fallback_url' | 'sms_url' | 'sms_fallback_url' | 'status_callback'][] = [
  ['VoiceUrl', 'voice_url'],
  ['VoiceFallbackUrl', 'voice_fallback_url'],
  ['SmsUrl', 'sms_url'],
  ['SmsFallbackUrl', 'sms_fallback_url'],
  ['StatusCallback', 'status_callback'],
];

const METHOD_FIELDS: [formKey: string, field: 'voice_method' | 'voice_fallback_method' | 'sms_method' | 'sms_fallback_method' | 'status_callback_method'][] = [
  ['VoiceMethod', 'voice_method'],
  ['VoiceFallbackMethod', 'voice_fallback_method'],
  ['SmsMethod', 'sms_method'],
  ['SmsFallbackMethod', 'sms_fallback_method'],
  ['StatusCallbackMethod', 'status_callback_method'],
];

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Everything the update would refuse, checked before anything is changed. */
export function updateRefusal(state: TwilioState, form: Form): FakeResponse | null {
  for (const key of ['VoiceApplicationSid', 'SmsApplicationSid']) {
    const sid = form[key];
    if (sid && !state.applications.some((app) => app.sid === sid)) {
      return twilioError(400, 21420, `${key} ${sid} is not accessible: the application does not exist or is not owned by this account`);
    }
  }
  const trunk = form.TrunkSid;
  if (trunk && !state.trunks.some((known) => known.sid === trunk)) return notFound(`/v1/Trunks/${trunk}`);
  if (form.FriendlyName !== undefined && form.FriendlyName.length > MAX_FRIENDLY_NAME) {
    return twilioError(400, 20001, `FriendlyName must be ${MAX_FRIENDLY_NAME} characters or fewer`);
  }
  for (const [key] of URL_FIELDS) {
    const value = form[key];
    if (value && !isHttpUrl(value)) return twilioError(400, 21502, `${key} is not a valid URL: ${value}`);
  }
  for (const [key] of METHOD_FIELDS) {
    const value = form[key];
    if (value !== undefined && value !== 'GET' && value !== 'POST') return twilioError(400, 20001, `${key} must be GET or POST`);
  }
  if (form.VoiceReceiveMode !== undefined && form.VoiceReceiveMode !== 'voice' && form.VoiceReceiveMode !== 'fax') {
    return twilioError(400, 20001, 'VoiceReceiveMode must be voice or fax');
  }
  return null;
}

/** Apply a valid update. A trunk and a voice application exclude each other, as at Twilio. */
export function applyUpdate(record: TwilioIncomingPhoneNumber, form: Form): void {
  if (form.VoiceApplicationSid !== undefined) {
    record.voice_application_sid = form.VoiceApplicationSid;
    if (form.VoiceApplicationSid !== '') record.trunk_sid = null;
  }
  if (form.TrunkSid !== undefined) {
    record.trunk_sid = form.TrunkSid === '' ? null : form.TrunkSid;
    if (form.TrunkSid !== '') record.voice_application_sid = '';
  }
  if (form.SmsApplicationSid !== undefined) record.sms_application_sid = form.SmsApplicationSid;
  if (form.FriendlyName !== undefined) record.friendly_name = form.FriendlyName === '' ? String(record.phone_number) : form.FriendlyName;
  for (const [key, field] of URL_FIELDS) {
    const value = form[key];
    if (value === undefined) continue;
    if (field === 'voice_url' || field === 'voice_fallback_url') record[field] = value === '' ? null : value;
    else record[field] = value;
  }
  for (const [key, field] of METHOD_FIELDS) {
    const value = form[key];
    if (value !== undefined) record[field] = value;
  }
  if (form.VoiceReceiveMode !== undefined) record.voice_receive_mode = form.VoiceReceiveMode;
  if (form.VoiceCallerIdLookup !== undefined) record.voice_caller_id_lookup = form.VoiceCallerIdLookup === 'true';
  record.date_updated = rfc2822(new Date());
}

const updateNumber: Handler = (request, state, changes) => {
  const record = findNumber(state, request);
  if (!record) return notFound(request.path);
  const form = formOf(request);
  const refusal = updateRefusal(state, form);
  if (refusal) return refusal;
  applyUpdate(record, form);
  changes.put('incomingPhoneNumbers', record);
  return { status: 200, body: record };
};

// --- Applications ------------------------------------------------------------------------------

const listApplications: Handler = (request, state) => {
  const filters = listFilters(request.query, ['FriendlyName']);
  const friendly = filters[0]?.[1];
  const records = state.applications.filter((app) => friendly === undefined || app.friendly_name === friendly);
  return listPage(request, 'applications', records, filters);
};

const fetchApplication: Handler = (request, state) => {
  const sid = instanceSid(request);
  const record = state.applications.find((app) => app.sid === sid);
  return record ? { status: 200, body: record } : notFound(request.path);
};

// --- Routes v2 ---------------------------------------------------------------------------------

function ownsNumber(state: TwilioState, e164: string): boolean {
  return recordByNumber(state.incomingPhoneNumbers, e164) !== undefined;
}

/** A number nobody set a region for is in Twilio's default region, us1. */
function defaultRoute(e164: string): TwilioRoute {
  const when = iso(new Date());
  return { phone_number: e164, sid: sidFor('QQ', e164), friendly_name: null, voice_region: 'us1', date_created: when, date_updated: when };
}

function findRoute(state: TwilioState, e164: string): TwilioRoute | undefined {
  return recordByNumber(state.routes, e164);
}

function routeBody(state: TwilioState, route: TwilioRoute, baseUrl: string) {
  return {
    phone_number: route.phone_number,
    url: `${baseUrl}/v2/PhoneNumbers/${route.phone_number}`,
    sid: route.sid,
    account_sid: state.accountSid,
    friendly_name: route.friendly_name,
    voice_region: route.voice_region,
    date_created: route.date_created,
    date_updated: route.date_updated,
  };
}

function hostOf(request: FakeRequest): string {
  const host = request.headers.host;
  return typeof host === 'string' && host !== '' ? `http://${host}` : 'https://routes.twilio.com';
}

const fetchRoute: Handler = (request, state) => {
  const e164 = request.params.phoneNumber ?? '';
  if (!ownsNumber(state, e164)) return notFound(request.path);
  return { status: 200, body: routeBody(state, findRoute(state, e164) ?? defaultRoute(e164), hostOf(request)) };
};

/**
 * Only Twilio's Home Regions are accepted. Routes v2 types VoiceRegion as a free string and
 * whether Twilio refuses others (legacy ids like de1, jp1) is not documented; refusing them keeps a
 * typo from silently moving a number's call processing somewhere it cannot run.
 */
const updateRoute: Handler = (request, state, changes) => {
  const e164 = request.params.phoneNumber ?? '';
  if (!ownsNumber(state, e164)) return notFound(request.path);
  const form = formOf(request);
  const region = form.VoiceRegion;
  if (region !== undefined && !(TWILIO_VOICE_REGIONS as readonly string[]).includes(region)) {
    return twilioError(400, 20001, `Invalid VoiceRegion ${region}: must be one of ${TWILIO_VOICE_REGIONS.join(', ')}`);
  }
  if (form.FriendlyName !== undefined && form.FriendlyName.length > MAX_FRIENDLY_NAME) {
    return twilioError(400, 20001, `FriendlyName must be ${MAX_FRIENDLY_NAME} characters or fewer`);
  }
  let route = findRoute(state, e164);
  if (!route) {
    route = defaultRoute(e164);
    state.routes.push(route);
  }
  if (region !== undefined) route.voice_region = region;
  if (form.FriendlyName !== undefined) route.friendly_name = form.FriendlyName;
  route.date_updated = iso(new Date());
  changes.put('routes', route);
  return { status: 200, body: routeBody(state, route, hostOf(request)) };
};

// --- the life of a number and trunk imports (see ./twilio-lifecycle.ts) ------------------------

const ACCOUNT = `${API_PREFIX}/:accountSid`;

export function createTwilioFake(): FakeProvider<TwilioState> {
  const routes: Route<TwilioState>[] = [
    { method: 'GET', path: `${ACCOUNT}/IncomingPhoneNumbers.json`, handler: ownAccount(listNumbers) },
    { method: 'GET', path: `${ACCOUNT}/IncomingPhoneNumbers/:resource`, handler: ownAccount(fetchNumber) },
    { method: 'POST', path: `${ACCOUNT}/IncomingPhoneNumbers/:resource`, handler: ownAccount(updateNumber) },
    { method: 'GET', path: `${ACCOUNT}/Applications.json`, handler: ownAccount(listApplications) },
    { method: 'GET', path: `${ACCOUNT}/Applications/:resource`, handler: ownAccount(fetchApplication) },
    { method: 'GET', path: '/v2/PhoneNumbers/:phoneNumber', handler: authenticated(fetchRoute) },
    { method: 'POST', path: '/v2/PhoneNumbers/:phoneNumber', handler: authenticated(updateRoute) },
    ...lifecycleRoutes(ACCOUNT, { ownAccount, authenticated }),
  ];
  return {
    name: 'twilio',
    routes,
    // The header form is checked here; the key itself in each handler (it lives in the state).
    authorize: (request) => (basicCredentials(request) ? null : unauthorized()),
    errorBody: (status, message) => {
      const code = CODE_FOR_STATUS[status] ?? 20500;
      return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
    },
  };
}
