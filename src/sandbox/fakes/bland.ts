import { randomUUID } from 'node:crypto';
import { SANDBOX_KEYS } from '../credentials.js';
import type { Changes, FakeProvider, FakeRequest, FakeResponse, Route } from '../fake-server.js';
import type { SeedPlan } from '../seed.js';
import type { CarrierLink } from './twilio.js';
import { recordByNumber } from './record-by-number.js';

/**
 * A fake Bland AI (api.bland.ai). Bland has no published OpenAPI file; the wire format follows the
 * doc pages at docs.bland.ai. Two error shapes coexist there: the older v1 endpoints answer
 * `{ status: "error", message }`, the v2, persona and SMS endpoints `{ data: null, errors: [...] }`.
 *
 * Three models decide what answers a number: a pathway written on the number (`pathway_id`), a v1
 * persona the number is attached to, and a v2 agent, which attaches numbers through a persona Bland
 * creates for it on the first attach. A number record only carries `persona_id`; which v2 agent owns
 * that persona is learned from `GET /v2/agents/{id}/inbound`.
 */

export interface BlandNumberRecord {
  phone_number: string;
  created_at: string;
  label: string | null;
  prompt: string | null;
  first_sentence: string | null;
  voice_id: number | null;
  webhook: string | null;
  dynamic_data: unknown;
  interruption_threshold: number | null;
  reduce_latency: boolean;
  transfer_phone_number: string | null;
  voice_settings: unknown;
  record: boolean;
  max_duration: number;
  pathway_id: string | null;
  persona_id: string | null;
  persona_settings: { pathway_id?: string; pathway_version?: number; start_node_id?: string } | null;
}

export interface BlandEnvironment {
  id: string;
  env_type: 'dev' | 'staging' | 'production';
  current_version_id: string | null;
}

export interface BlandAgentRecord {
  id: string;
  org_id: string;
  name: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  environments: BlandEnvironment[];
  /** Saved versions; attach needs at least one. Not sent on the wire. */
  version_ids: string[];
}

export interface BlandPersonaRecord {
  id: string;
  name: string;
  user_id: string;
  current_production_version_id: string | null;
  current_draft_version_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** The v2 agent this persona was created for; null for a persona made in the v1 API. Not sent on the wire. */
  agent_id: string | null;
}

export interface BlandPathwayRecord {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
}

export interface BlandSmsConfig {
  webhook: string | null;
  request_data: unknown;
  time_out: number | null;
  messaging_service_sid: string | null;
  objective: string | null;
  tools: unknown[];
  temperature: number;
  pathway_id: string | null;
  pathway_version: string | null;
  start_node_id: string | null;
}

export interface BlandSmsNumber {
  phone_number: string;
  sms_config: BlandSmsConfig;
  conversation_count: number;
}

/** A customer Twilio account connected through BYOT; its numbers came in through `/v1/inbound/insert`. */
export interface BlandTwilioAccount {
  account_sid: string;
  encrypted_key: string;
  /** Keys minted again for the same account (`POST /v1/accounts`); each still opens it. */
  other_keys?: string[];
  /** The account's numbers brought in with `/v1/inbound/insert`: the BYO marker of a number. */
  numbers: string[];
}

export interface BlandState {
  orgId: string;
  /** SMS is an Enterprise feature; without it the `/v1/sms/...` endpoints refuse. */
  smsEnabled: boolean;
  numbers: BlandNumberRecord[];
  agents: BlandAgentRecord[];
  personas: BlandPersonaRecord[];
  pathways: BlandPathwayRecord[];
  smsNumbers: BlandSmsNumber[];
  twilioAccounts: BlandTwilioAccount[];
}

/** `GET /v2/agents` clamps `limit` into this range (docs: default 100, min 1, max 500). */
export const BLAND_AGENT_LIST_DEFAULT = 100;
export const BLAND_AGENT_LIST_MAX = 500;

