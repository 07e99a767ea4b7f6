import { randomUUID } from 'node:crypto';
import type { Changes, CollectionOf, FakeRequest, FakeResponse, RecordOf, Route } from '../fake-server.js';
import {
  applyUpdate,
  formOf,
  instanceSid,
  iso,
  notFound,
  rfc2822,
  sidFor,
  twilioError,
  updateRefusal,
  type Form,
  type Handler,
  type TwilioIncomingPhoneNumber,
  type TwilioState,
  type TwilioTrunk,
} from './twilio.js';
import { recordByNumber } from './record-by-number.js';

/**
 * The Twilio fake's share of a number's life: AvailablePhoneNumbers, buying (IncomingPhoneNumbers
 * create) and releasing (delete) on the 2010 API, SIP credential lists and credentials (2010 API),
 * and the Elastic SIP Trunking v1 resources (Trunks, OriginationUrls, CredentialLists and
 * PhoneNumbers of a trunk). Answers follow twilio_api_v2010.json and twilio_trunking_v1.json: 201
 * with the record on create, 204 without a body on delete, Twilio's error body otherwise.
 */

const MAX_FRIENDLY_NAME = 64;
/** Candidates the search offers per area code: a fixed, repeatable list. */
const CANDIDATES = 5;
const TOLL_FREE_PREFIX = '833';
/** Where the search's candidates are, for the area codes the sandbox names (others: no locality). */
const LOCALITIES: Record<string, [locality: string, region: string]> = {
  '212': ['New York', 'NY'],
  '206': ['Seattle', 'WA'],
  '303': ['Denver', 'CO'],
  '404': ['Atlanta', 'GA'],
  '415': ['San Francisco', 'CA'],
  '416': ['Toronto', 'ON'],
  '604': ['Vancouver', 'BC'],
  '617': ['Boston', 'MA'],
  '808': ['Hilo', 'HI'],
};
const DEFAULT_AREA_CODE: Record<string, string> = { US: '415', CA: '416' };

function list<K extends CollectionOf<TwilioState>>(state: TwilioState, key: K): RecordOf<TwilioState, K>[] {
  // A state saved before these collections existed has none: they start empty.
  const holder = state as unknown as Record<string, unknown[] | undefined>;
  holder[key] ??= [];
  return holder[key] as RecordOf<TwilioState, K>[];
}

/** Take a record out of its collection and tell the store. */
function drop<K extends CollectionOf<TwilioState>>(state: TwilioState, changes: Changes<TwilioState>, key: K, record: RecordOf<TwilioState, K>): void {
  const records = list(state, key);
  const at = records.indexOf(record);
  if (at >= 0) records.splice(at, 1);
  changes.remove(key, record);
}

const newSid = (prefix: string): string => sidFor(prefix, randomUUID());
const deleted = (): FakeResponse => ({ status: 204 });

function missing(form: Form, names: string[]): FakeResponse | null {
  const absent = names.filter((name) => form[name] === undefined || form[name] === '');
  return absent.length === 0 ? null : twilioError(400, 21604, `Missing required parameter ${absent.join(', ')} in the post body`);
}

function friendlyNameRefusal(form: Form): FakeResponse | null {
  return form.FriendlyName !== undefined && form.FriendlyName.length > MAX_FRIENDLY_NAME ? twilioError(400, 20001, `FriendlyName must be ${MAX_FRIENDLY_NAME} characters or fewer`) : null;
}

// --- AvailablePhoneNumbers -----------------------------------------------------------------------

