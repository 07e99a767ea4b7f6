import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { SANDBOX_KEYS } from '../credentials.js';
import type { Changes, FakeProvider, FakeRequest, FakeResponse, Route } from '../fake-server.js';
import type { SeedAgent, SeedNumber, SeedPlan } from '../seed.js';
import type { CarrierLink } from './twilio.js';

/**
 * A fake of Vapi's phone-number, assistant and squad API, speaking its wire format: Bearer auth
 * with Vapi's own 401 text, NestJS error bodies `{ statusCode, message, error }` where `message`
 * is a list for validation failures, whitelisted DTOs that refuse unknown properties (and a null
 * anywhere but on a field the number holds, the only way to clear one), and both
 * list styles Vapi offers: the bare arrays of `GET /phone-number`, `/assistant` and `/squad`
 * (`limit` ≤ 1000 plus createdAt/updatedAt windows) and the paged `GET /v2/phone-number`
 * (`page`, `limit`, `metadata.hasNextPage`). Phone numbers are the `provider` union: `twilio`
 * imports carry `twilioAccountSid` and `smsEnabled`, `vapi` numbers do not.
 */

export const VAPI_PHONE_PROVIDERS = ['byo-phone-number', 'twilio', 'vonage', 'vapi', 'telnyx'] as const;
export type VapiPhoneProvider = (typeof VAPI_PHONE_PROVIDERS)[number];
export type VapiNumberStatus = 'active' | 'activating' | 'blocked';

export interface VapiNumberDestination {
  type: 'number';
  number: string;
  extension?: string;
  callerId?: string;
  message?: string;
  description?: string;
  numberE164CheckEnabled?: boolean;
}

export interface VapiSipDestination {
  type: 'sip';
  sipUri: string;
  message?: string;
  description?: string;
}

export type VapiFallbackDestination = VapiNumberDestination | VapiSipDestination;

export interface VapiPhoneNumber {
  id: string;
  orgId: string;
  provider: VapiPhoneProvider;
  /** Absent on a `vapi` number that only has a SIP URI. */
  number?: string;
  name?: string | null;
  assistantId?: string | null;
  squadId?: string | null;
  workflowId?: string | null;
  fallbackDestination?: VapiFallbackDestination | null;
  status?: VapiNumberStatus;
  createdAt: string;
  updatedAt: string;
  /** `twilio` variant only. */
  twilioAccountSid?: string;
  /** `twilio` variant only: whether Vapi owns the number's messaging webhook (default true). */
  smsEnabled?: boolean;
  /** `vapi` variant only. */
  sipUri?: string;
  /** `vapi` variant only: the area code asked for at creation. */
  numberDesiredAreaCode?: string;
}

export interface VapiAssistant {
  id: string;
  orgId: string;
  name?: string | null;
  /** Label of the latest published version (`v3`); null before the org is on versioning or before a publish. */
  latestVersion: string | null;
  firstMessage?: string;
  createdAt: string;
  updatedAt: string;
}