const SEED_TIME = '2025-09-01T12:00:00.000Z';

// ---------------------------------------------------------------------------------------------
// Seed

/** A persona id derived from its agent's id, so the seed stays deterministic. */
function seedPersonaId(agentId: string): string {
  return `5e1f0000${agentId.slice(8)}`;
}

function emptyNumber(e164: string, label: string | null, createdAt: string): BlandNumberRecord {
  return {
    phone_number: e164,
    created_at: createdAt,
    label,
    prompt: null,
    first_sentence: null,
    voice_id: null,
    webhook: null,
    dynamic_data: null,
    interruption_threshold: null,
    reduce_latency: true,
    transfer_phone_number: null,
    voice_settings: null,
    record: false,
    max_duration: 30,
    pathway_id: null,
    persona_id: null,
    persona_settings: null,
  };
}

function emptySmsConfig(): BlandSmsConfig {
  return {
    webhook: null,
    request_data: [],
    time_out: null,
    messaging_service_sid: null,
    objective: null,
    tools: [],
    temperature: 0,
    pathway_id: null,
    pathway_version: null,
    start_node_id: null,
  };
}

function seedAgent(id: string, name: string, live: boolean, orgId: string, index: number): BlandAgentRecord {
  const version = `${id.slice(0, 8)}-0000-4000-8000-00000000000${index % 10}`;
  const stamp = new Date(Date.parse(SEED_TIME) + index * 60_000).toISOString();
  return {
    id,
    org_id: orgId,
    name,
    created_by: null,
    created_at: stamp,
    updated_at: stamp,
    environments: [
      { id: `${id}-dev`, env_type: 'dev', current_version_id: null },
      { id: `${id}-staging`, env_type: 'staging', current_version_id: live ? version : null },
      { id: `${id}-production`, env_type: 'production', current_version_id: live ? version : null },
    ],
    version_ids: [version],
  };
}

export function blandStateFromSeed(plan: SeedPlan): BlandState {
  const orgId = '0a9d5c1e-7b3f-4c2a-9e8d-5b1a0c3f2e71';
  const state: BlandState = {
    orgId,
    smsEnabled: true,
    numbers: [],
    agents: [],
    personas: [],
    pathways: [],
    smsNumbers: [],
    twilioAccounts: [],
  };
  const kinds = new Map<string, string>();
  plan.agents
    .filter((agent) => agent.provider === 'bland')
    .forEach((agent, index) => {
      kinds.set(agent.id, agent.kind);
      if (agent.kind === 'pathway') {
        state.pathways.push({ id: agent.id, name: agent.name, description: null, created_at: SEED_TIME });
      } else {
        state.agents.push(seedAgent(agent.id, agent.name, agent.live, orgId, index));
      }
    });

  const imported: string[] = [];
  plan.numbers
    .filter((number) => number.provider === 'bland')
    .forEach((number, index) => {
      const record = emptyNumber(number.e164, number.label, new Date(Date.parse(SEED_TIME) + index * 3_600_000).toISOString());
      const holder = number.slots.inbound[0];
      if (holder && kinds.get(holder.agentId) === 'pathway') record.pathway_id = holder.agentId;
      if (holder && kinds.get(holder.agentId) === 'agent') record.persona_id = personaForAgent(state, holder.agentId, null, { id: seedPersonaId(holder.agentId), at: SEED_TIME }).id;
      record.transfer_phone_number = number.fallback;
      state.numbers.push(record);
      const sms = number.slots.sms[0];
      if (sms) state.smsNumbers.push({ phone_number: number.e164, sms_config: { ...emptySmsConfig(), pathway_id: sms.agentId }, conversation_count: 0 });
      if (number.importedFromTwilio) imported.push(number.e164);
    });
  if (imported.length > 0) {
    state.twilioAccounts.push({ account_sid: plan.twilioAccountSid, encrypted_key: `enc_${plan.twilioAccountSid.slice(2, 18)}`, numbers: imported });
  }
  return state;
}