/** `(415) 555-0100` from `+14155550100`, as Twilio formats North American numbers. */
function formatted(e164: string): string {
  const digits = e164.slice(2);
  return `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** The same candidates for the same area code every time, less those the account already holds. */
function candidates(state: TwilioState, areaCode: string, tollFree: boolean, country: string) {
  const owned = new Set(state.incomingPhoneNumbers.map((record) => record.phone_number));
  const [locality, region] = tollFree ? [null, null] : (LOCALITIES[areaCode] ?? [null, null]);
  const out = [];
  for (let index = 0; out.length < CANDIDATES && index < 100; index++) {
    const e164 = `+1${areaCode}555${String(100 + index).padStart(4, '0')}`;
    if (owned.has(e164)) continue;
    out.push({
      friendly_name: formatted(e164),
      phone_number: e164,
      lata: tollFree ? null : '722',
      locality,
      rate_center: locality === null ? null : locality.toUpperCase(),
      latitude: null,
      longitude: null,
      region,
      postal_code: null,
      iso_country: country,
      address_requirements: 'none',
      beta: false,
      capabilities: { voice: true, sms: !tollFree, mms: !tollFree, fax: false },
    });
  }
  return out;
}

const searchAvailable: Handler = (request, state) => {
  const country = request.params.country ?? '';
  const kind = request.params.kind;
  if (kind !== 'Local.json' && kind !== 'TollFree.json') return notFound(request.path);
  if (!(country in DEFAULT_AREA_CODE)) return notFound(request.path);
  const tollFree = kind === 'TollFree.json';
  const areaCode = request.query.get('AreaCode');
  if (areaCode !== null && !/^[2-9]\d{2}$/.test(areaCode)) return twilioError(400, 21452, `AreaCode ${areaCode} is not a valid area code`);
  const offered = candidates(state, tollFree ? TOLL_FREE_PREFIX : (areaCode ?? DEFAULT_AREA_CODE[country]!), tollFree, country);
  const contains = request.query.get('Contains');
  const found = contains === null ? offered : offered.filter((entry) => entry.phone_number.includes(contains.replace(/^\+/, '')));
  return { status: 200, body: { available_phone_numbers: found, uri: `${request.path}${request.query.size > 0 ? `?${request.query.toString()}` : ''}` } };
};

// --- IncomingPhoneNumbers create / delete ----------------------------------------------------------

function boughtRecord(state: TwilioState, e164: string, friendlyName: string | undefined): TwilioIncomingPhoneNumber {
  const sid = newSid('PN');
  const now = rfc2822(new Date());
  const tollFree = e164.startsWith(`+1${TOLL_FREE_PREFIX}`);
  return {
    account_sid: state.accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: '2010-04-01',
    beta: false,
    capabilities: { voice: true, sms: !tollFree, mms: !tollFree, fax: false },
    date_created: now,
    date_updated: now,
    friendly_name: friendlyName ?? formatted(e164),
    identity_sid: null,
    phone_number: e164,
    origin: 'twilio',
    sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: '',
    status_callback: '',
    status_callback_method: 'POST',
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${state.accountSid}/IncomingPhoneNumbers/${sid}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: '',
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: null,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: tollFree ? 'tollfree' : 'local',
  };
}

/** Buy: `PhoneNumber` (a free North American number) or `AreaCode` (the first candidate there). */
const buyNumber: Handler = (request, state, changes) => {
  const form = formOf(request);
  const refusal = updateRefusal(state, form);
  if (refusal) return refusal;
  let e164 = form.PhoneNumber;
  if (e164 === undefined || e164 === '') {
    const areaCode = form.AreaCode;
    if (areaCode === undefined || areaCode === '') return twilioError(400, 21604, 'Missing required parameter PhoneNumber or AreaCode in the post body');
    if (!/^[2-9]\d{2}$/.test(areaCode)) return twilioError(400, 21452, `AreaCode ${areaCode} is not a valid area code`);
    const first = candidates(state, areaCode, false, 'US')[0];
    if (!first) return twilioError(400, 21452, `No phone numbers found in area code ${areaCode}`);
    e164 = first.phone_number;
  }
  if (!/^\+1[2-9]\d{2}[2-9]\d{6}$/.test(e164)) return twilioError(400, 21421, `PhoneNumber ${e164} is invalid`);
  if (recordByNumber(state.incomingPhoneNumbers, e164)) return twilioError(400, 21422, `PhoneNumber ${e164} is not available`);
  const record = boughtRecord(state, e164, form.FriendlyName === '' ? undefined : form.FriendlyName);
  applyUpdate(record, { ...form, FriendlyName: record.friendly_name });
  record.date_updated = record.date_created;
  state.incomingPhoneNumbers.push(record);
  changes.put('incomingPhoneNumbers', record);
  return { status: 201, body: record };
};

/** Release: the number leaves the account, with its Routes v2 record. */
const releaseNumber: Handler = (request, state, changes) => {
  const sid = instanceSid(request);
  const record = state.incomingPhoneNumbers.find((entry) => entry.sid === sid);
  if (!record) return notFound(request.path);
  drop(state, changes, 'incomingPhoneNumbers', record);
  const route = recordByNumber(state.routes, record.phone_number);
  if (route) drop(state, changes, 'routes', route);
  return deleted();
};

// --- SIP credential lists (2010 API) -------------------------------------------------------------

/** Twilio's rule for SIP credential passwords: 12 characters or more, a digit, upper and lower case. */
export function sipPasswordProblem(password: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters long';
  if (!/\d/.test(password)) return 'must contain at least one digit';
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password)) return 'must contain upper and lower case letters';
  return null;
}

function credentialListBody(state: TwilioState, record: { sid: string; friendly_name: string; date_created: string; date_updated: string }) {
  const uri = `/2010-04-01/Accounts/${state.accountSid}/SIP/CredentialLists/${record.sid}.json`;
  return { account_sid: state.accountSid, ...record, subresource_uris: { credentials: uri.replace(/\.json$/, '/Credentials.json') }, uri };
}

const createCredentialList: Handler = (request, state, changes) => {
  const form = formOf(request);
  const refusal = missing(form, ['FriendlyName']) ?? friendlyNameRefusal(form);
  if (refusal) return refusal;
  const now = rfc2822(new Date());
  const record = { sid: newSid('CL'), friendly_name: form.FriendlyName!, date_created: now, date_updated: now };
  list(state, 'credentialLists').push(record);
  changes.put('credentialLists', record);
  return { status: 201, body: credentialListBody(state, record) };
};

/** The account's credential lists, one 2010-style page (`PageSize` up to 1000, `Page` an offset). */
const listCredentialLists: Handler = (request, state) => {
  const size = Math.min(Math.max(Number(request.query.get('PageSize') ?? 50) || 50, 1), 1000);
  const page = Math.max(Number(request.query.get('Page') ?? 0) || 0, 0);
  const all = list(state, 'credentialLists');
  const uri = (at: number) => `${request.path}?PageSize=${size}&Page=${at}`;
  const more = (page + 1) * size < all.length;
  return {
    status: 200,
    body: { credential_lists: all.slice(page * size, page * size + size).map((record) => credentialListBody(state, record)), end: Math.min(all.length, (page + 1) * size) - 1, first_page_uri: uri(0), next_page_uri: more ? uri(page + 1) : null, page, page_size: size, previous_page_uri: page > 0 ? uri(page - 1) : null, start: page * size, uri: uri(page) },
  };
};

/** Deleting a list deletes its credentials and its attachments to trunks. */
const deleteCredentialList: Handler = (request, state, changes) => {
  const sid = instanceSid(request);
  const record = list(state, 'credentialLists').find((entry) => entry.sid === sid);
  if (!record) return notFound(request.path);
  drop(state, changes, 'credentialLists', record);
  for (const credential of list(state, 'credentials').filter((entry) => entry.credential_list_sid === record.sid)) drop(state, changes, 'credentials', credential);
  for (const attached of list(state, 'trunkCredentialLists').filter((entry) => entry.sid === record.sid)) drop(state, changes, 'trunkCredentialLists', attached);
  return deleted();
};

const createCredential: Handler = (request, state, changes) => {
  const listSid = request.params.listSid ?? '';
  if (!list(state, 'credentialLists').some((entry) => entry.sid === listSid)) return notFound(request.path);
  const form = formOf(request);
  const refusal = missing(form, ['Username', 'Password']);
  if (refusal) return refusal;
  const problem = sipPasswordProblem(form.Password!);
  if (problem) return twilioError(400, 21620, `Password ${problem}`);
  if (list(state, 'credentials').some((entry) => entry.credential_list_sid === listSid && entry.username === form.Username)) {
    return twilioError(400, 21621, `Username ${form.Username} already exists in this credential list`);
  }
  const now = rfc2822(new Date());
  // The password is checked and dropped: Twilio never answers it, and the fake has no use for it.
  const record = { sid: newSid('CR'), credential_list_sid: listSid, username: form.Username!, date_created: now, date_updated: now };
  list(state, 'credentials').push(record);
  changes.put('credentials', record);
  return { status: 201, body: { account_sid: state.accountSid, ...record, uri: `/2010-04-01/Accounts/${state.accountSid}/SIP/CredentialLists/${listSid}/Credentials/${record.sid}.json` } };
};

const deleteCredential: Handler = (request, state, changes) => {
  const sid = instanceSid(request);
  const record = list(state, 'credentials').find((entry) => entry.sid === sid && entry.credential_list_sid === request.params.listSid);
  if (!record) return notFound(request.path);
  drop(state, changes, 'credentials', record);
  return deleted();
};

// --- Trunking v1 ---------------------------------------------------------------------------------

const TRUNKING_HOST = 'https://trunking.twilio.com';
/** `<label>.pstn.twilio.com`: letters, digits and `-`, ending in pstn.twilio.com (the spec's words). */
const DOMAIN_NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.pstn\.twilio\.com$/;

function trunkBody(state: TwilioState, trunk: TwilioTrunk) {
  const url = `${TRUNKING_HOST}/v1/Trunks/${trunk.sid}`;
  const when = trunk.date_created ?? iso(new Date(0));
  return {
    sid: trunk.sid,
    account_sid: state.accountSid,
    domain_name: trunk.domain_name ?? null,
    disaster_recovery_method: null,
    disaster_recovery_url: null,
    friendly_name: trunk.friendly_name,
    secure: false,
    cnam_lookup_enabled: false,
    symmetric_rtp_enabled: false,
    recording: { mode: 'do-not-record', trim: 'do-not-trim' },
    transfer_mode: 'disable-all',
    transfer_caller_id: 'from-transferee',
    auth_type: '',
    auth_type_set: [],
    date_created: when,
    date_updated: trunk.date_updated ?? when,
    url,
    links: {
      origination_urls: `${url}/OriginationUrls`,
      credential_lists: `${url}/CredentialLists`,
      ip_access_control_lists: `${url}/IpAccessControlLists`,
      phone_numbers: `${url}/PhoneNumbers`,
    },
  };
}

/** A Trunking v1 list page: `{ <key>: [...], meta: {...} }`, `Page` and `PageSize` as offsets. */
function trunkingPage(request: FakeRequest, key: string, items: unknown[]): FakeResponse {
  const size = Math.min(Math.max(Number(request.query.get('PageSize') ?? 50) || 50, 1), 1000);
  const page = Math.max(Number(request.query.get('Page') ?? 0) || 0, 0);
  const url = (at: number) => `${TRUNKING_HOST}${request.path}?PageSize=${size}&Page=${at}`;
  const slice = items.slice(page * size, page * size + size);
  const more = (page + 1) * size < items.length;
  return {
    status: 200,
    body: { [key]: slice, meta: { first_page_url: url(0), key, next_page_url: more ? url(page + 1) : null, page, page_size: size, previous_page_url: page > 0 ? url(page - 1) : null, url: url(page) } },
  };
}

function findTrunk(state: TwilioState, request: FakeRequest): TwilioTrunk | undefined {
  return state.trunks.find((trunk) => trunk.sid === request.params.trunkSid);
}

/** A trunk's own handlers answer 404 when the trunk in the path does not exist. */
function onTrunk(handler: (request: FakeRequest, state: TwilioState, changes: Changes<TwilioState>, trunk: TwilioTrunk) => FakeResponse): Handler {
  return (request, state, changes) => {
    const trunk = findTrunk(state, request);
    return trunk ? handler(request, state, changes, trunk) : notFound(request.path);
  };
}

/**
 * A domain name is unique across Twilio: a second trunk asking for one in use is refused with 409.
 * (The spec gives no error answers; the status and code here are the fake's choice.)
 */
const createTrunk: Handler = (request, state, changes) => {
  const form = formOf(request);
  const refusal = friendlyNameRefusal(form);
  if (refusal) return refusal;
  const domain = form.DomainName;
  if (domain !== undefined && domain !== '') {
    if (!DOMAIN_NAME.test(domain)) return twilioError(400, 21245, `DomainName ${domain} must contain only letters, digits and '-' and end with pstn.twilio.com`);
    if (state.trunks.some((trunk) => trunk.domain_name?.toLowerCase() === domain.toLowerCase())) return twilioError(409, 21248, `DomainName ${domain} is already in use`);
  }
  const now = iso(new Date());
  const trunk: TwilioTrunk = { sid: newSid('TK'), friendly_name: form.FriendlyName ?? '', domain_name: domain === '' ? null : (domain ?? null), date_created: now, date_updated: now };
  state.trunks.push(trunk);
  changes.put('trunks', trunk);
  return { status: 201, body: trunkBody(state, trunk) };
};

const listTrunks: Handler = (request, state) => trunkingPage(request, 'trunks', state.trunks.map((trunk) => trunkBody(state, trunk)));

const fetchTrunk: Handler = onTrunk((_request, state, _changes, trunk) => ({ status: 200, body: trunkBody(state, trunk) }));

/** Deleting a trunk deletes its origination URLs and attachments, and frees its numbers. */
const deleteTrunk: Handler = onTrunk((_request, state, changes, trunk) => {
  drop(state, changes, 'trunks', trunk);
  for (const url of list(state, 'originationUrls').filter((entry) => entry.trunk_sid === trunk.sid)) drop(state, changes, 'originationUrls', url);
  for (const attached of list(state, 'trunkCredentialLists').filter((entry) => entry.trunk_sid === trunk.sid)) drop(state, changes, 'trunkCredentialLists', attached);
  for (const number of state.incomingPhoneNumbers.filter((entry) => entry.trunk_sid === trunk.sid)) {
    number.trunk_sid = null;
    changes.put('incomingPhoneNumbers', number);
  }
  return deleted();
});

function originationUrlBody(state: TwilioState, record: RecordOf<TwilioState, 'originationUrls'>) {
  return { account_sid: state.accountSid, ...record, url: `${TRUNKING_HOST}/v1/Trunks/${record.trunk_sid}/OriginationUrls/${record.sid}` };
}

function integerIn(value: string, low: number, high: number): number | null {
  if (!/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= low && number <= high ? number : null;
}

const createOriginationUrl: Handler = onTrunk((request, state, changes, trunk) => {
  const form = formOf(request);
  const refusal = missing(form, ['FriendlyName', 'SipUrl', 'Priority', 'Weight', 'Enabled']) ?? friendlyNameRefusal(form);
  if (refusal) return refusal;
  if (!/^sips?:[^\s]+$/.test(form.SipUrl!)) return twilioError(400, 21606, `SipUrl ${form.SipUrl} is not a SIP URI`);
  const priority = integerIn(form.Priority!, 0, 65535);
  const weight = integerIn(form.Weight!, 1, 65535);
  if (priority === null) return twilioError(400, 20001, 'Priority must be an integer from 0 to 65535');
  if (weight === null) return twilioError(400, 20001, 'Weight must be an integer from 1 to 65535');
  if (form.Enabled !== 'true' && form.Enabled !== 'false') return twilioError(400, 20001, 'Enabled must be true or false');
  const now = iso(new Date());
  const record = { sid: newSid('OU'), trunk_sid: trunk.sid, friendly_name: form.FriendlyName!, sip_url: form.SipUrl!, priority, weight, enabled: form.Enabled === 'true', date_created: now, date_updated: now };
  list(state, 'originationUrls').push(record);
  changes.put('originationUrls', record);
  return { status: 201, body: originationUrlBody(state, record) };
});

const listOriginationUrls: Handler = onTrunk((request, state, _changes, trunk) =>
  trunkingPage(request, 'origination_urls', list(state, 'originationUrls').filter((entry) => entry.trunk_sid === trunk.sid).map((entry) => originationUrlBody(state, entry))),
);

const deleteOriginationUrl: Handler = onTrunk((request, state, changes, trunk) => {
  const record = list(state, 'originationUrls').find((entry) => entry.sid === request.params.sid && entry.trunk_sid === trunk.sid);
  if (!record) return notFound(request.path);
  drop(state, changes, 'originationUrls', record);
  return deleted();
});

function trunkCredentialListBody(state: TwilioState, record: RecordOf<TwilioState, 'trunkCredentialLists'>) {
  const named = list(state, 'credentialLists').find((entry) => entry.sid === record.sid);
  return { account_sid: state.accountSid, sid: record.sid, trunk_sid: record.trunk_sid, friendly_name: named?.friendly_name ?? null, date_created: record.date_created, date_updated: record.date_updated, url: `${TRUNKING_HOST}/v1/Trunks/${record.trunk_sid}/CredentialLists/${record.sid}` };
}

const attachCredentialList: Handler = onTrunk((request, state, changes, trunk) => {
  const form = formOf(request);
  const refusal = missing(form, ['CredentialListSid']);
  if (refusal) return refusal;
  const listSid = form.CredentialListSid!;
  if (!list(state, 'credentialLists').some((entry) => entry.sid === listSid)) return twilioError(400, 20001, `CredentialListSid ${listSid} is not a credential list of this account`);
  if (list(state, 'trunkCredentialLists').some((entry) => entry.sid === listSid && entry.trunk_sid === trunk.sid)) return twilioError(409, 20409, `Credential list ${listSid} is already attached to trunk ${trunk.sid}`);
  const now = iso(new Date());
  const record = { sid: listSid, trunk_sid: trunk.sid, date_created: now, date_updated: now };
  list(state, 'trunkCredentialLists').push(record);
  changes.put('trunkCredentialLists', record);
  return { status: 201, body: trunkCredentialListBody(state, record) };
});

const listTrunkCredentialLists: Handler = onTrunk((request, state, _changes, trunk) =>
  trunkingPage(request, 'credential_lists', list(state, 'trunkCredentialLists').filter((entry) => entry.trunk_sid === trunk.sid).map((entry) => trunkCredentialListBody(state, entry))),
);

const detachCredentialList: Handler = onTrunk((request, state, changes, trunk) => {
  const record = list(state, 'trunkCredentialLists').find((entry) => entry.sid === request.params.sid && entry.trunk_sid === trunk.sid);
  if (!record) return notFound(request.path);
  drop(state, changes, 'trunkCredentialLists', record);
  return deleted();
});

/** A number as Trunking v1 answers it: the number's own fields, ISO dates, a trunking URL. */
function trunkPhoneNumberBody(state: TwilioState, number: TwilioIncomingPhoneNumber) {
  const url = `${TRUNKING_HOST}/v1/Trunks/${number.trunk_sid}/PhoneNumbers/${number.sid}`;
  const emptyIsNull = (value: string | null) => (value === '' ? null : value);
  return {
    account_sid: state.accountSid,
    address_requirements: number.address_requirements,
    api_version: number.api_version,
    beta: number.beta,
    capabilities: number.capabilities,
    date_created: iso(new Date(number.date_created)),
    date_updated: iso(new Date(number.date_updated)),
    friendly_name: number.friendly_name,
    links: { phone_number: `https://api.twilio.com${number.uri}` },
    phone_number: number.phone_number,
    sid: number.sid,
    sms_application_sid: emptyIsNull(number.sms_application_sid),
    sms_fallback_method: number.sms_fallback_method,
    sms_fallback_url: emptyIsNull(number.sms_fallback_url),
    sms_method: number.sms_method,
    sms_url: emptyIsNull(number.sms_url),
    status_callback: emptyIsNull(number.status_callback),
    status_callback_method: number.status_callback_method,
    trunk_sid: number.trunk_sid,
    url,
    voice_application_sid: emptyIsNull(number.voice_application_sid),
    voice_caller_id_lookup: number.voice_caller_id_lookup,
    voice_fallback_method: number.voice_fallback_method,
    voice_fallback_url: number.voice_fallback_url,
    voice_method: number.voice_method,
    voice_url: number.voice_url,
  };
}