export interface VapiSquad {
  id: string;
  orgId: string;
  name?: string | null;
  members: { assistantId: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface VapiState {
  orgId: string;
  phoneNumbers: VapiPhoneNumber[];
  assistants: VapiAssistant[];
  squads: VapiSquad[];
}

const SANDBOX_ORG_ID = '6f1d2c3b-4a59-4e68-a7b6-c5d4e3f2a1b0';
const NUMBERS_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);
const AGENTS_EPOCH = Date.UTC(2025, 10, 3, 14, 0, 0);
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const NAME_MAX = 40;

// --- seed -------------------------------------------------------------------------------------

export function vapiStateFromSeed(plan: SeedPlan): VapiState {
  const agents = plan.agents.filter((agent) => agent.provider === 'vapi');
  const kinds = new Map(agents.map((agent) => [agent.id, agent.kind]));
  const assistants = agents.filter((agent) => agent.kind === 'assistant');
  return {
    orgId: SANDBOX_ORG_ID,
    assistants: assistants.map((agent, index) => seedAssistant(agent, index)),
    squads: agents.filter((agent) => agent.kind === 'squad').map((agent, index) => seedSquad(agent, assistants.length + index, assistants)),
    phoneNumbers: plan.numbers.filter((entry) => entry.provider === 'vapi').map((entry, index) => seedNumber(entry, index, kinds, plan.twilioAccountSid)),
  };
}

function stamp(epoch: number, index: number, stepMs: number): string {
  // Distinct, irregular timestamps, as a real account created over time would have.
  return new Date(epoch + index * stepMs + index * 1_337).toISOString();
}

function seedAssistant(agent: SeedAgent, index: number): VapiAssistant {
  const createdAt = stamp(AGENTS_EPOCH, index, 86_400_000);
  return {
    id: agent.id,
    orgId: SANDBOX_ORG_ID,
    name: agent.name,
    latestVersion: agent.live ? `v${(index % 3) + 1}` : null,
    firstMessage: `Hello, this is the ${agent.name} line.`,
    createdAt,
    updatedAt: createdAt,
  };
}

function seedSquad(agent: SeedAgent, index: number, assistants: SeedAgent[]): VapiSquad {
  const createdAt = stamp(AGENTS_EPOCH, index, 86_400_000);
  return {
    id: agent.id,
    orgId: SANDBOX_ORG_ID,
    name: agent.name,
    members: assistants.slice(0, 2).map((member) => ({ assistantId: member.id })),
    createdAt,
    updatedAt: createdAt,
  };
}

function seedNumber(entry: SeedNumber, index: number, kinds: Map<string, string>, twilioAccountSid: string): VapiPhoneNumber {
  const createdAt = stamp(NUMBERS_EPOCH, index, 2_220_000);
  const handler = entry.slots.inbound[0]?.agentId ?? null;
  const isSquad = handler !== null && kinds.get(handler) === 'squad';
  const base: VapiPhoneNumber = {
    id: entry.id,
    orgId: SANDBOX_ORG_ID,
    provider: entry.importedFromTwilio ? 'twilio' : 'vapi',
    number: entry.e164,
    name: entry.label,
    assistantId: isSquad ? null : handler,
    squadId: isSquad ? handler : null,
    fallbackDestination: entry.fallback ? { type: 'number', number: entry.fallback } : null,
    status: entry.status ?? 'active',
    createdAt,
    updatedAt: createdAt,
  };
  if (entry.importedFromTwilio) return { ...base, twilioAccountSid, smsEnabled: true };
  return { ...base, sipUri: `sip:${entry.id.slice(0, 8)}@sip.vapi.ai` };
}

// --- wire helpers -----------------------------------------------------------------------------

function errorBody(status: number, message: string | string[]): unknown {
  return { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' };
}

function fail(status: number, message: string | string[]): FakeResponse {
  return { status, body: errorBody(status, message) };
}

function invalid(messages: string[]): FakeResponse {
  return fail(400, messages);
}

const ok = (body: unknown): FakeResponse => ({ status: 200, body });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{1,14}$/;
// Vapi's own wording for a non-E.164 number.
const E164_HINT = 'must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).';

function authorize(request: FakeRequest): FakeResponse | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header.trim()) : null;
  if (match?.[1] === SANDBOX_KEYS.vapi) return null;
  return fail(401, 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.');
}

/** NestJS' ParseUUIDPipe answer for a path id that is not a UUID. */
function checkUuid(id: string): FakeResponse | null {
  return UUID.test(id) ? null : fail(400, 'Validation failed (uuid is expected)');
}

// --- list queries -----------------------------------------------------------------------------

const DATE_FILTERS = ['createdAtGt', 'createdAtLt', 'createdAtGe', 'createdAtLe', 'updatedAtGt', 'updatedAtLt', 'updatedAtGe', 'updatedAtLe'] as const;
type DateFilter = (typeof DATE_FILTERS)[number];

interface Timestamped {
  createdAt: string;
  updatedAt: string;
}

interface ListQuery {
  limit: number;
  filters: Partial<Record<DateFilter, number>>;
}

function unknownParams(query: URLSearchParams, allowed: readonly string[]): string[] {
  return [...new Set(query.keys())].filter((key) => !allowed.includes(key)).map((key) => `property ${key} should not exist`);
}

function numberParam(query: URLSearchParams, key: string, min: number, max: number | null, errors: string[]): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    errors.push(`${key} must be a number conforming to the specified constraints`);
    return undefined;
  }
  if (value < min) errors.push(`${key} must not be less than ${min}`);
  if (max !== null && value > max) errors.push(`${key} must not be greater than ${max}`);
  return Math.floor(value);
}

