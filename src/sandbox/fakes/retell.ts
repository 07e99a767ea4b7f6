import { SANDBOX_KEYS } from '../credentials.js';
import type { Changes, FakeProvider, FakeRequest, FakeResponse, Route } from '../fake-server.js';
import type { SeedPlan, SeedSlotAgent } from '../seed.js';
import { recordByNumber } from './record-by-number.js';

/**
 * A fake of Retell AI's phone-number and agent API, speaking its wire format: Bearer auth,
 * `{status: "error", message}` bodies, `pagination_key` + `has_more` paging with `limit` ≤ 1000,
 * weighted agent lists on numbers, and a 400 for the single-agent fields Retell removed on
 * 03/31/2026. Legacy list endpoints that Retell removed answer 404 with a pointer to the v2 path.
 */

export interface RetellAgentWeight {
  agent_id: string;
  /** A version number, a tag name, `latest` or `latest_published`; absent means latest. */
  agent_version?: number | string;
  weight: number;
}

export type RetellPhoneNumberType = 'retell-twilio' | 'retell-telnyx' | 'custom';

export interface RetellPhoneNumber {
  phone_number: string;
  phone_number_pretty: string;
  phone_number_type: RetellPhoneNumberType;
  area_code?: number;
  nickname: string | null;
  inbound_agents: RetellAgentWeight[] | null;
  outbound_agents: RetellAgentWeight[] | null;
  inbound_sms_agents: RetellAgentWeight[] | null;
  outbound_sms_agents: RetellAgentWeight[] | null;
  inbound_webhook_url: string | null;
  inbound_sms_webhook_url: string | null;
  fallback_number: string | null;
  allowed_inbound_country_list: string[] | null;
  allowed_outbound_country_list: string[] | null;
  sip_outbound_trunk_config: { termination_uri?: string; auth_username?: string; transport?: string } | null;
  last_modification_timestamp: number;
}

export interface RetellAgentVersion {
  version: number;
  is_published: boolean;
  last_modification_timestamp: number;
  base_version: number | null;
  version_title: string | null;
}

export interface RetellAgent {
  agent_id: string;
  agent_name: string | null;
  channel: 'voice' | 'chat';
  /** Tag name → pinned version, as `/v2/list-agents` reports them. */
  tags: Record<string, { version?: number }>;
  user_modified_timestamp: number;
  versions: RetellAgentVersion[];
}