/**
 * The persona a v2 agent attaches through, created on its first attach as Bland does. The seed
 * passes a derived id so the sandbox account is the same every time.
 */
function personaForAgent(state: BlandState, agentId: string, changes: Changes<BlandState> | null, seeded?: { id: string; at: string }): BlandPersonaRecord {
  const existing = state.personas.find((persona) => persona.agent_id === agentId);
  if (existing) return existing;
  const agent = state.agents.find((candidate) => candidate.id === agentId);
  const now = seeded?.at ?? new Date().toISOString();
  const persona: BlandPersonaRecord = {
    id: seeded?.id ?? randomUUID(),
    name: agent?.name ?? agentId,
    user_id: state.orgId,
    current_production_version_id: null,
    current_draft_version_id: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    agent_id: agentId,
  };
  state.personas.push(persona);
  changes?.put('personas', persona);
  return persona;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

type ErrorFamily = 'v1' | 'envelope';

/** The v2, persona and SMS endpoints wrap everything in `{ data, errors }`; the older v1 ones do not. */
function familyOf(path: string): ErrorFamily {
  return path.startsWith('/v2/') || path.startsWith('/v1/personas') || path.startsWith('/v1/sms') ? 'envelope' : 'v1';
}

function v1Error(status: number, message: string): FakeResponse {
  return { status, body: { status: 'error', message } };
}

function envelopeError(status: number, code: string, message: string): FakeResponse {
  return { status, body: { data: null, errors: [{ error: code, message }] } };
}

function envelope(data: unknown, status = 200): FakeResponse {
  return { status, body: { data, errors: null } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number from a path: `+` or `%2B` optional, US assumed without a country code. */
function numberFromPath(raw: string): string {
  const text = raw.trim();
  const digits = text.replace(/[^\d]/g, '');
  if (text.startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  return `+${digits}`;
}

function findNumber(state: BlandState, e164: string): BlandNumberRecord | undefined {
  return recordByNumber(state.numbers, e164);
}

function agentView(agent: BlandAgentRecord, withEnvironments: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...agent };
  delete wire.version_ids;
  if (!withEnvironments) delete wire.environments;
  return wire;
}

function personaView(state: BlandState, persona: BlandPersonaRecord): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...persona };
  delete wire.agent_id;
  const inbound = state.numbers
    .filter((number) => number.persona_id === persona.id)
    .map((number) => ({ phone_number: number.phone_number, label: number.label, persona_id: persona.id, persona_settings: number.persona_settings }));
  return { ...wire, inbound_numbers: inbound };
}

/** Bland's `inbound_numbers` body rule: a non-empty array of non-empty strings, trimmed. */
function inboundNumbersFrom(body: unknown): string[] | null {
  if (!isRecord(body) || !Array.isArray(body.inbound_numbers) || body.inbound_numbers.length === 0) return null;
  const out: string[] = [];
  for (const value of body.inbound_numbers) {
    if (typeof value !== 'string' || value.trim() === '') return null;
    out.push(value.trim());
  }
  return out;
}

/** Point numbers at a persona: whatever pathway or persona they had is replaced. */
function attachToPersona(persona: BlandPersonaRecord, numbers: BlandNumberRecord[], changes: Changes<BlandState>): void {
  for (const number of numbers) {
    number.persona_id = persona.id;
    number.persona_settings = null;
    number.pathway_id = null;
    changes.put('numbers', number);
  }
  persona.updated_at = new Date().toISOString();
  changes.put('personas', persona);
}

function detachFromPersona(state: BlandState, persona: BlandPersonaRecord, requested: string[], changes: Changes<BlandState>): number {
  let count = 0;
  for (const e164 of requested) {
    const number = findNumber(state, e164);
    if (number && number.persona_id === persona.id) {
      number.persona_id = null;
      number.persona_settings = null;
      changes.put('numbers', number);
      count++;
    }
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Handlers

function accountOfKey(state: BlandState, key: string): BlandTwilioAccount | undefined {
  return state.twilioAccounts.find((candidate) => candidate.encrypted_key === key || (candidate.other_keys ?? []).includes(key));
}

function listInbound(request: FakeRequest, state: BlandState): FakeResponse {
  const key = request.headers['encrypted_key'];
  if (typeof key === 'string') {
    const account = accountOfKey(state, key);
    if (!account) return v1Error(401, 'Invalid encrypted_key');
    return { status: 200, body: { inbound_numbers: state.numbers.filter((number) => account.numbers.includes(number.phone_number)) } };
  }
  return { status: 200, body: { inbound_numbers: state.numbers } };
}

function getInbound(request: FakeRequest, state: BlandState): FakeResponse {
  const number = findNumber(state, numberFromPath(request.params.phone ?? ''));
  if (!number) return v1Error(404, `Inbound number ${request.params.phone ?? ''} not found`);
  return { status: 200, body: number };
}

/** Legacy per-number config. Setting `pathway_id` clears the prompt-based agent fields, as documented. */
const PATHWAY_CLEARS = ['prompt', 'first_sentence', 'dynamic_data'] as const;
const WRITABLE_NUMBER_FIELDS = ['label', 'prompt', 'first_sentence', 'webhook', 'transfer_phone_number', 'record', 'max_duration', 'interruption_threshold', 'voice_id', 'reduce_latency'] as const;

function updateInbound(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const number = findNumber(state, numberFromPath(request.params.phone ?? ''));
  if (!number) return v1Error(404, `Inbound number ${request.params.phone ?? ''} not found`);
  const body = request.body;
  if (!isRecord(body)) return v1Error(400, 'Request body must be a JSON object');
  const known = [...WRITABLE_NUMBER_FIELDS, 'pathway_id'].filter((field) => field in body);
  if (known.length === 0) return v1Error(400, 'Missing required parameter: prompt (or pathway_id)');
  // Everything is checked before anything changes: a refused request leaves the number as it was.
  const pathwayId = body.pathway_id;
  if ('pathway_id' in body && pathwayId !== null && typeof pathwayId !== 'string') return v1Error(400, 'pathway_id must be a string or null');
  if (typeof pathwayId === 'string' && pathwayId !== '' && !state.pathways.some((pathway) => pathway.id === pathwayId)) {
    return v1Error(400, `Pathway ${pathwayId} not found`);
  }
  if ('label' in body && body.label !== null && typeof body.label !== 'string') return v1Error(400, 'label must be a string or null');
  if ('pathway_id' in body) {
    if (typeof pathwayId === 'string' && pathwayId !== '') {
      number.pathway_id = pathwayId;
      for (const field of PATHWAY_CLEARS) number[field] = null;
    } else {
      number.pathway_id = null;
    }
  }
  for (const field of WRITABLE_NUMBER_FIELDS) {
    if (field in body) (number as unknown as Record<string, unknown>)[field] = body[field];
  }
  changes.put('numbers', number);
  return { status: 200, body: { status: 'success', message: `Updated inbound number ${number.phone_number}`, data: number } };
}

/** The first free `+1 <area> 555-xxxx` number: the sandbox's stock of numbers for sale. */
function freeNumber(state: BlandState, area: string): string | null {
  for (let line = 0; line < 10_000; line++) {
    const candidate = `+1${area}555${String(line).padStart(4, '0')}`;
    if (!findNumber(state, candidate)) return candidate;
  }
  return null;
}

/**
 * `POST /v1/inbound/purchase`: the exact `phone_number` when it is free (no fallback to another),
 * else a number in `area_code` (default 415). Answers `{ phone_number }` as the docs show.
 */
function purchaseInbound(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const body = request.body ?? {};
  if (!isRecord(body)) return v1Error(400, 'Request body must be a JSON object');
  const country = body.country_code ?? 'US';
  if (country !== 'US' && country !== 'CA') return v1Error(400, 'country_code must be "US" or "CA"; for others, contact support');
  let e164: string;
  if (body.phone_number !== undefined) {
    if (typeof body.phone_number !== 'string' || !/^\+1[2-9]\d{9}$/.test(body.phone_number)) return v1Error(400, 'phone_number must be in the format +1XXXXXXXXXX');
    if (findNumber(state, body.phone_number)) return v1Error(400, `Phone number ${body.phone_number} is not available`);
    e164 = body.phone_number;
  } else {
    const area = body.area_code ?? '415';
    if (typeof area !== 'string' || !/^[2-9]\d{2}$/.test(area)) return v1Error(400, 'area_code must be a three-digit area code');
    const free = freeNumber(state, area);
    if (!free) return v1Error(400, `No numbers available in area code ${area}`);
    e164 = free;
  }
  const number = emptyNumber(e164, null, new Date().toISOString());
  state.numbers.push(number);
  changes.put('numbers', number);
  return { status: 200, body: { phone_number: e164 } };
}

/**
 * `POST /v1/accounts` (Create Encrypted Key): Bland checks the Twilio credentials and answers a new
 * key for the account. The sandbox's Twilio account is the one the sandbox token opens.
 */
function createEncryptedKey(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const body = request.body;
  if (!isRecord(body) || typeof body.account_sid !== 'string' || typeof body.auth_token !== 'string') return v1Error(400, 'account_sid and auth_token are required');
  if (!/^AC[0-9a-f]{32}$/.test(body.account_sid) || body.auth_token !== SANDBOX_KEYS.twilioAuthToken) return v1Error(400, 'Invalid Twilio credentials');
  const key = `enc_${randomUUID().replace(/-/g, '')}`;
  let account = state.twilioAccounts.find((candidate) => candidate.account_sid === body.account_sid);
  if (account) account.other_keys = [...(account.other_keys ?? []), key];
  else {
    account = { account_sid: body.account_sid, encrypted_key: key, numbers: [] };
    state.twilioAccounts.push(account);
  }
  changes.put('twilioAccounts', account);
  return { status: 200, body: { status: 'success', encrypted_key: key } };
}

/** The BYO account an `encrypted_key` header names, or Bland's refusal. */
function accountOfRequest(request: FakeRequest, state: BlandState): BlandTwilioAccount | FakeResponse {
  const key = request.headers['encrypted_key'];
  if (typeof key !== 'string' || key === '') return v1Error(400, 'Missing encrypted_key header');
  return accountOfKey(state, key) ?? v1Error(401, 'Invalid encrypted_key');
}

/** `POST /v1/inbound/insert`: numbers already on Bland or not E.164 are left out of `inserted`. */
function insertInbound(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const account = accountOfRequest(request, state);
  if (!('account_sid' in account)) return account;
  const body = request.body;
  if (!isRecord(body) || !Array.isArray(body.numbers) || body.numbers.length === 0) return v1Error(400, 'numbers must be a non-empty array of phone numbers');
  const inserted: string[] = [];
  for (const value of body.numbers) {
    if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value) || findNumber(state, value) || inserted.includes(value)) continue;
    const number = emptyNumber(value, null, new Date().toISOString());
    state.numbers.push(number);
    changes.put('numbers', number);
    inserted.push(value);
  }
  if (inserted.length === 0) return { status: 400, body: { status: 'error', message: 'None of the numbers could be inserted: they are already on Bland or not in E.164 format', inserted } };
  account.numbers.push(...inserted);
  changes.put('twilioAccounts', account);
  return { status: 200, body: { status: 'success', message: `Inserted ${inserted.length} of ${body.numbers.length} numbers`, inserted } };
}

/**
 * `POST /v1/inbound/{n}/delete`. Documented for numbers of a customer's own Twilio account, with
 * that account's `encrypted_key` required; a number Bland sold is deleted without one (the docs do
 * not say, see the adapter).
 */
function deleteInbound(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const e164 = numberFromPath(request.params.phone ?? '');
  const number = findNumber(state, e164);
  if (!number) return v1Error(404, `Inbound number ${request.params.phone ?? ''} not found`);
  const owner = state.twilioAccounts.find((account) => account.numbers.includes(e164));
  if (owner) {
    const account = accountOfRequest(request, state);
    if (!('account_sid' in account)) return account;
    if (account !== owner) return v1Error(403, `${e164} does not belong to the Twilio account of this encrypted_key`);
    owner.numbers.splice(owner.numbers.indexOf(e164), 1);
    changes.put('twilioAccounts', owner);
  }
  state.numbers.splice(state.numbers.indexOf(number), 1);
  changes.remove('numbers', number);
  const sms = state.smsNumbers.find((entry) => entry.phone_number === e164);
  if (sms) {
    state.smsNumbers.splice(state.smsNumbers.indexOf(sms), 1);
    changes.remove('smsNumbers', sms);
  }
  return { status: 200, body: { status: 'success', message: `Successfully deleted number from database: ${e164}` } };
}

function listPathways(_request: FakeRequest, state: BlandState): FakeResponse {
  return { status: 200, body: state.pathways };
}

function listAgents(request: FakeRequest, state: BlandState): FakeResponse {
  const asked = Number.parseInt(request.query.get('limit') ?? '', 10);
  const limit = Number.isNaN(asked) ? BLAND_AGENT_LIST_DEFAULT : Math.min(BLAND_AGENT_LIST_MAX, Math.max(1, asked));
  const newestFirst = [...state.agents].sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id));
  return envelope(newestFirst.slice(0, limit).map((agent) => agentView(agent, false)));
}