function enumParam<T extends string>(query: URLSearchParams, key: string, values: readonly T[], errors: string[]): T | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  errors.push(`${key} must be one of the following values: ${values.join(', ')}`);
  return undefined;
}

function parseListQuery(query: URLSearchParams, errors: string[]): ListQuery {
  const limit = numberParam(query, 'limit', 0, MAX_LIMIT, errors) ?? DEFAULT_LIMIT;
  const filters: ListQuery['filters'] = {};
  for (const key of DATE_FILTERS) {
    const raw = query.get(key);
    if (raw === null) continue;
    const time = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(time)) errors.push(`${key} must be a valid ISO 8601 date string`);
    else filters[key] = time;
  }
  return { limit, filters };
}

function withinWindow(record: Timestamped, filters: ListQuery['filters']): boolean {
  const created = Date.parse(record.createdAt);
  const updated = Date.parse(record.updatedAt);
  const checks: [number | undefined, (bound: number) => boolean][] = [
    [filters.createdAtGt, (bound) => created > bound],
    [filters.createdAtLt, (bound) => created < bound],
    [filters.createdAtGe, (bound) => created >= bound],
    [filters.createdAtLe, (bound) => created <= bound],
    [filters.updatedAtGt, (bound) => updated > bound],
    [filters.updatedAtLt, (bound) => updated < bound],
    [filters.updatedAtGe, (bound) => updated >= bound],
    [filters.updatedAtLe, (bound) => updated <= bound],
  ];
  return checks.every(([bound, test]) => bound === undefined || test(bound));
}

function byCreatedAt<T extends Timestamped>(records: T[], order: 'ASC' | 'DESC'): T[] {
  const sign = order === 'ASC' ? 1 : -1;
  return [...records].sort((a, b) => sign * ((Date.parse(a.createdAt) || 0) - (Date.parse(b.createdAt) || 0)));
}

/** The v1 list style: newest first, at most `limit`, older pages reached by narrowing createdAt. */
function listNewestFirst<T extends Timestamped>(records: T[], request: FakeRequest, extraParams: readonly string[] = []): FakeResponse | T[] {
  const errors = unknownParams(request.query, ['limit', ...DATE_FILTERS, ...extraParams]);
  const { limit, filters } = parseListQuery(request.query, errors);
  if (errors.length > 0) return invalid(errors);
  return byCreatedAt(records.filter((record) => withinWindow(record, filters)), 'DESC').slice(0, limit);
}

/**
 * A phone number as Vapi answers it. The state keeps a cleared field as null, but the spec types
 * none of these fields as nullable (PhoneNumber variants, VapiAI/docs openapi.json 2026-08-18), so
 * an empty field is left out of the answer rather than sent as null.
 */
function wireNumber(record: VapiPhoneNumber): VapiPhoneNumber {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null)) as unknown as VapiPhoneNumber;
}

function listPhoneNumbers(request: FakeRequest, state: VapiState): FakeResponse {
  const result = listNewestFirst(state.phoneNumbers, request);
  return Array.isArray(result) ? ok(result.map(wireNumber)) : result;
}

function matchesSearch(record: VapiPhoneNumber, search: string): boolean {
  const needle = search.toLowerCase();
  return [record.name, record.number, record.sipUri].some((field) => typeof field === 'string' && field.toLowerCase().includes(needle));
}

function listPhoneNumbersPaged(request: FakeRequest, state: VapiState): FakeResponse {
  const { query } = request;
  const errors = unknownParams(query, ['search', 'page', 'sortOrder', 'sortBy', 'limit', ...DATE_FILTERS]);
  const { limit, filters } = parseListQuery(query, errors);
  const page = numberParam(query, 'page', 1, null, errors) ?? 1;
  const sortOrder = enumParam(query, 'sortOrder', ['ASC', 'DESC'] as const, errors) ?? 'DESC';
  enumParam(query, 'sortBy', ['createdAt', 'duration', 'cost'] as const, errors);
  const search = query.get('search');
  if (search !== null && search.length > 100) errors.push('search must be shorter than or equal to 100 characters');
  if (errors.length > 0) return invalid(errors);

  const matching = byCreatedAt(
    state.phoneNumbers.filter((record) => withinWindow(record, filters) && (search === null || matchesSearch(record, search))),
    sortOrder,
  );
  const totalPages = limit > 0 ? Math.ceil(matching.length / limit) : 0;
  return ok({
    results: matching.slice((page - 1) * limit, page * limit).map(wireNumber),
    metadata: { itemsPerPage: limit, totalItems: matching.length, currentPage: page, totalPages, hasNextPage: page < totalPages, sortOrder },
  });
}

