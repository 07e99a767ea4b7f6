import { randomBytes } from 'node:crypto';
import { SANDBOX_KEYS } from '../credentials.js';
import type { Changes, FakeProvider, FakeRequest, FakeResponse, Route } from '../fake-server.js';
import type { SeedAgent, SeedNumber, SeedPlan } from '../seed.js';
import type { CarrierLink } from './twilio.js';

/**
 * A fake of ElevenLabs Agents' phone-number and agent API (api.elevenlabs.io, `/v1/convai/…`), from
 * its OpenAPI document (3.1.0, saved 2026-08-22): `xi-api-key` auth; phone numbers as the
 * `provider` union (`twilio` imports and `sip_trunk` numbers) with one `assigned_agent`; the bare
 * array of `GET /v1/convai/phone-numbers`; agents paged by an opaque `cursor` with `has_more`
 * (`page_size` 1–100, default 30); a Twilio import that takes the account SID and auth token and
 * answers only the new id; DELETE.
 *
 * Errors: the spec documents only 422, FastAPI's `HTTPValidationError` (`{ detail: [{ loc, msg,
 * type }] }`), given here for bodies and query parameters that do not fit the schemas, in
 * pydantic's wording. Other statuses answer `{ detail: { status, message } }`, the shape third
 * parties report (UNCONFIRMED by a primary source). The spec does not say whether unknown body
 * fields are ignored: the fake refuses them (422 `extra_forbidden`), so a client's typo shows.
 */

export interface ElevenLabsAssignedAgent {
  agent_id: string;
  agent_name: string;
  environment?: string | null;
  branch_id?: string | null;
}

export type ElevenLabsNumberProvider = 'twilio' | 'sip_trunk';

export interface ElevenLabsPhoneNumber {
  phone_number_id: string;
  phone_number: string;
  label: string;
  provider: ElevenLabsNumberProvider;
  supports_inbound: boolean;
  supports_outbound: boolean;
  assigned_agent: ElevenLabsAssignedAgent | null;
  /** `sip_trunk` only. */
  livekit_stack?: 'standard' | 'static';
  store_sip_messages?: boolean;
  /** Kept by the fake, never answered: the Twilio account a `twilio` number was imported from. */
  twilio_account_sid?: string;
  /** Kept by the fake, never answered: `enable_sms` at import. */
  sms_enabled?: boolean;
}

export interface ElevenLabsAgent {
  agent_id: string;
  name: string;
  tags: string[];
  created_at_unix_secs: number;
  access_info: { is_creator: boolean; creator_name: string; creator_email: string; role: 'admin' | 'editor' | 'commenter' | 'viewer' };
  last_call_time_unix_secs: number | null;
  archived: boolean;
}

export interface ElevenLabsState {
  phoneNumbers: ElevenLabsPhoneNumber[];
  agents: ElevenLabsAgent[];
}

const AGENTS_EPOCH_SECS = Date.UTC(2025, 8, 1, 8, 0, 0) / 1000;
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 100;
const E164 = /^\+[1-9]\d{1,14}$/;
const TWILIO_ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const OWNER = { is_creator: true, creator_name: 'Sandbox Owner', creator_email: 'owner@sandbox.invalid', role: 'admin' } as const;

// --- seed -------------------------------------------------------------------------------------

export function elevenlabsStateFromSeed(plan: SeedPlan): ElevenLabsState {
  const agents = plan.agents.filter((agent) => agent.provider === 'elevenlabs').map(seedAgent);
  const names = new Map(agents.map((agent) => [agent.agent_id, agent.name]));
  return {
    agents,
    phoneNumbers: plan.numbers.filter((entry) => entry.provider === 'elevenlabs').map((entry) => seedNumber(entry, names, plan.twilioAccountSid)),
  };
}

function seedAgent(agent: SeedAgent, index: number): ElevenLabsAgent {
  // Distinct, irregular creation times, a few days apart.
  const created = AGENTS_EPOCH_SECS + index * 260_000 + index * 37;
  return { agent_id: agent.id, name: agent.name, tags: [], created_at_unix_secs: created, access_info: { ...OWNER }, last_call_time_unix_secs: agent.live ? created + 86_400 : null, archived: false };
}