/** What Bland answers instead when a request names something it does not have or sends a bad body. */
class Refusal {
  constructor(readonly response: FakeResponse) {}
}

/** The agent the route names (`:id`), or Bland's 404. */
function agentOf(request: FakeRequest, state: BlandState): BlandAgentRecord | Refusal {
  const agent = state.agents.find((candidate) => candidate.id === request.params.id);
  return agent ?? new Refusal(envelopeError(404, 'AGENT_NOT_FOUND', `Agent ${request.params.id ?? ''} not found`));
}

/** The live persona the route names (`:id`), or Bland's 404. */
function personaOf(request: FakeRequest, state: BlandState): BlandPersonaRecord | Refusal {
  const persona = state.personas.find((candidate) => candidate.id === request.params.id && candidate.deleted_at === null);
  return persona ?? new Refusal(envelopeError(404, 'PERSONA_NOT_FOUND', `Persona ${request.params.id ?? ''} not found`));
}

/** The body's `inbound_numbers`; to attach them, every one must be a number on the account. */
function numbersOf(request: FakeRequest, state: BlandState, mustExist: boolean): string[] | Refusal {
  const requested = inboundNumbersFrom(request.body);
  if (!requested) return new Refusal(envelopeError(400, 'INVALID_BODY', 'inbound_numbers must be a non-empty array of non-empty strings'));
  const missing = mustExist ? requested.filter((e164) => !findNumber(state, e164)) : [];
  if (missing.length > 0) return new Refusal(envelopeError(400, 'INVALID_INBOUND_NUMBERS', `Not on your account: ${missing.join(', ')}`));
  return requested;
}