/** Attaching a number points its calls at the trunk: `trunk_sid` is set, the voice app cleared. */
const attachPhoneNumber: Handler = onTrunk((request, state, changes, trunk) => {
  const form = formOf(request);
  const refusal = missing(form, ['PhoneNumberSid']);
  if (refusal) return refusal;
  const number = state.incomingPhoneNumbers.find((entry) => entry.sid === form.PhoneNumberSid);
  if (!number) return twilioError(400, 20001, `PhoneNumberSid ${form.PhoneNumberSid} is not a number of this account`);
  number.trunk_sid = trunk.sid;
  number.voice_application_sid = '';
  number.date_updated = rfc2822(new Date());
  changes.put('incomingPhoneNumbers', number);
  return { status: 201, body: trunkPhoneNumberBody(state, number) };
});

const listTrunkPhoneNumbers: Handler = onTrunk((request, state, _changes, trunk) =>
  trunkingPage(request, 'phone_numbers', state.incomingPhoneNumbers.filter((entry) => entry.trunk_sid === trunk.sid).map((entry) => trunkPhoneNumberBody(state, entry))),
);

/** Detaching leaves the number without a trunk; its URL (if any) answers again. */
const detachPhoneNumber: Handler = onTrunk((request, state, changes, trunk) => {
  const number = state.incomingPhoneNumbers.find((entry) => entry.sid === request.params.sid && entry.trunk_sid === trunk.sid);
  if (!number) return notFound(request.path);
  number.trunk_sid = null;
  number.date_updated = rfc2822(new Date());
  changes.put('incomingPhoneNumbers', number);
  return deleted();
});