function listAssistants(request: FakeRequest, state: VapiState): FakeResponse {
  const result = listNewestFirst(state.assistants, request);
  return Array.isArray(result) ? ok(result) : result;
}

function listSquads(request: FakeRequest, state: VapiState): FakeResponse {
  const ids = request.query.getAll('idAny').flatMap((value) => value.split(','));
  const bad = ids.some((id) => !UUID.test(id));
  const result = listNewestFirst(ids.length > 0 ? state.squads.filter((squad) => ids.includes(squad.id)) : state.squads, request, ['idAny']);
  if (!Array.isArray(result)) return result;
  return bad ? invalid(['each value in idAny must be a UUID']) : ok(result);
}

// --- single records ---------------------------------------------------------------------------

function findNumber(state: VapiState, id: string): VapiPhoneNumber | undefined {
  return state.phoneNumbers.find((record) => record.id === id);
}

function getPhoneNumber(request: FakeRequest, state: VapiState): FakeResponse {
  const id = request.params.id ?? '';
  const record = findNumber(state, id);
  return checkUuid(id) ?? (record ? ok(wireNumber(record)) : fail(404, 'Phone Number not found'));
}

function getAssistant(request: FakeRequest, state: VapiState): FakeResponse {
  const id = request.params.id ?? '';
  const record = state.assistants.find((assistant) => assistant.id === id);
  return checkUuid(id) ?? (record ? ok(record) : fail(404, 'Assistant not found'));
}

// --- PATCH /phone-number/{id} -----------------------------------------------------------------

const COMMON_UPDATE_FIELDS = ['provider', 'name', 'assistantId', 'squadId', 'workflowId', 'fallbackDestination', 'hooks', 'server'];
/** The properties each variant's Update…PhoneNumberDTO declares; anything else is refused. */
const UPDATE_FIELDS: Record<VapiPhoneProvider, string[]> = {
  twilio: [...COMMON_UPDATE_FIELDS, 'smsEnabled', 'number', 'twilioAccountSid', 'twilioAuthToken', 'twilioApiKey', 'twilioApiSecret'],
  vapi: [...COMMON_UPDATE_FIELDS, 'sipUri', 'authentication'],
  'byo-phone-number': [...COMMON_UPDATE_FIELDS, 'number', 'credentialId', 'numberE164CheckEnabled'],
  vonage: [...COMMON_UPDATE_FIELDS, 'number', 'credentialId'],
  telnyx: [...COMMON_UPDATE_FIELDS, 'number', 'credentialId'],
};
const DESTINATION_FIELDS = {
  number: ['type', 'number', 'extension', 'callerId', 'message', 'description', 'transferPlan', 'numberE164CheckEnabled'],
  sip: ['type', 'sipUri', 'callerId', 'message', 'description', 'transferPlan', 'sipHeaders'],
};
const HANDLER_FIELDS = ['assistantId', 'squadId', 'workflowId'] as const;
/**
 * The update DTOs type no field as nullable; null is accepted only to clear one of these, and only
 * when the number holds it. Anywhere else (`provider`, `smsEnabled`, a field the number lacks) it is
 * refused, so a client that sends nulls it does not need is caught here.
 */
const CLEARABLE_FIELDS = ['name', 'assistantId', 'squadId', 'workflowId', 'fallbackDestination', 'server'];

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkOptionalString(body: Body, key: string, errors: string[]): void {
  if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string') errors.push(`${key} must be a string`);
}

function checkName(body: Body, errors: string[]): void {
  checkOptionalString(body, 'name', errors);
  if (typeof body.name === 'string' && body.name.length > NAME_MAX) errors.push(`name must be shorter than or equal to ${NAME_MAX} characters`);
}