function getAgent(request: FakeRequest, state: BlandState): FakeResponse {
  const agent = agentOf(request, state);
  if (agent instanceof Refusal) return agent.response;
  return envelope(agentView(agent, true));
}

/** Documented: an unknown agent answers `persona_id: null`, not 404; the persona outlives its numbers. */
function getAgentBinding(request: FakeRequest, state: BlandState): FakeResponse {
  const persona = state.personas.find((candidate) => candidate.agent_id === request.params.id);
  return envelope({ agent_id: request.params.id, persona_id: persona?.id ?? null });
}

function attachToAgent(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const agent = agentOf(request, state);
  if (agent instanceof Refusal) return agent.response;
  const requested = numbersOf(request, state, true);
  if (requested instanceof Refusal) return requested.response;
  if (agent.version_ids.length === 0) return envelopeError(400, 'AGENT_HAS_NO_VERSION', 'The agent has no saved version to run');
  const persona = personaForAgent(state, agent.id, changes);
  attachToPersona(persona, requested.map((e164) => findNumber(state, e164)!), changes);
  return envelope({ agent_id: agent.id, persona_id: persona.id, attached_count: requested.length });
}

function detachFromAgent(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const agent = agentOf(request, state);
  if (agent instanceof Refusal) return agent.response;
  const requested = numbersOf(request, state, false);
  if (requested instanceof Refusal) return requested.response;
  const persona = state.personas.find((candidate) => candidate.agent_id === agent.id);
  const count = persona ? detachFromPersona(state, persona, requested, changes) : 0;
  return envelope({ agent_id: agent.id, detached_count: count });
}