function seedNumber(entry: SeedNumber, names: Map<string, string>, twilioAccountSid: string): ElevenLabsPhoneNumber {
  const agentId = entry.slots.inbound[0]?.agentId;
  const base = {
    phone_number_id: entry.id,
    phone_number: entry.e164,
    label: entry.label,
    supports_inbound: true,
    supports_outbound: true,
    assigned_agent: agentId ? { agent_id: agentId, agent_name: names.get(agentId) ?? agentId } : null,
  };
  if (entry.importedFromTwilio) return { ...base, provider: 'twilio', twilio_account_sid: twilioAccountSid, sms_enabled: entry.smsCapable };
  return { ...base, provider: 'sip_trunk', livekit_stack: 'standard', store_sip_messages: true };
}

// --- wire helpers -----------------------------------------------------------------------------

interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'invalid_api_key',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'system_busy',
};

function errorBody(status: number, message: string, code?: string): unknown {
  if (status === 422) return { detail: [{ loc: [], msg: message, type: 'value_error' }] };
  return { detail: { status: code ?? STATUS_CODES[status] ?? 'internal_server_error', message } };
}

function fail(status: number, message: string, code?: string): FakeResponse {
  return { status, body: errorBody(status, message, code) };
}

function invalid(issues: ValidationIssue[]): FakeResponse {
  return { status: 422, body: { detail: issues } };
}

const ok = (body: unknown): FakeResponse => ({ status: 200, body });