function checkNumberDestination(destination: Body, errors: string[]): void {
  const { number } = destination;
  if (typeof number !== 'string') {
    errors.push('fallbackDestination.number must be a string');
    return;
  }
  if (number.length < 3) errors.push('fallbackDestination.number must be longer than or equal to 3 characters');
  if (number.length > 40) errors.push('fallbackDestination.number must be shorter than or equal to 40 characters');
  if (destination.numberE164CheckEnabled !== false && !E164.test(number)) errors.push(`fallbackDestination.number ${E164_HINT}`);
}

function checkFallback(body: Body, errors: string[]): void {
  const destination = body.fallbackDestination;
  if (destination === undefined || destination === null) return;
  if (!isObject(destination)) {
    errors.push('fallbackDestination must be an object');
    return;
  }
  if (destination.type !== 'number' && destination.type !== 'sip') {
    errors.push('fallbackDestination.type must be one of the following values: number, sip');
    return;
  }
  for (const key of Object.keys(destination)) {
    if (!DESTINATION_FIELDS[destination.type].includes(key)) errors.push(`property fallbackDestination.${key} should not exist`);
  }
  if (destination.type === 'number') checkNumberDestination(destination, errors);
  else if (typeof destination.sipUri !== 'string' || !/^sips?:\S+@\S+$/i.test(destination.sipUri)) errors.push('fallbackDestination.sipUri must be a valid SIP URI');
}

function checkNulls(body: Body, record: VapiPhoneNumber, errors: string[]): void {
  for (const [key, value] of Object.entries(body)) {
    if (value !== null || !UPDATE_FIELDS[record.provider].includes(key)) continue;
    const held = (record as unknown as Body)[key];
    if (!CLEARABLE_FIELDS.includes(key)) errors.push(`${key} should not be null`);
    else if (held === undefined || held === null) errors.push(`${key} should not be null: the phone number has no ${key} to clear`);
  }
}

/** The DTO checks, all reported at once like class-validator does. */
function validateUpdate(body: Body, record: VapiPhoneNumber): string[] {
  const errors = Object.keys(body).filter((key) => !UPDATE_FIELDS[record.provider].includes(key)).map((key) => `property ${key} should not exist`);
  checkNulls(body, record, errors);
  if (body.provider !== undefined && body.provider !== record.provider) errors.push(`provider must be one of the following values: ${record.provider}`);
  checkName(body, errors);
  for (const key of HANDLER_FIELDS) checkOptionalString(body, key, errors);
  if (body.smsEnabled !== undefined && typeof body.smsEnabled !== 'boolean') errors.push('smsEnabled must be a boolean value');
  checkFallback(body, errors);
  return errors;
}

/** Handlers must exist in the org (the real API keeps them as foreign keys). */
function missingReferences(body: Body, state: VapiState): string[] {
  const errors: string[] = [];
  if (typeof body.assistantId === 'string' && !state.assistants.some((assistant) => assistant.id === body.assistantId)) {
    errors.push(`Couldn't find assistant ${body.assistantId} in this org`);
  }
  if (typeof body.squadId === 'string' && !state.squads.some((squad) => squad.id === body.squadId)) {
    errors.push(`Couldn't find squad ${body.squadId} in this org`);
  }
  // The workflows API is gone; no workflow id can be found any more.
  if (typeof body.workflowId === 'string') errors.push(`Couldn't find workflow ${body.workflowId} in this org`);
  return errors;
}

function handlersAfter(body: Body, record: VapiPhoneNumber): number {
  return HANDLER_FIELDS.filter((key) => {
    const value = key in body ? body[key] : record[key];
    return typeof value === 'string';
  }).length;
}

function updatePhoneNumber(request: FakeRequest, state: VapiState, changes: Changes<VapiState>): FakeResponse {
  const id = request.params.id ?? '';
  const badId = checkUuid(id);
  if (badId) return badId;
  const record = findNumber(state, id);
  if (!record) return fail(404, 'Phone Number not found');
  const body = request.body ?? {};
  if (!isObject(body)) return invalid(['request body must be a JSON object']);

  const errors = validateUpdate(body, record);
  if (errors.length > 0) return invalid(errors);
  const missing = missingReferences(body, state);
  if (missing.length > 0) return invalid(missing);
  if (handlersAfter(body, record) > 1) return invalid(['Only one of assistantId, squadId or workflowId can be set on a phone number']);

  const patch: Body = { ...body };
  delete patch.provider;
  Object.assign(record, patch, { updatedAt: new Date().toISOString() });
  changes.put('phoneNumbers', record);
  return ok(wireNumber(record));
}