function getPersona(request: FakeRequest, state: BlandState): FakeResponse {
  const persona = personaOf(request, state);
  if (persona instanceof Refusal) return persona.response;
  return envelope(personaView(state, persona));
}

/** Attach (or, with `attach` false, detach) the body's numbers to the persona the route names. */
function changePersonaNumbers(request: FakeRequest, state: BlandState, changes: Changes<BlandState>, attach: boolean): FakeResponse {
  const persona = personaOf(request, state);
  if (persona instanceof Refusal) return persona.response;
  const requested = numbersOf(request, state, attach);
  if (requested instanceof Refusal) return requested.response;
  if (attach) attachToPersona(persona, requested.map((e164) => findNumber(state, e164)!), changes);
  else detachFromPersona(state, persona, requested, changes);
  return envelope(personaView(state, persona));
}

const attachPersona = (request: FakeRequest, state: BlandState, changes: Changes<BlandState>) => changePersonaNumbers(request, state, changes, true);
const detachPersona = (request: FakeRequest, state: BlandState, changes: Changes<BlandState>) => changePersonaNumbers(request, state, changes, false);

function smsRefusal(state: BlandState): FakeResponse | null {
  return state.smsEnabled ? null : envelopeError(403, 'SMS_NOT_ENABLED', 'SMS is only available on Enterprise plans');
}