// --- routes --------------------------------------------------------------------------------------

interface Guards {
  ownAccount(handler: Handler): Handler;
  authenticated(handler: Handler): Handler;
}

export function lifecycleRoutes(account: string, { ownAccount, authenticated }: Guards): Route<TwilioState>[] {
  const lists = `${account}/SIP/CredentialLists`;
  const trunk = '/v1/Trunks/:trunkSid';
  return [
    { method: 'GET', path: `${account}/AvailablePhoneNumbers/:country/:kind`, handler: ownAccount(searchAvailable) },
    { method: 'POST', path: `${account}/IncomingPhoneNumbers.json`, handler: ownAccount(buyNumber) },
    { method: 'DELETE', path: `${account}/IncomingPhoneNumbers/:resource`, handler: ownAccount(releaseNumber) },
    { method: 'GET', path: `${lists}.json`, handler: ownAccount(listCredentialLists) },
    { method: 'POST', path: `${lists}.json`, handler: ownAccount(createCredentialList) },
    { method: 'DELETE', path: `${lists}/:resource`, handler: ownAccount(deleteCredentialList) },
    { method: 'POST', path: `${lists}/:listSid/Credentials.json`, handler: ownAccount(createCredential) },
    { method: 'DELETE', path: `${lists}/:listSid/Credentials/:resource`, handler: ownAccount(deleteCredential) },
    { method: 'GET', path: '/v1/Trunks', handler: authenticated(listTrunks) },
    { method: 'POST', path: '/v1/Trunks', handler: authenticated(createTrunk) },
    { method: 'GET', path: trunk, handler: authenticated(fetchTrunk) },
    { method: 'DELETE', path: trunk, handler: authenticated(deleteTrunk) },
    { method: 'GET', path: `${trunk}/OriginationUrls`, handler: authenticated(listOriginationUrls) },
    { method: 'POST', path: `${trunk}/OriginationUrls`, handler: authenticated(createOriginationUrl) },
    { method: 'DELETE', path: `${trunk}/OriginationUrls/:sid`, handler: authenticated(deleteOriginationUrl) },
    { method: 'GET', path: `${trunk}/CredentialLists`, handler: authenticated(listTrunkCredentialLists) },
    { method: 'POST', path: `${trunk}/CredentialLists`, handler: authenticated(attachCredentialList) },
    { method: 'DELETE', path: `${trunk}/CredentialLists/:sid`, handler: authenticated(detachCredentialList) },
    { method: 'GET', path: `${trunk}/PhoneNumbers`, handler: authenticated(listTrunkPhoneNumbers) },
    { method: 'POST', path: `${trunk}/PhoneNumbers`, handler: authenticated(attachPhoneNumber) },
    { method: 'DELETE', path: `${trunk}/PhoneNumbers/:sid`, handler: authenticated(detachPhoneNumber) },
  ];
}