// --- POST /phone-number, DELETE /phone-number/{id} ---------------------------------------------

const COMMON_CREATE_FIELDS = ['provider', 'fallbackDestination', 'hooks', 'name', 'assistantId', 'workflowId', 'squadId', 'server'];
/** The properties of the two create DTOs the sandbox serves (CreateVapiPhoneNumberDTO, CreateTwilioPhoneNumberDTO). */
const CREATE_FIELDS: Partial<Record<VapiPhoneProvider, string[]>> = {
  vapi: [...COMMON_CREATE_FIELDS, 'numberDesiredAreaCode', 'sipUri', 'authentication'],
  twilio: [...COMMON_CREATE_FIELDS, 'smsEnabled', 'number', 'twilioAccountSid', 'twilioAuthToken', 'twilioApiKey', 'twilioApiSecret'],
};
const TWILIO_ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/** The first free `+1 <area> 555-xxxx` number: the sandbox's stock of free Vapi numbers. */
function freeVapiNumber(state: VapiState, area: string): string | null {
  for (let line = 0; line < 10_000; line++) {
    const candidate = `+1${area}555${String(line).padStart(4, '0')}`;
    if (!state.phoneNumbers.some((record) => record.number === candidate)) return candidate;
  }
  return null;
}

/**
 * Vapi checks the Twilio credentials with Twilio before it takes the number. The sandbox's Twilio
 * account is the one the sandbox keys open: its SID shape and the sandbox auth token (or an API key
 * `SK…` with a secret) pass, anything else is refused the way a wrong token would be.
 */
function twilioCredentialErrors(body: Body): string[] {
  const errors: string[] = [];
  if (typeof body.number !== 'string') errors.push('number must be a string');
  else if (!E164.test(body.number)) errors.push(`number ${E164_HINT}`);
  if (typeof body.twilioAccountSid !== 'string') errors.push('twilioAccountSid must be a string');
  for (const key of ['twilioAuthToken', 'twilioApiKey', 'twilioApiSecret']) checkOptionalString(body, key, errors);
  if (errors.length > 0) return errors;
  const byToken = typeof body.twilioAuthToken === 'string';
  const byKey = typeof body.twilioApiKey === 'string' && typeof body.twilioApiSecret === 'string';
  if (!byToken && !byKey) return ['twilioAuthToken, or twilioApiKey with twilioApiSecret, must be provided'];
  const valid = TWILIO_ACCOUNT_SID.test(body.twilioAccountSid as string) && (byToken ? body.twilioAuthToken === SANDBOX_KEYS.twilioAuthToken : /^SK[0-9a-f]{32}$/.test(body.twilioApiKey as string));
  return valid ? [] : ['Twilio rejected the credentials: check twilioAccountSid and twilioAuthToken (or twilioApiKey and twilioApiSecret)'];
}