function listSmsNumbers(request: FakeRequest, state: BlandState): FakeResponse {
  const refused = smsRefusal(state);
  if (refused) return refused;
  const channel = request.query.get('channel') ?? 'sms';
  // WhatsApp and iMessage configurations are not modelled: the sandbox account has none.
  return envelope(channel === 'sms' ? state.smsNumbers : []);
}

const SMS_CONFIG_FIELDS = ['webhook', 'request_data', 'time_out', 'messaging_service_sid', 'objective', 'tools', 'temperature', 'pathway_id', 'pathway_version', 'start_node_id'] as const;

/** Creates the number's SMS config on first use and changes only the fields sent. */
function updateSmsNumber(request: FakeRequest, state: BlandState, changes: Changes<BlandState>): FakeResponse {
  const refused = smsRefusal(state);
  if (refused) return refused;
  const body = request.body;
  if (!isRecord(body) || typeof body.phone_number !== 'string' || body.phone_number.trim() === '') {
    return envelopeError(400, 'MISSING_PHONE_NUMBER', 'phone_number is required');
  }
  const e164 = numberFromPath(body.phone_number);
  if (!findNumber(state, e164)) return envelopeError(400, 'INVALID_PHONE_NUMBER', `${body.phone_number} does not belong to your account`);
  const pathwayId = body.pathway_id;
  if (pathwayId !== undefined && pathwayId !== null && typeof pathwayId !== 'string') return envelopeError(400, 'INVALID_BODY', 'pathway_id must be a string or null');
  if (typeof pathwayId === 'string' && pathwayId !== '' && !state.pathways.some((pathway) => pathway.id === pathwayId)) {
    return envelopeError(400, 'INVALID_PATHWAY_ID', `Pathway ${pathwayId} not found`);
  }
  let entry = state.smsNumbers.find((candidate) => candidate.phone_number === e164);
  if (!entry) {
    entry = { phone_number: e164, sms_config: emptySmsConfig(), conversation_count: 0 };
    state.smsNumbers.push(entry);
  }
  const config = entry.sms_config as unknown as Record<string, unknown>;
  for (const field of SMS_CONFIG_FIELDS) {
    if (field in body) config[field] = field === 'pathway_id' && body[field] === '' ? null : body[field];
  }
  changes.put('smsNumbers', entry);
  return envelope({ message: `SMS config updated for number ${e164}`, sms_config: entry.sms_config });
}