/** Numbers and agents in creation order; listings sort on that order. */
export interface RetellState {
  numbers: RetellPhoneNumber[];
  agents: RetellAgent[];
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 50;
const SEED_TIME = Date.UTC(2026, 9, 1);
const AGENT_LISTS = ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents'] as const;
type AgentListField = (typeof AGENT_LISTS)[number];

/** The fields Retell stopped accepting after 03/31/2026, with what replaced each. */
const REMOVED_FIELDS: Record<string, AgentListField> = {
  inbound_agent_id: 'inbound_agents',
  inbound_agent_version: 'inbound_agents',
  outbound_agent_id: 'outbound_agents',
  outbound_agent_version: 'outbound_agents',
  inbound_sms_agent_id: 'inbound_sms_agents',
  inbound_sms_agent_version: 'inbound_sms_agents',
  outbound_sms_agent_id: 'outbound_sms_agents',
  outbound_sms_agent_version: 'outbound_sms_agents',
};
const DEPRECATION_NOTICE = 'https://docs.retellai.com/deprecation-notice/2026/03-31_phone_number_agent_fields';

/** Endpoints Retell removed on published dates; the fake answers them 404 with their successor. */
const REMOVED_ENDPOINTS: { method: string; path: string; successor: string }[] = [
  { method: 'GET', path: '/list-phone-numbers', successor: 'GET /v2/list-phone-numbers' },
  { method: 'GET', path: '/list-agents', successor: 'POST /v2/list-agents' },
  { method: 'GET', path: '/list-chat-agents', successor: 'POST /v2/list-agents' },
  { method: 'GET', path: '/get-agent-versions/:agent_id', successor: 'GET /list-agent-versions/{agent_id}' },
];

// ---------------------------------------------------------------------------------------------
// Seed

export function retellStateFromSeed(plan: SeedPlan): RetellState {
  const numbers = plan.numbers
    .filter((entry) => entry.provider === 'retell')
    .map((entry, index): RetellPhoneNumber => {
      const sms = seedWeights(entry.slots.sms);
      return {
        phone_number: entry.e164,
        phone_number_pretty: prettyNumber(entry.e164),
        // Numbers that came from the sandbox's Twilio account were imported over SIP.
        phone_number_type: entry.importedFromTwilio ? 'custom' : 'retell-twilio',
        ...(entry.e164.startsWith('+1') && !entry.importedFromTwilio ? { area_code: Number(entry.e164.slice(2, 5)) } : {}),
        nickname: entry.label,
        inbound_agents: seedWeights(entry.slots.inbound),
        outbound_agents: seedWeights(entry.slots.outbound),
        inbound_sms_agents: sms,
        outbound_sms_agents: sms === null ? null : structuredClone(sms),
        inbound_webhook_url: null,
        inbound_sms_webhook_url: null,
        fallback_number: entry.fallback,
        allowed_inbound_country_list: null,
        allowed_outbound_country_list: null,
        sip_outbound_trunk_config: entry.importedFromTwilio ? { termination_uri: 'voicenum-sandbox.pstn.twilio.com', transport: 'TCP' } : null,
        last_modification_timestamp: SEED_TIME + index * 60_000,
      };
    });
  const agents = plan.agents
    .filter((entry) => entry.provider === 'retell')
    .map((entry, index): RetellAgent => {
      const stamp = SEED_TIME - (index + 1) * 3_600_000;
      return {
        agent_id: entry.id,
        agent_name: entry.name,
        channel: entry.kind === 'chat' ? 'chat' : 'voice',
        tags: entry.live ? { production: { version: 2 } } : {},
        user_modified_timestamp: stamp,
        versions: entry.live ? publishedHistory(stamp) : [draftVersion(0, null, stamp)],
      };
    });
  return { numbers, agents };
}

/** Versions 0–2 published one after the other, and the draft Retell opens after each publish. */
function publishedHistory(stamp: number): RetellAgentVersion[] {
  return [
    { version: 0, is_published: true, last_modification_timestamp: stamp - 3_000, base_version: null, version_title: 'first' },
    { version: 1, is_published: true, last_modification_timestamp: stamp - 2_000, base_version: 0, version_title: null },
    { version: 2, is_published: true, last_modification_timestamp: stamp - 1_000, base_version: 1, version_title: null },
    draftVersion(3, 2, stamp),
  ];
}

function draftVersion(version: number, base: number | null, stamp: number): RetellAgentVersion {
  return { version, is_published: false, last_modification_timestamp: stamp, base_version: base, version_title: null };
}

function seedWeights(list: SeedSlotAgent[]): RetellAgentWeight[] | null {
  if (list.length === 0) return null;
  return list.map((entry) => ({ agent_id: entry.agentId, ...(entry.version === undefined ? {} : { agent_version: entry.version }), weight: entry.weight }));
}

/** `+1 (415) 200-0000` for North American numbers, the E.164 itself for others. */
function prettyNumber(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return nanp ? `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}` : e164;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

function errorBody(_status: number, message: string): { status: 'error'; message: string } {
  return { status: 'error', message };
}

function fail(status: number, message: string): FakeResponse {
  return { status, body: errorBody(status, message) };
}

/** A rejected write: the thrown value carries Retell's answer, so validation reads top to bottom. */
class Refusal extends Error {
  constructor(readonly response: FakeResponse) {
    super(String((response.body as { message?: string } | undefined)?.message ?? 'refused'));
  }
}

function refuse(status: number, message: string): never {
  throw new Refusal(fail(status, message));
}

function guarded<S>(handler: (request: FakeRequest, state: S, changes: Changes<S>) => FakeResponse): (request: FakeRequest, state: S, changes: Changes<S>) => FakeResponse {
  return (request, state, changes) => {
    try {
      return handler(request, state, changes);
    } catch (error) {
      if (error instanceof Refusal) return error.response;
      throw error;
    }
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Paging

interface PageQuery {
  limit: number;
  descending: boolean;
  after: string | null;
}

/** Reads `limit`, `sort_order` and `pagination_key` the way Retell validates them (400 on bad values). */
function pageQuery(query: URLSearchParams): PageQuery {
  const rawLimit = query.get('limit');
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT) refuse(400, `limit must be an integer between 1 and ${MAX_LIMIT}`);
  }
  const order = query.get('sort_order') ?? 'descending';
  if (order !== 'ascending' && order !== 'descending') refuse(400, 'sort_order must be one of: ascending, descending');
  const key = query.get('pagination_key');
  return { limit, descending: order === 'descending', after: key === null || key === '' ? null : key };
}

/**
 * One page of `items` (in creation order) keyed by `keyOf`: the pagination key names the last
 * item of the previous page, and the next page starts right after it.
 */
function page<T>(items: T[], keyOf: (item: T) => string, query: PageQuery): { items: T[]; has_more: boolean; pagination_key?: string } {
  const ordered = query.descending ? [...items].reverse() : items;
  let start = 0;
  if (query.after !== null) {
    const at = ordered.findIndex((item) => keyOf(item) === query.after);
    if (at < 0) refuse(400, 'Invalid pagination_key');
    start = at + 1;
  }
  const slice = ordered.slice(start, start + query.limit);
  const hasMore = start + slice.length < ordered.length;
  const last = slice[slice.length - 1];
  return { items: slice, has_more: hasMore, ...(hasMore && last !== undefined ? { pagination_key: keyOf(last) } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

function findNumber(state: RetellState, e164: string): RetellPhoneNumber {
  const number = recordByNumber(state.numbers, e164);
  if (!number) refuse(422, `Cannot find phone number ${e164} under given api key.`);
  return number;
}

function listNumbers(request: FakeRequest, state: RetellState): FakeResponse {
  return { status: 200, body: page(state.numbers, (number) => number.phone_number, pageQuery(request.query)) };
}

function getNumber(request: FakeRequest, state: RetellState): FakeResponse {
  return { status: 200, body: findNumber(state, request.params.number ?? '') };
}

/** Validates the whole PATCH body first, then applies it: a refused update changes nothing. */
function updateNumber(request: FakeRequest, state: RetellState, changes: Changes<RetellState>): FakeResponse {
  const number = findNumber(state, request.params.number ?? '');
  const body = request.body;
  if (!isRecord(body)) refuse(400, 'Invalid request format, please check API reference.');
  rejectRemovedFields(body);
  const update: Partial<RetellPhoneNumber> = {};
  for (const field of AGENT_LISTS) {
    if (field in body) update[field] = agentList(state, field, body[field]);
  }
  if ('nickname' in body) update.nickname = nullableString(body, 'nickname');
  if ('fallback_number' in body) update.fallback_number = fallbackNumber(state, number, body.fallback_number);
  for (const field of ['inbound_webhook_url', 'inbound_sms_webhook_url'] as const) {
    if (field in body) update[field] = nullableString(body, field);
  }
  for (const field of ['allowed_inbound_country_list', 'allowed_outbound_country_list'] as const) {
    if (field in body) update[field] = countryList(body, field);
  }
  Object.assign(number, update);
  number.last_modification_timestamp = Date.now();
  changes.put('numbers', number);
  return { status: 200, body: number };
}

function rejectRemovedFields(body: Record<string, unknown>): void {
  for (const [field, successor] of Object.entries(REMOVED_FIELDS)) {
    if (field in body) {
      refuse(400, `${field} is no longer supported (removed after 03/31/2026); set ${successor} to a list of {agent_id, agent_version?, weight} instead. See ${DEPRECATION_NOTICE}`);
    }
  }
}

/** An AgentWeight list as Retell checks it; null and [] both clear the slot (stored as null). */
function agentList(state: RetellState, field: AgentListField, value: unknown): RetellAgentWeight[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) refuse(400, `${field} must be an array of agent weights or null`);
  if (value.length === 0) return null;
  const entries = value.map((entry, index) => agentWeight(state, field, index, entry));
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (Math.abs(total - 1) > 1e-6) refuse(400, `${field}: total weights must add up to 1 (got ${Number(total.toFixed(6))})`);
  return entries;
}

function agentWeight(state: RetellState, field: AgentListField, index: number, entry: unknown): RetellAgentWeight {
  const where = `${field}[${index}]`;
  if (!isRecord(entry)) refuse(400, `${where} must be an object with agent_id and weight`);
  const { agent_id: agentId, agent_version: version, weight } = entry;
  if (typeof agentId !== 'string' || agentId.length === 0) refuse(400, `${where}.agent_id must be a non-empty string`);
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1) refuse(400, `${where}.weight must be greater than 0 and at most 1`);
  const agent = state.agents.find((candidate) => candidate.agent_id === agentId);
  if (!agent) refuse(422, `Cannot find agent ${agentId} under given api key.`);
  // Calls are answered by voice agents and texts by chat agents.
  const wanted = field.includes('sms') ? 'chat' : 'voice';
  if (agent.channel !== wanted) refuse(400, `${where}: agent ${agentId} is a ${agent.channel} agent; ${field} takes ${wanted} agents`);
  if (version !== undefined && version !== null) checkVersion(agent, where, version);
  return { agent_id: agentId, ...(version === undefined || version === null ? {} : { agent_version: version as number | string }), weight };
}

function checkVersion(agent: RetellAgent, where: string, version: unknown): void {
  if (typeof version === 'number') {
    if (!Number.isInteger(version) || version < 0) refuse(400, `${where}.agent_version must be a non-negative integer`);
    if (!agent.versions.some((entry) => entry.version === version)) refuse(422, `Cannot find version ${version} of agent ${agent.agent_id}.`);
    return;
  }
  if (typeof version !== 'string' || version === '') refuse(400, `${where}.agent_version must be an integer, a tag name, "latest" or "latest_published"`);
  if (version === 'latest') return;
  if (version === 'latest_published') {
    if (!agent.versions.some((entry) => entry.is_published)) refuse(400, `${where}: agent ${agent.agent_id} has no published version`);
    return;
  }
  if (!(version in agent.tags)) refuse(422, `Cannot find tag "${version}" on agent ${agent.agent_id}.`);
}

function nullableString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value !== null && typeof value !== 'string') refuse(400, `${field} must be a string or null`);
  return value;
}

function countryList(body: Record<string, unknown>, field: string): string[] | null {
  const value = body[field];
  if (value === null) return null;
  if (!Array.isArray(value) || !value.every((code) => typeof code === 'string' && /^[A-Z]{2}$/.test(code))) {
    refuse(400, `${field} must be a list of ISO 3166-1 alpha-2 country codes or null`);
  }
  return value as string[];
}

/** Retell's rules: E.164, not the number itself, and not a Retell number that forwards again. */
function fallbackNumber(state: RetellState, number: RetellPhoneNumber, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) refuse(400, 'fallback_number must be a phone number in E.164 format or null');
  if (value === number.phone_number) refuse(400, 'fallback_number cannot be the same as this phone number');
  const target = state.numbers.find((entry) => entry.phone_number === value);
  if (target?.fallback_number) refuse(400, `fallback_number ${value} already has its own fallback configured; nested forwarding is not allowed`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Buying, importing and deleting numbers

const TOLL_FREE_PREFIX = '888';
const DEFAULT_AREA_CODE = 415;

/** The first free `+1 <area> 555-xxxx` number: the sandbox's endless stock of numbers for sale. */
function nextFreeNumber(state: RetellState, area: string): string {
  for (let line = 0; line < 10_000; line++) {
    const candidate = `+1${area}555${String(line).padStart(4, '0')}`;
    if (!state.numbers.some((number) => number.phone_number === candidate)) return candidate;
  }
  refuse(400, `No phone number is available in area code ${area}.`);
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'boolean') refuse(400, `${field} must be a boolean`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'string') refuse(400, `${field} must be a string`);
  return value;
}

/** A new record with the agent lists the body binds (validated like an update), others empty. */
function newNumber(state: RetellState, body: Record<string, unknown>, e164: string, type: RetellPhoneNumberType): RetellPhoneNumber {
  const lists = Object.fromEntries(AGENT_LISTS.map((field) => [field, field in body ? agentList(state, field, body[field]) : null])) as Record<AgentListField, RetellAgentWeight[] | null>;
  return {
    phone_number: e164,
    phone_number_pretty: prettyNumber(e164),
    phone_number_type: type,
    nickname: optionalString(body, 'nickname') ?? null,
    ...lists,
    inbound_webhook_url: 'inbound_webhook_url' in body ? nullableString(body, 'inbound_webhook_url') : null,
    inbound_sms_webhook_url: null,
    fallback_number: null,
    allowed_inbound_country_list: 'allowed_inbound_country_list' in body ? countryList(body, 'allowed_inbound_country_list') : null,
    allowed_outbound_country_list: 'allowed_outbound_country_list' in body ? countryList(body, 'allowed_outbound_country_list') : null,
    sip_outbound_trunk_config: null,
    last_modification_timestamp: Date.now(),
  };
}

/** `POST /create-phone-number`: an exact number if it is free, else the next one in the area code. */
function createNumber(request: FakeRequest, state: RetellState, changes: Changes<RetellState>): FakeResponse {
  const body = request.body ?? {};
  if (!isRecord(body)) refuse(400, 'Invalid request format, please check API reference.');
  rejectRemovedFields(body);
  const areaCode = body.area_code;
  if (areaCode !== undefined && (typeof areaCode !== 'number' || !Number.isInteger(areaCode) || areaCode < 200 || areaCode > 999)) refuse(400, 'area_code must be a 3 digit integer');
  const country = body.country_code ?? 'US';
  if (country !== 'US' && country !== 'CA') refuse(400, 'country_code must be one of: US, CA');
  const provider = body.number_provider ?? 'twilio';
  if (provider !== 'twilio' && provider !== 'telnyx') refuse(400, 'number_provider must be one of: twilio, telnyx');
  const tollFree = optionalBoolean(body, 'toll_free') ?? false;
  const exact = optionalString(body, 'phone_number');
  let e164: string;
  if (exact !== undefined) {
    if (!/^\+1[2-9]\d{9}$/.test(exact)) refuse(400, 'phone_number must be a US or CA number in E.164 format');
    if (state.numbers.some((number) => number.phone_number === exact)) refuse(400, `Phone number ${exact} is not available for purchase.`);
    e164 = exact;
  } else {
    e164 = nextFreeNumber(state, tollFree ? TOLL_FREE_PREFIX : String(areaCode ?? DEFAULT_AREA_CODE));
  }
  const number = newNumber(state, body, e164, provider === 'telnyx' ? 'retell-telnyx' : 'retell-twilio');
  if (!tollFree) number.area_code = Number(e164.slice(2, 5));
  state.numbers.push(number);
  changes.put('numbers', number);
  return { status: 201, body: number };
}

/**
 * `POST /import-phone-number`: a number of the customer's own telephony, reached over the SIP trunk
 * named by `termination_uri`. The record keeps the trunk and the username (never the password,
 * which Retell does not send back either), so the import's source stays visible.
 */
function importNumber(request: FakeRequest, state: RetellState, changes: Changes<RetellState>): FakeResponse {
  const body = request.body;
  if (!isRecord(body)) refuse(400, 'Invalid request format, please check API reference.');
  rejectRemovedFields(body);
  const e164 = body.phone_number;
  const terminationUri = body.termination_uri;
  if (typeof e164 !== 'string' || e164.length === 0) refuse(400, 'phone_number is required');
  if (typeof terminationUri !== 'string' || terminationUri.length === 0) refuse(400, 'termination_uri is required');
  const skipE164Check = body.ignore_e164_validation ?? true;
  if (typeof skipE164Check !== 'boolean') refuse(400, 'ignore_e164_validation must be a boolean literal');
  if (!skipE164Check && !/^\+[1-9]\d{6,14}$/.test(e164)) refuse(400, 'phone_number must be in E.164 format');
  const username = optionalString(body, 'sip_trunk_auth_username');
  optionalString(body, 'sip_trunk_auth_password');
  const transport = body.transport ?? 'TCP';
  if (transport !== 'TCP' && transport !== 'UDP' && transport !== 'TLS') refuse(400, 'transport must be one of: TLS, TCP, UDP');
  if (state.numbers.some((number) => number.phone_number === e164)) refuse(400, `Phone number ${e164} already exists.`);
  const number = newNumber(state, body, e164, 'custom');
  number.sip_outbound_trunk_config = { termination_uri: terminationUri, ...(username === undefined ? {} : { auth_username: username }), transport };
  state.numbers.push(number);
  changes.put('numbers', number);
  return { status: 201, body: number };
}

/** `DELETE /delete-phone-number/{number}`: 204 without a body. */
function deleteNumber(request: FakeRequest, state: RetellState, changes: Changes<RetellState>): FakeResponse {
  const number = findNumber(state, request.params.number ?? '');
  state.numbers.splice(state.numbers.indexOf(number), 1);
  changes.remove('numbers', number);
  return { status: 204 };
}

// ---------------------------------------------------------------------------------------------
// Agents

function findAgent(state: RetellState, agentId: string): RetellAgent {
  const agent = state.agents.find((entry) => entry.agent_id === agentId);
  if (!agent) refuse(422, `Cannot find agent ${agentId} under given api key.`);
  return agent;
}

/** `POST /v2/list-agents`: one entry per agent, voice and chat together, optionally filtered. */
function listAgents(request: FakeRequest, state: RetellState): FakeResponse {
  const query = pageQuery(request.query);
  const matches = agentFilter(request.body);
  const agents = state.agents.filter(matches);
  const result = page(agents, (agent) => agent.agent_id, query);
  return {
    status: 200,
    body: {
      ...result,
      items: result.items.map((agent) => ({ agent_id: agent.agent_id, agent_name: agent.agent_name, channel: agent.channel, tags: agent.tags, user_modified_timestamp: agent.user_modified_timestamp })),
    },
  };
}

function agentFilter(body: unknown): (agent: RetellAgent) => boolean {
  if (body === undefined) return () => true;
  if (!isRecord(body)) refuse(400, 'Invalid request format, please check API reference.');
  const criteria = body.filter_criteria;
  if (criteria === undefined || criteria === null) return () => true;
  if (!isRecord(criteria)) refuse(400, 'filter_criteria must be an object');
  const tests: ((agent: RetellAgent) => boolean)[] = [];
  if (criteria.channel !== undefined) tests.push(channelTest(criteria.channel));
  if (criteria.query !== undefined) {
    if (typeof criteria.query !== 'string') refuse(400, 'filter_criteria.query must be a string');
    const needle = criteria.query.toLowerCase();
    tests.push((agent) => (agent.agent_name ?? '').toLowerCase().includes(needle) || agent.agent_id.includes(criteria.query as string));
  }
  return (agent) => tests.every((test) => test(agent));
}

function channelTest(filter: unknown): (agent: RetellAgent) => boolean {
  const ops: Record<string, (a: string, b: string) => boolean> = {
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    sw: (a, b) => a.startsWith(b),
    ew: (a, b) => a.endsWith(b),
    co: (a, b) => a.includes(b),
  };
  if (!isRecord(filter) || filter.type !== 'string' || typeof filter.op !== 'string' || !(filter.op in ops) || (filter.value !== 'voice' && filter.value !== 'chat')) {
    refuse(400, 'filter_criteria.channel must be {type: "string", op: eq|ne|sw|ew|co, value: "voice"|"chat"}');
  }
  const op = ops[filter.op]!;
  const value = filter.value;
  return (agent) => op(agent.channel, value);
}

function listAgentVersions(request: FakeRequest, state: RetellState): FakeResponse {
  const agent = findAgent(state, request.params.agent_id ?? '');
  const query = pageQuery(request.query);
  return { status: 200, body: page(agent.versions, (version) => String(version.version), query) };
}

// ---------------------------------------------------------------------------------------------
// Auth and assembly

/** Retell wants `Authorization: Bearer <key>`; a raw key or another scheme is a 401 like a wrong key. */
function authorize(request: FakeRequest): FakeResponse | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header.trim()) : null;
  if (match?.[1] === SANDBOX_KEYS.retell) return null;
  return fail(401, 'API key is missing or invalid.');
}

export function createRetellFake(): FakeProvider<RetellState> {
  const routes: Route<RetellState>[] = [
    { method: 'GET', path: '/v2/list-phone-numbers', handler: guarded(listNumbers) },
    { method: 'GET', path: '/get-phone-number/:number', handler: guarded(getNumber) },
    { method: 'PATCH', path: '/update-phone-number/:number', handler: guarded(updateNumber) },
    { method: 'POST', path: '/create-phone-number', handler: guarded(createNumber) },
    { method: 'POST', path: '/import-phone-number', handler: guarded(importNumber) },
    { method: 'DELETE', path: '/delete-phone-number/:number', handler: guarded(deleteNumber) },
    { method: 'POST', path: '/v2/list-agents', handler: guarded(listAgents), readOnly: true },
    { method: 'GET', path: '/list-agent-versions/:agent_id', handler: guarded(listAgentVersions) },
    ...REMOVED_ENDPOINTS.map(
      (removed): Route<RetellState> => ({
        method: removed.method,
        path: removed.path,
        handler: () => fail(404, `${removed.method} ${removed.path.replace(/\/:.*$/, '/{id}')} has been removed; use ${removed.successor}`),
      }),
    ),
  ];
  return { name: 'retell', routes, authorize, errorBody };
}