function createPhoneNumber(request: FakeRequest, state: VapiState, changes: Changes<VapiState>): FakeResponse {
  const body = request.body ?? {};
  if (!isObject(body)) return invalid(['request body must be a JSON object']);
  const provider = body.provider as VapiPhoneProvider;
  if (!VAPI_PHONE_PROVIDERS.includes(provider)) return invalid([`provider must be one of the following values: ${VAPI_PHONE_PROVIDERS.join(', ')}`]);
  const allowed = CREATE_FIELDS[provider];
  // Vonage, Telnyx and BYO numbers need a credential the sandbox org does not have.
  if (!allowed) return invalid([`Couldn't find a ${provider} credential in this org; credentialId must be a valid credential`]);
  const errors = Object.keys(body).filter((key) => !allowed.includes(key)).map((key) => `property ${key} should not exist`);
  checkName(body, errors);
  for (const key of HANDLER_FIELDS) checkOptionalString(body, key, errors);
  checkFallback(body, errors);
  if (provider === 'vapi') {
    const area = body.numberDesiredAreaCode;
    if (area !== undefined && (typeof area !== 'string' || area.length !== 3)) errors.push('numberDesiredAreaCode must be longer than or equal to 3 and shorter than or equal to 3 characters');
  } else {
    if (body.smsEnabled !== undefined && typeof body.smsEnabled !== 'boolean') errors.push('smsEnabled must be a boolean value');
    if (errors.length === 0) errors.push(...twilioCredentialErrors(body));
  }
  if (errors.length > 0) return invalid(errors);
  const missing = missingReferences(body, state);
  if (missing.length > 0) return invalid(missing);
  if (handlersAfter(body, { id: '', orgId: '', provider, createdAt: '', updatedAt: '' }) > 1) return invalid(['Only one of assistantId, squadId or workflowId can be set on a phone number']);

  let number: string;
  if (provider === 'vapi') {
    const area = (body.numberDesiredAreaCode as string | undefined) ?? '415';
    const free = /^[2-9]\d{2}$/.test(area) ? freeVapiNumber(state, area) : null;
    if (!free) return fail(400, `No phone numbers are available in area code ${area}. Try another area code.`);
    number = free;
  } else {
    number = body.number as string;
    if (state.phoneNumbers.some((record) => record.number === number)) return fail(400, `Phone number ${number} already exists in this org`);
  }
  const now = new Date().toISOString();
  const id = randomUUID();
  const record: VapiPhoneNumber = {
    id,
    orgId: state.orgId,
    provider,
    number,
    name: (body.name as string | undefined) ?? null,
    assistantId: (body.assistantId as string | undefined) ?? null,
    squadId: (body.squadId as string | undefined) ?? null,
    workflowId: null,
    fallbackDestination: (body.fallbackDestination as VapiFallbackDestination | undefined) ?? null,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    // Where an import came from stays on the record; the credentials are kept by Vapi, never sent back.
    ...(provider === 'twilio'
      ? { twilioAccountSid: body.twilioAccountSid as string, smsEnabled: (body.smsEnabled as boolean | undefined) ?? true }
      : { sipUri: `sip:${id.slice(0, 8)}@sip.vapi.ai`, ...(body.numberDesiredAreaCode === undefined ? {} : { numberDesiredAreaCode: body.numberDesiredAreaCode as string }) }),
  };
  state.phoneNumbers.push(record);
  changes.put('phoneNumbers', record);
  return { status: 201, body: wireNumber(record) };
}

function deletePhoneNumber(request: FakeRequest, state: VapiState, changes: Changes<VapiState>): FakeResponse {
  const id = request.params.id ?? '';
  const badId = checkUuid(id);
  if (badId) return badId;
  const record = findNumber(state, id);
  if (!record) return fail(404, 'Phone Number not found');
  state.phoneNumbers.splice(state.phoneNumbers.indexOf(record), 1);
  changes.remove('phoneNumbers', record);
  return ok(wireNumber(record));
}

// --- the provider -----------------------------------------------------------------------------

const routes: Route<VapiState>[] = [
  { method: 'GET', path: '/phone-number', handler: listPhoneNumbers },
  { method: 'GET', path: '/v2/phone-number', handler: listPhoneNumbersPaged },
  { method: 'GET', path: '/phone-number/:id', handler: getPhoneNumber },
  { method: 'PATCH', path: '/phone-number/:id', handler: updatePhoneNumber },
  { method: 'POST', path: '/phone-number', handler: createPhoneNumber },
  { method: 'DELETE', path: '/phone-number/:id', handler: deletePhoneNumber },
  { method: 'GET', path: '/assistant', handler: listAssistants },
  { method: 'GET', path: '/assistant/:id', handler: getAssistant },
  { method: 'GET', path: '/squad', handler: listSquads },
];

/** With the carrier's fake linked, a Twilio import points the number's voice webhook at Vapi, as Vapi does. */
export function createVapiFake(carrier?: CarrierLink): FakeProvider<VapiState> {
  return {
    name: 'vapi',
    routes,
    authorize,
    errorBody: (status, message) => errorBody(status, message),
    afterWrite(request, response, state) {
      if (!carrier || request.method !== 'POST' || request.path !== '/phone-number') return;
      const made = findNumber(state, (response.body as { id: string }).id);
      if (made?.provider === 'twilio' && made.twilioAccountSid && made.number) carrier.pointAtImporter(made.twilioAccountSid, made.number, 'vapi');
    },
  };
}