// ---------------------------------------------------------------------------------------------

/** With the carrier's fake linked, numbers inserted from a Twilio account get their voice webhook pointed at Bland, as Bland does. */
export function createBlandFake(carrier?: CarrierLink): FakeProvider<BlandState> {
  const routes: Route<BlandState>[] = [
    { method: 'GET', path: '/v1/inbound', handler: listInbound },
    { method: 'POST', path: '/v1/inbound/purchase', handler: purchaseInbound },
    { method: 'POST', path: '/v1/inbound/insert', handler: insertInbound },
    { method: 'POST', path: '/v1/inbound/:phone/delete', handler: deleteInbound },
    { method: 'POST', path: '/v1/accounts', handler: createEncryptedKey },
    { method: 'GET', path: '/v1/inbound/:phone', handler: getInbound },
    { method: 'POST', path: '/v1/inbound/:phone', handler: updateInbound },
    { method: 'GET', path: '/v1/pathway', handler: listPathways },
    { method: 'GET', path: '/v2/agents', handler: listAgents },
    { method: 'GET', path: '/v2/agents/:id', handler: getAgent },
    { method: 'GET', path: '/v2/agents/:id/inbound', handler: getAgentBinding },
    { method: 'POST', path: '/v2/agents/:id/inbound/attach', handler: attachToAgent },
    { method: 'POST', path: '/v2/agents/:id/inbound/detach', handler: detachFromAgent },
    { method: 'GET', path: '/v1/personas/:id', handler: getPersona },
    { method: 'POST', path: '/v1/personas/:id/inbound/attach', handler: attachPersona },
    { method: 'POST', path: '/v1/personas/:id/inbound/detach', handler: detachPersona },
    { method: 'GET', path: '/v1/sms/numbers', handler: listSmsNumbers },
    { method: 'POST', path: '/v1/sms/number/update', handler: updateSmsNumber },
  ];
  return {
    name: 'bland',
    routes,
    authorize(request) {
      // Bland wants the raw key in `authorization`; `Bearer <key>` is a different (wrong) key to it.
      const header = request.headers.authorization;
      if (header === SANDBOX_KEYS.bland) return null;
      const message = header === undefined ? 'Missing authorization header' : 'Invalid API key';
      return familyOf(request.path) === 'envelope' ? envelopeError(401, 'UNAUTHORIZED', message) : v1Error(401, message);
    },
    errorBody(status, message) {
      return { status: 'error', message };
    },
    afterWrite(request, response, state) {
      if (!carrier || request.method !== 'POST' || request.path !== '/v1/inbound/insert') return;
      const account = accountOfRequest(request, state);
      if (!('account_sid' in account)) return;
      for (const e164 of (response.body as { inserted?: string[] }).inserted ?? []) carrier.pointAtImporter(account.account_sid, e164, 'bland');
    },
  };
}