function authorize(request: FakeRequest): FakeResponse | null {
  const key = request.headers['xi-api-key'];
  if (key === undefined) return fail(401, 'Neither authorization header nor xi-api-key received, please provide one.', 'needs_authorization');
  if (key === SANDBOX_KEYS.elevenlabs) return null;
  return fail(401, 'Invalid API key', 'invalid_api_key');
}

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** pydantic's checks of one field, in its words. */
const field = {
  missing: (loc: (string | number)[]): ValidationIssue => ({ loc, msg: 'Field required', type: 'missing' }),
  string: (body: Body, key: string, issues: ValidationIssue[], nullable: boolean, where = 'body'): void => {
    const value = body[key];
    if (value === undefined || (nullable && value === null) || typeof value === 'string') return;
    issues.push({ loc: [where, key], msg: 'Input should be a valid string', type: 'string_type' });
  },
  boolean: (body: Body, key: string, issues: ValidationIssue[], nullable: boolean): void => {
    const value = body[key];
    if (value === undefined || (nullable && value === null) || typeof value === 'boolean') return;
    issues.push({ loc: ['body', key], msg: 'Input should be a valid boolean', type: 'bool_type' });
  },
  object: (body: Body, key: string, issues: ValidationIssue[]): void => {
    const value = body[key];
    if (value === undefined || value === null || isObject(value)) return;
    issues.push({ loc: ['body', key], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' });
  },
  choice: (value: unknown, choices: readonly string[], loc: (string | number)[], issues: ValidationIssue[]): void => {
    if (value === undefined || value === null || (typeof value === 'string' && choices.includes(value))) return;
    const list = choices.map((choice) => `'${choice}'`);
    issues.push({ loc, msg: `Input should be ${list.slice(0, -1).join(', ')} or ${list.at(-1)}`, type: 'enum' });
  },
  extras: (body: Body, allowed: readonly string[], issues: ValidationIssue[]): void => {
    for (const key of Object.keys(body)) if (!allowed.includes(key)) issues.push({ loc: ['body', key], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' });
  },
};

function notAnObject(): FakeResponse {
  return invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' }]);
}

// --- phone numbers ----------------------------------------------------------------------------

const TELEPHONY_PROVIDERS = ['twilio', 'sip_trunk', 'exotel'] as const;

/**
 * A number as the API answers it: its variant's fields only (nothing the fake keeps for itself),
 * with the agent's name as the agent has it now.
 */
function wireNumber(record: ElevenLabsPhoneNumber, state: ElevenLabsState): Body {
  const assigned = record.assigned_agent;
  const agent = assigned ? state.agents.find((entry) => entry.agent_id === assigned.agent_id) : undefined;
  const out: Body = {
    phone_number: record.phone_number,
    label: record.label,
    supports_inbound: record.supports_inbound,
    supports_outbound: record.supports_outbound,
    phone_number_id: record.phone_number_id,
    assigned_agent: assigned ? { ...assigned, agent_name: agent?.name ?? assigned.agent_name } : null,
    provider: record.provider,
  };
  if (record.provider === 'sip_trunk') {
    Object.assign(out, { provider_config: null, outbound_trunk: null, inbound_trunk: null, livekit_stack: record.livekit_stack ?? 'standard', store_sip_messages: record.store_sip_messages ?? true });
  }
  return out;
}

function listPhoneNumbers(request: FakeRequest, state: ElevenLabsState): FakeResponse {
  const issues: ValidationIssue[] = [];
  const provider = request.query.get('provider');
  field.choice(provider, TELEPHONY_PROVIDERS, ['query', 'provider'], issues);
  if (issues.length > 0) return invalid(issues);
  const agentId = request.query.get('agent_id');
  const branchId = request.query.get('branch_id');
  const matching = state.phoneNumbers.filter(
    (record) =>
      (provider === null || record.provider === provider) &&
      (agentId === null || record.assigned_agent?.agent_id === agentId) &&
      (branchId === null || record.assigned_agent?.branch_id === branchId),
  );
  return ok(matching.map((record) => wireNumber(record, state)));
}

function findNumber(state: ElevenLabsState, id: string): ElevenLabsPhoneNumber | undefined {
  return state.phoneNumbers.find((record) => record.phone_number_id === id);
}

function numberNotFound(id: string): FakeResponse {
  return fail(404, `Phone number with id ${id} not found`, 'phone_number_not_found');
}

function getPhoneNumber(request: FakeRequest, state: ElevenLabsState): FakeResponse {
  const id = request.params.id ?? '';
  const record = findNumber(state, id);
  return record ? ok(wireNumber(record, state)) : numberNotFound(id);
}

function findAgent(state: ElevenLabsState, id: string): ElevenLabsAgent | undefined {
  return state.agents.find((agent) => agent.agent_id === id && !agent.archived);
}

function agentNotFound(id: string): FakeResponse {
  return fail(404, `Agent with id ${id} not found`, 'agent_not_found');
}

const UPDATE_FIELDS = ['agent_id', 'label', 'inbound_trunk_config', 'outbound_trunk_config', 'livekit_stack', 'store_sip_messages', 'environment', 'branch_id'] as const;
const SIP_ONLY_FIELDS = ['inbound_trunk_config', 'outbound_trunk_config', 'livekit_stack', 'store_sip_messages'] as const;

/**
 * PATCH: every field optional and nullable (UpdatePhoneNumberRequest). `agent_id: null` unassigns
 * the agent here; what the real API does with it is UNCONFIRMED. A null label leaves the label as
 * it is (every answer must carry one). A new agent starts on its main branch unless one is given.
 */
function updatePhoneNumber(request: FakeRequest, state: ElevenLabsState, changes: Changes<ElevenLabsState>): FakeResponse {
  const id = request.params.id ?? '';
  const body = request.body ?? {};
  if (!isObject(body)) return notAnObject();
  const issues: ValidationIssue[] = [];
  field.extras(body, UPDATE_FIELDS, issues);
  for (const key of ['agent_id', 'label', 'environment', 'branch_id']) field.string(body, key, issues, true);
  field.object(body, 'inbound_trunk_config', issues);
  field.object(body, 'outbound_trunk_config', issues);
  field.choice(body.livekit_stack, ['standard', 'static'], ['body', 'livekit_stack'], issues);
  field.boolean(body, 'store_sip_messages', issues, true);
  if (issues.length > 0) return invalid(issues);

  const record = findNumber(state, id);
  if (!record) return numberNotFound(id);
  const sipFields = SIP_ONLY_FIELDS.filter((key) => body[key] !== undefined && body[key] !== null);
  if (record.provider !== 'sip_trunk' && sipFields.length > 0) return fail(400, `${sipFields.join(', ')} can only be set on SIP trunk phone numbers`, 'invalid_request');

  const agentId = body.agent_id as string | null | undefined;
  const branch = body.branch_id as string | null | undefined;
  const environment = body.environment as string | null | undefined;
  if (typeof agentId === 'string') {
    const agent = findAgent(state, agentId);
    if (!agent) return agentNotFound(agentId);
    const same = record.assigned_agent?.agent_id === agentId;
    record.assigned_agent = {
      agent_id: agentId,
      agent_name: agent.name,
      environment: environment ?? (same ? (record.assigned_agent?.environment ?? null) : null),
      branch_id: branch ?? (same ? (record.assigned_agent?.branch_id ?? null) : null),
    };
  } else if (agentId === null) {
    record.assigned_agent = null;
  } else if (typeof branch === 'string' || typeof environment === 'string') {
    if (!record.assigned_agent) return fail(400, 'A branch or environment needs an agent assigned to the phone number', 'invalid_request');
    record.assigned_agent = { ...record.assigned_agent, ...(typeof branch === 'string' ? { branch_id: branch } : {}), ...(typeof environment === 'string' ? { environment } : {}) };
  }
  if (typeof body.label === 'string') record.label = body.label;
  if (record.provider === 'sip_trunk') {
    if (typeof body.livekit_stack === 'string') record.livekit_stack = body.livekit_stack as 'standard' | 'static';
    if (typeof body.store_sip_messages === 'boolean') record.store_sip_messages = body.store_sip_messages;
  }
  changes.put('phoneNumbers', record);
  return ok(wireNumber(record, state));
}

const TWILIO_CREATE_FIELDS = ['phone_number', 'label', 'supports_inbound', 'supports_outbound', 'provider', 'agent_id', 'sid', 'token', 'region_config', 'enable_sms'] as const;

/** A new id in the form of the spec's examples (`phnum_X3Pbu5gP6NNKBscdCdwB`). */
function newNumberId(): string {
  return `phnum_${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/**
 * Import: the body is one of three requests (Twilio, Exotel, SIP trunk) told apart by `provider`.
 * The sandbox takes Twilio imports only. ElevenLabs checks the credentials with Twilio before it
 * takes the number: the sandbox Twilio account's SID form and auth token pass, anything else is
 * refused as a wrong token would be. An API key SID in `sid` is not an account SID and is refused.
 */
function createPhoneNumber(request: FakeRequest, state: ElevenLabsState, changes: Changes<ElevenLabsState>): FakeResponse {
  const body = request.body ?? {};
  if (!isObject(body)) return notAnObject();
  const provider = body.provider ?? (body.sid !== undefined || body.token !== undefined ? 'twilio' : 'sip_trunk');
  if (provider !== 'twilio') {
    if (provider === 'sip_trunk' || provider === 'exotel') return fail(400, `The sandbox imports Twilio numbers only, not ${provider} numbers`, 'unsupported_provider');
    return invalid([{ loc: ['body', 'provider'], msg: "Input should be 'twilio', 'exotel' or 'sip_trunk'", type: 'literal_error' }]);
  }
  const issues: ValidationIssue[] = [];
  for (const key of ['phone_number', 'label', 'sid', 'token']) if (body[key] === undefined) issues.push(field.missing(['body', 'twilio', key]));
  field.extras(body, TWILIO_CREATE_FIELDS, issues);
  for (const key of ['phone_number', 'label', 'sid', 'token']) field.string(body, key, issues, false);
  field.string(body, 'agent_id', issues, true);
  for (const key of ['supports_inbound', 'supports_outbound', 'enable_sms']) field.boolean(body, key, issues, false);
  field.object(body, 'region_config', issues);
  if (issues.length > 0) return invalid(issues);

  const number = body.phone_number as string;
  if (!E164.test(number)) return fail(400, `Invalid phone number ${number}: use the E.164 format, e.g. +14155550123`, 'invalid_phone_number');
  if (!TWILIO_ACCOUNT_SID.test(body.sid as string) || body.token !== SANDBOX_KEYS.twilioAuthToken) {
    return fail(400, 'Twilio rejected the account SID and auth token: check them in the Twilio console', 'invalid_twilio_credentials');
  }
  if (state.phoneNumbers.some((record) => record.phone_number === number)) return fail(409, `Phone number ${number} already exists`, 'phone_number_already_exists');
  const agentId = body.agent_id as string | null | undefined;
  const agent = typeof agentId === 'string' ? findAgent(state, agentId) : undefined;
  if (typeof agentId === 'string' && !agent) return agentNotFound(agentId);

  const record: ElevenLabsPhoneNumber = {
    phone_number_id: newNumberId(),
    phone_number: number,
    label: body.label as string,
    provider: 'twilio',
    supports_inbound: (body.supports_inbound as boolean | undefined) ?? true,
    supports_outbound: (body.supports_outbound as boolean | undefined) ?? true,
    assigned_agent: agent ? { agent_id: agent.agent_id, agent_name: agent.name } : null,
    // ElevenLabs keeps the credentials to itself: never answered.
    twilio_account_sid: body.sid as string,
    sms_enabled: (body.enable_sms as boolean | undefined) ?? true,
  };
  state.phoneNumbers.push(record);
  changes.put('phoneNumbers', record);
  return ok({ phone_number_id: record.phone_number_id });
}

function deletePhoneNumber(request: FakeRequest, state: ElevenLabsState, changes: Changes<ElevenLabsState>): FakeResponse {
  const id = request.params.id ?? '';
  const record = findNumber(state, id);
  if (!record) return numberNotFound(id);
  state.phoneNumbers.splice(state.phoneNumbers.indexOf(record), 1);
  changes.remove('phoneNumbers', record);
  return ok({});
}

// --- agents -----------------------------------------------------------------------------------

const SORT_BY = ['name', 'created_at', 'call_count_7d'] as const;
const BOOLEAN_TRUE = ['true', '1', 'yes', 'on', 't', 'y'];
const BOOLEAN_FALSE = ['false', '0', 'no', 'off', 'f', 'n'];

function booleanParam(query: URLSearchParams, key: string, issues: ValidationIssue[]): boolean | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (BOOLEAN_TRUE.includes(raw.toLowerCase())) return true;
  if (BOOLEAN_FALSE.includes(raw.toLowerCase())) return false;
  issues.push({ loc: ['query', key], msg: 'Input should be a valid boolean, unable to interpret input', type: 'bool_parsing' });
  return undefined;
}

function pageSizeParam(query: URLSearchParams, issues: ValidationIssue[]): number {
  const raw = query.get('page_size');
  if (raw === null) return DEFAULT_PAGE_SIZE;
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    issues.push({ loc: ['query', 'page_size'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' });
    return DEFAULT_PAGE_SIZE;
  }
  const value = Number(raw);
  if (value < 1) issues.push({ loc: ['query', 'page_size'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal' });
  if (value > MAX_PAGE_SIZE) issues.push({ loc: ['query', 'page_size'], msg: `Input should be less than or equal to ${MAX_PAGE_SIZE}`, type: 'less_than_equal' });
  return value;
}

type SortKey = string | number;

/** The sort value of an agent; ties are broken by id, so the order is total and a cursor exact. */
function sortKey(agent: ElevenLabsAgent, by: (typeof SORT_BY)[number]): SortKey {
  if (by === 'name') return agent.name.toLowerCase();
  // The fake records no calls: every agent's 7-day count is 0.
  if (by === 'call_count_7d') return 0;
  return agent.created_at_unix_secs;
}

function compare(a: [SortKey, string], b: [SortKey, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** The cursor: the sort position of the last agent answered, opaque to the client (base64url JSON). */
function encodeCursor(key: [SortKey, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(text: string): [SortKey, string] | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // not one of ours
  }
  return null;
}

/**
 * Agents, newest first unless asked otherwise, `page_size` at a time. Keyset paging: the next page
 * starts after the last agent of the previous one in the same order, so agents created meanwhile
 * never shift a page. Archived agents are left out unless `archived=true` (then only those).
 */
function listAgents(request: FakeRequest, state: ElevenLabsState): FakeResponse {
  const { query } = request;
  const issues: ValidationIssue[] = [];
  const pageSize = pageSizeParam(query, issues);
  const archived = booleanParam(query, 'archived', issues) ?? false;
  booleanParam(query, 'show_only_owned_agents', issues);
  const direction = query.get('sort_direction') ?? 'desc';
  field.choice(direction, ['asc', 'desc'], ['query', 'sort_direction'], issues);
  const sortBy = query.get('sort_by') ?? 'created_at';
  field.choice(sortBy, SORT_BY, ['query', 'sort_by'], issues);
  if (issues.length > 0) return invalid(issues);
  const cursorText = query.get('cursor');
  const cursor = cursorText === null ? null : decodeCursor(cursorText);
  if (cursorText !== null && cursor === null) return fail(400, 'Invalid cursor', 'invalid_cursor');

  const by = sortBy as (typeof SORT_BY)[number];
  const sign = direction === 'asc' ? 1 : -1;
  const search = query.get('search')?.toLowerCase() ?? null;
  const keyed = state.agents
    .filter((agent) => agent.archived === archived && (search === null || agent.name.toLowerCase().includes(search)))
    .map((agent) => ({ agent, key: [sortKey(agent, by), agent.agent_id] as [SortKey, string] }))
    .sort((a, b) => sign * compare(a.key, b.key));
  const after = cursor === null ? keyed : keyed.filter((entry) => sign * compare(entry.key, cursor) > 0);
  const page = after.slice(0, pageSize);
  const hasMore = after.length > page.length;
  const last = page.at(-1);
  return ok({
    agents: page.map(({ agent }) => agent),
    next_cursor: hasMore && last ? encodeCursor(last.key) : null,
    has_more: hasMore,
  });
}

// --- the provider -----------------------------------------------------------------------------

const routes: Route<ElevenLabsState>[] = [
  { method: 'GET', path: '/v1/convai/phone-numbers', handler: listPhoneNumbers },
  { method: 'GET', path: '/v1/convai/phone-numbers/:id', handler: getPhoneNumber },
  { method: 'PATCH', path: '/v1/convai/phone-numbers/:id', handler: updatePhoneNumber },
  { method: 'POST', path: '/v1/convai/phone-numbers', handler: createPhoneNumber },
  { method: 'DELETE', path: '/v1/convai/phone-numbers/:id', handler: deletePhoneNumber },
  { method: 'GET', path: '/v1/convai/agents', handler: listAgents },
];

/** With the carrier's fake linked, a Twilio import points the number's voice webhook at ElevenLabs, as ElevenLabs does. */
export function createElevenLabsFake(carrier?: CarrierLink): FakeProvider<ElevenLabsState> {
  return {
    name: 'elevenlabs',
    routes,
    authorize,
    errorBody: (status, message) => errorBody(status, message),
    afterWrite(request, response, state) {
      if (!carrier || request.method !== 'POST' || request.path !== '/v1/convai/phone-numbers') return;
      const id = (response.body as { phone_number_id?: string }).phone_number_id;
      const made = state.phoneNumbers.find((record) => record.phone_number_id === id);
      if (made?.provider === 'twilio' && made.twilio_account_sid) carrier.pointAtImporter(made.twilio_account_sid, made.phone_number, 'elevenlabs');
    },
  };
}
