import type Database from 'better-sqlite3';
import type { ProviderName, Slot } from '../domain/model.js';
import type { KnownAgent } from '../domain/rules.js';
import { SLOTS } from '../domain/model.js';
import { SORT_FIELDS } from './record-fields.js';
import { offeredSlots } from '../domain/capabilities.js';
import { CARRIER, perProvider, providersWithSlot } from '../providers/registry.js';

/** An agent in a slot, with what the cache knows of it. */
export interface CachedSlotAgent {
  agentId: string;
  /** null when the agent is not (or no longer) in the cache. */
  name: string | null;
  kind: string | null;
  live: boolean | null;
  weight: number;
  version: string | null;
}

/** The carrier's record (Twilio) of a number a platform imported. */
export interface CarrierFacts {
  provider: ProviderName;
  providerId: string;
  label: string | null;
  region: string | null;
  status: string | null;
  capabilities: { voice: boolean | null; sms: boolean | null };
  /** The carrier record's voice webhook: null when it has none, undefined when not read yet. */
  voiceUrl?: string | null;
}

/** One number as the cache knows it, with its carrier's facts joined in. */
export interface NumberRow {
  rowId: number;
  e164: string;
  provider: ProviderName;
  providerId: string;
  label: string | null;
  /** Upstream status; `removed` when it vanished at the last sync. */
  status: string | null;
  removed: boolean;
  needsAttention: string | null;
  /** The record's own capabilities, else the carrier's. */
  capabilities: { voice: boolean | null; sms: boolean | null };
  /** The record's own region (Twilio), else the carrier's. */
  region: string | null;
  fallback: string | null;
  origin: string | null;
  /** A carrier record's own voice webhook: null when it has none, undefined when unknown (see migration 10). */
  voiceUrl?: string | null;
  syncedAt: string;
  firstSeenAt: string;
  carrier: CarrierFacts | null;
  slots: Record<Slot, CachedSlotAgent[]>;
}

export { SORT_FIELDS };
export type SortField = (typeof SORT_FIELDS)[number];

export interface NumberFilter {
  providers?: ProviderName[];
  /** Numbers holding any of these agents in any slot. */
  agents?: { provider: ProviderName; agentId: string }[];
  /** Numbers with nothing in this slot (`any`: nothing in any slot); only providers that have the slot. */
  unassigned?: Slot | 'any';
  /** An upstream status, or `removed` / `needs-attention`. */
  status?: string;
  region?: string;
  search?: string;
  sort?: SortField;
  /** The sort order reversed. */
  reverse?: boolean;
  limit?: number;
  /** Only these E.164 numbers. */
  e164?: string[];
  /**
   * Numbers by their lifecycle state, as lifecycleKey(e164, provider) keys: only those (`only`) or
   * all but those (`except`).
   */
  lifecycle?: { only?: readonly string[]; except?: readonly string[] };
}

/** The slots each provider really has (product.md §1), as its descriptor says. */
export const PROVIDER_SLOTS: Record<ProviderName, readonly Slot[]> = perProvider(offeredSlots);

/** The terms of each sort; `label` is the stored natural sort key, given by the query (see listClauses). */
const ORDER: Record<SortField, readonly string[]> = {
  e164: ['n.e164', 'n.provider'],
  provider: ['n.provider', 'n.e164'],
  label: ['<label key>', 'n.e164'],
  status: ['COALESCE(n.status, c.status)', 'n.e164'],
  region: ['COALESCE(n.region, c.region)', 'n.e164'],
};

/** The label sort key of a list that joins number_views as `v`, and of one that does not. */
const LABEL_KEY_JOINED = 'v.label_key';
const LABEL_KEY_LOOKUP = '(SELECT k.label_key FROM number_views k WHERE k.number_id = n.id)';

/** ORDER BY terms; reversed, every term descends, ties included, so the order is exactly reversed. */
function orderBy(filter: NumberFilter, labelKey: string): string {
  return ORDER[filter.sort ?? 'e164'].map((term) => `${term === '<label key>' ? labelKey : term}${filter.reverse ? ' DESC' : ''}`).join(', ');
}

const SELECT_ROWS = `
  SELECT n.id, n.provider, n.provider_id, n.e164, n.label, n.status, n.voice, n.sms, n.region, n.fallback, n.origin,
         n.synced_at, n.first_seen_at, n.removed_at, n.needs_attention,
         c.provider_id AS c_provider_id, c.label AS c_label, c.region AS c_region, c.status AS c_status, c.voice AS c_voice, c.sms AS c_sms,
         n.voice_url, c.voice_url AS c_voice_url
  FROM numbers n
  LEFT JOIN numbers c ON c.id = n.carrier_id`;

// Rows are the agent-provider records, plus Twilio records that no platform holds; the Twilio
// record of an imported number is joined in as its carrier.
const BASE_SELECT = `${SELECT_ROWS}
  WHERE n.held = 0`;

/** The WHERE, ORDER BY and LIMIT of a list, with its parameters; shared by rows and views. */
function listClauses(filter: NumberFilter, searchAgents: readonly string[], labelKey: string): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  // Terms that probe another table for each row (EXISTS, json_each) go last: SQLite tests the terms
  // in order, so a row the cheap ones (provider, text search) already rule out is never probed.
  const probes: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.providers?.length) {
    where.push(`n.provider IN (${filter.providers.map((_, i) => `@provider${i}`).join(', ')})`);
    filter.providers.forEach((provider, i) => (params[`provider${i}`] = provider));
  }
  if (filter.e164?.length) {
    where.push('n.e164 IN (SELECT value FROM json_each(@e164list))');
    params.e164list = JSON.stringify(filter.e164);
  }
  if (filter.status === 'removed') where.push('n.removed_at IS NOT NULL');
  else {
    where.push('n.removed_at IS NULL');
    if (filter.status === 'needs-attention') where.push('n.needs_attention IS NOT NULL');
    else if (filter.status) {
      where.push('lower(COALESCE(n.status, c.status)) = lower(@status)');
      params.status = filter.status;
    }
  }
  if (filter.lifecycle?.only) {
    probes.push("(n.e164 || ' ' || n.provider) IN (SELECT value FROM json_each(@lifecycleOnly))");
    params.lifecycleOnly = JSON.stringify(filter.lifecycle.only);
  }
  if (filter.lifecycle?.except?.length) {
    probes.push("(n.e164 || ' ' || n.provider) NOT IN (SELECT value FROM json_each(@lifecycleExcept))");
    params.lifecycleExcept = JSON.stringify(filter.lifecycle.except);
  }
  if (filter.region) {
    where.push('lower(COALESCE(n.region, c.region)) = lower(@region)');
    params.region = filter.region;
  }
  if (filter.agents) {
    if (filter.agents.length === 0) where.push('0');
    else {
      // A carrier agent (a Twilio SIP trunk) also holds the platform numbers whose carrier record it
      // answers: that record is no list row of its own, so the platform's row stands for it.
      const isCarrier = (agent: { provider: ProviderName }) => agent.provider === CARRIER?.name;
      const viaCarrier = filter.agents.some(isCarrier)
        ? ` OR EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.carrier_id AND a.agent_id IN (${filter.agents.flatMap((agent, i) => (isCarrier(agent) ? [`@aid${i}`] : [])).join(', ')}))`
        : '';
      probes.push(`(EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.id AND (${filter.agents.map((_, i) => `(n.provider = @ap${i} AND a.agent_id = @aid${i})`).join(' OR ')}))${viaCarrier})`);
      filter.agents.forEach((agent, i) => {
        params[`ap${i}`] = agent.provider;
        params[`aid${i}`] = agent.agentId;
      });
    }
  }
  if (filter.unassigned === 'any') {
    probes.push('NOT EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.id)');
  } else if (filter.unassigned) {
    const providers = providersWithSlot(filter.unassigned);
    where.push(`n.provider IN (${providers.map((p) => `'${p}'`).join(', ')})`);
    probes.push('NOT EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.id AND a.slot = @unassignedSlot)');
    params.unassignedSlot = filter.unassigned;
  }
  if (filter.search) {
    const text = filter.search.trim();
    const digits = text.replace(/[^\d]/g, '');
    const numberLike = digits.length >= 3 && /^[\d\s()+.-]+$/.test(text);
    params.search = `%${escapeLike(text)}%`;
    params.searchDigits = `%${digits}%`;
    const byAgent = searchAgents.length ? ` OR EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.id AND a.agent_id IN (SELECT value FROM json_each(@searchAgents)))` : '';
    params.searchAgents = JSON.stringify(searchAgents);
    where.push(`(${numberLike ? "n.e164 LIKE @searchDigits ESCAPE '\\' OR " : ''}n.e164 LIKE @search ESCAPE '\\' OR n.label LIKE @search ESCAPE '\\' OR c.label LIKE @search ESCAPE '\\'${byAgent})`);
  }
  where.push(...probes);
  const sql = `${where.length ? ` AND ${where.join(' AND ')}` : ''} ORDER BY ${orderBy(filter, labelKey)}${filter.limit !== undefined ? ' LIMIT @limit' : ''}`;
  if (filter.limit !== undefined) params.limit = filter.limit;
  return { sql, params };
}

/**
 * Agents whose name (or id) a search matches, found in the small agents table first, so each row
 * is then one indexed probe of its assignments instead of a join per row.
 */
function agentsMatching(db: Database.Database, filter: NumberFilter): string[] {
  if (!filter.search) return [];
  const text = filter.search.trim();
  return db.prepare("SELECT DISTINCT agent_id FROM agents WHERE name LIKE ? ESCAPE '\\' OR agent_id = ?").pluck().all(`%${escapeLike(text)}%`, text) as string[];
}

export function listNumbers(db: Database.Database, filter: NumberFilter = {}): NumberRow[] {
  const { sql, params } = listClauses(filter, agentsMatching(db, filter), LABEL_KEY_LOOKUP);
  return withSlots(db, db.prepare(`${BASE_SELECT}${sql}`).raw().all(params) as RawTuple[]);
}

/** The stored list records of a list: JSON text (`view`) or tab-separated cells (`cells`). */
export function listViews(db: Database.Database, filter: NumberFilter = {}, column: 'view' | 'cells' = 'view'): string[] {
  const { sql, params } = listClauses(filter, agentsMatching(db, filter), LABEL_KEY_JOINED);
  return db.prepare(`SELECT v.${column} FROM numbers n LEFT JOIN numbers c ON c.id = n.carrier_id JOIN number_views v ON v.number_id = n.id WHERE n.held = 0${sql}`).pluck().all(params) as string[];
}

/**
 * The same records one by one, for printing them as they come (the connection is busy until the
 * iteration ends): a 10,000-row list is never held whole.
 */
export function iterateViews(db: Database.Database, filter: NumberFilter = {}, column: 'view' | 'cells' = 'view'): IterableIterator<string> {
  const { sql, params } = listClauses(filter, agentsMatching(db, filter), LABEL_KEY_JOINED);
  return db.prepare(`SELECT v.${column} FROM numbers n LEFT JOIN numbers c ON c.id = n.carrier_id JOIN number_views v ON v.number_id = n.id WHERE n.held = 0${sql}`).pluck().iterate(params) as IterableIterator<string>;
}

/**
 * Some fields of each stored list record, picked out by SQLite (JSON paths such as `$.label`), one
 * array a record: a field holding an object or array comes as its JSON text, which repeats across
 * records (the same agents) where a whole record never does. For a reader that needs a few fields of
 * 10,000 records, this skips parsing the rest of each in JavaScript. The rows come one by one (the
 * connection is busy until the iteration ends), so a reader that turns each into output keeps none.
 */
export function listViewFields(db: Database.Database, filter: NumberFilter, paths: readonly string[]): IterableIterator<unknown[]> {
  for (const path of paths) if (!/^\$(?:\.[A-Za-z0-9_]+)+$/.test(path)) throw new Error(`listViewFields: not a plain JSON path: ${path}`);
  const { sql, params } = listClauses(filter, agentsMatching(db, filter), LABEL_KEY_JOINED);
  const columns = paths.map((path) => `json_extract(v.view, '${path}')`).join(', ');
  return db.prepare(`SELECT ${columns} FROM numbers n LEFT JOIN numbers c ON c.id = n.carrier_id JOIN number_views v ON v.number_id = n.id WHERE n.held = 0${sql}`).raw().iterate(params) as IterableIterator<unknown[]>;
}

/** Rows by id (every row when no ids), held and removed ones included: for refreshing views. */
export function rowsById(db: Database.Database, ids?: readonly number[]): NumberRow[] {
  if (ids) return ids.length ? withSlots(db, db.prepare(`${SELECT_ROWS} WHERE n.id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(ids)) as RawTuple[]) : [];
  return withSlots(db, db.prepare(SELECT_ROWS).raw().all() as RawTuple[]);
}



/**
 * Every record of a provider that holds this agent in some slot, removed ones aside and Twilio
 * records carried for a platform included (a SIP trunk answers those): what `agents list` counts.
 */
export function numbersHoldingAgent(db: Database.Database, provider: ProviderName, agentId: string): NumberRow[] {
  const ids = db
    .prepare('SELECT DISTINCT a.number_id FROM assignments a JOIN numbers n ON n.id = a.number_id WHERE n.provider = ? AND a.agent_id = ? AND n.removed_at IS NULL ORDER BY n.e164')
    .pluck()
    .all(provider, agentId) as number[];
  return rowsById(db, ids).sort((a, b) => a.e164.localeCompare(b.e164));
}

/** The columns of SELECT_ROWS, in order: rows are read as arrays, much cheaper than objects. */
type RawTuple = [number, ProviderName, string, string, string | null, string | null, number | null, number | null, string | null, string | null, string | null, string, string, string | null, string | null, string | null, string | null, string | null, string | null, number | null, number | null, string | null, string | null];

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function bool(value: number | null): boolean | null {
  return value === null ? null : value === 1;
}

/** Above this many rows one ordered scan of every assignment beats looking each number up. */
const SCAN_ALL_ABOVE = 2000;

/** Turn raw rows into NumberRows with their slots; agent names come from one small read of agents. */
function withSlots(db: Database.Database, tuples: RawTuple[]): NumberRow[] {
  if (tuples.length === 0) return [];
  const rows = new Map<number, NumberRow>();
  for (const tuple of tuples) rows.set(tuple[0], toNumberRow(tuple));
  const agents = new Map<string, { name: string; kind: string; live: boolean | null }>();
  for (const [provider, id, name, kind, live] of db.prepare('SELECT provider, agent_id, name, kind, live FROM agents').raw().all() as [string, string, string, string, number | null][]) {
    agents.set(`${provider}\u0000${id}`, { name, kind, live: bool(live) });
  }
  const assignments = (
    tuples.length > SCAN_ALL_ABOVE
      ? db.prepare('SELECT number_id, slot, agent_id, weight, version FROM assignments ORDER BY number_id, slot, position').raw().all()
      : db.prepare('SELECT number_id, slot, agent_id, weight, version FROM assignments WHERE number_id IN (SELECT value FROM json_each(?)) ORDER BY number_id, slot, position').raw().all(JSON.stringify([...rows.keys()]))
  ) as [number, Slot, string, number, string | null][];
  for (const [numberId, slot, agentId, weight, version] of assignments) {
    const row = rows.get(numberId);
    if (!row) continue;
    const agent = agents.get(`${row.provider}\u0000${agentId}`);
    row.slots[slot].push({ agentId, name: agent?.name ?? null, kind: agent?.kind ?? null, live: agent?.live ?? null, weight, version });
  }
  return [...rows.values()];
}

/** '' is "none" and NULL "unknown"; the field is left out when unknown so rows read as before. */
function voiceUrlField(stored: string | null): { voiceUrl?: string | null } {
  return stored === null ? {} : { voiceUrl: stored === '' ? null : stored };
}

function toNumberRow(t: RawTuple): NumberRow {
  const carrier: CarrierFacts | null =
    t[15] === null || !CARRIER ? null : { provider: CARRIER.name, providerId: t[15], label: t[16], region: t[17], status: t[18], capabilities: { voice: bool(t[19]), sms: bool(t[20]) }, ...voiceUrlField(t[22]) };
  const removed = t[13] !== null;
  return {
    rowId: t[0],
    e164: t[3],
    provider: t[1],
    providerId: t[2],
    label: t[4],
    status: removed ? 'removed' : t[5],
    removed,
    needsAttention: t[14],
    capabilities: { voice: bool(t[6]) ?? carrier?.capabilities.voice ?? null, sms: bool(t[7]) ?? carrier?.capabilities.sms ?? null },
    region: t[8] ?? carrier?.region ?? null,
    fallback: t[9],
    origin: t[10],
    ...voiceUrlField(t[21]),
    syncedAt: t[11],
    firstSeenAt: t[12],
    carrier,
    slots: { inbound: [], outbound: [], sms: [] },
  };
}

/** Every record of one E.164 (removed ones too), agent-provider records first. */
export function findNumbers(db: Database.Database, e164: string): NumberRow[] {
  const active = listNumbers(db, { e164: [e164] });
  const removed = listNumbers(db, { e164: [e164], status: 'removed' });
  const rows = [...active, ...removed];
  // A carrier (Twilio) record that carries an imported number is not a row of its own in lists, but `show` wants it.
  const carrier = CARRIER?.name;
  if (carrier && !rows.some((row) => row.provider === carrier)) {
    const carriers = db.prepare('SELECT id FROM numbers WHERE provider = ? AND e164 = ?').all(carrier, e164) as { id: number }[];
    if (carriers.length) {
      rows.push(...withSlots(db, db.prepare(`${SELECT_ROWS} WHERE n.id IN (SELECT value FROM json_each(?))`).raw().all(JSON.stringify(carriers.map((c) => c.id))) as RawTuple[]));
    }
  }
  return rows;
}

/** An agent as the cache knows it, with how many numbers it holds per slot. */
export interface AgentRow extends KnownAgent {
  numbers: Record<Slot, number>;
}

/** The agents the cache knows, without the per-slot counts of listAgents (a scan of every assignment). */
export function knownAgents(db: Database.Database, filter: { providers?: ProviderName[]; includeRemoved?: boolean } = {}): KnownAgent[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!filter.includeRemoved) where.push('removed_at IS NULL');
  if (filter.providers?.length) {
    where.push(`provider IN (${filter.providers.map(() => '?').join(', ')})`);
    params.push(...filter.providers);
  }
  const agents = db
    .prepare(`SELECT provider, agent_id, name, kind, live, removed_at FROM agents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY provider, name COLLATE NOCASE, agent_id`)
    .all(...params) as { provider: ProviderName; agent_id: string; name: string; kind: string; live: number | null; removed_at: string | null }[];
  return agents.map((agent) => ({ provider: agent.provider, id: agent.agent_id, name: agent.name, kind: agent.kind, live: bool(agent.live), removed: agent.removed_at !== null }));
}

export function listAgents(db: Database.Database, filter: { providers?: ProviderName[]; includeRemoved?: boolean } = {}): AgentRow[] {
  const agents = knownAgents(db, filter);
  const counts = db
    .prepare(
      `SELECT n.provider, a.agent_id, a.slot, COUNT(DISTINCT a.number_id) AS count
       FROM assignments a JOIN numbers n ON n.id = a.number_id AND n.removed_at IS NULL
       GROUP BY n.provider, a.agent_id, a.slot`,
    )
    .all() as { provider: string; agent_id: string; slot: Slot; count: number }[];
  const byAgent = new Map<string, Record<Slot, number>>();
  for (const row of counts) {
    const key = `${row.provider}\u0000${row.agent_id}`;
    const entry = byAgent.get(key) ?? { inbound: 0, outbound: 0, sms: 0 };
    entry[row.slot] = row.count;
    byAgent.set(key, entry);
  }
  return agents.map((agent) => ({ ...agent, numbers: byAgent.get(`${agent.provider}\u0000${agent.id}`) ?? Object.fromEntries(SLOTS.map((slot) => [slot, 0])) as Record<Slot, number> }));
}

export interface SyncStateRow {
  provider: ProviderName;
  syncedAt: string;
  numbers: number;
  agents: number;
  skipped: number;
}

export function syncStates(db: Database.Database): SyncStateRow[] {
  return (db.prepare('SELECT provider, synced_at, numbers, agents, skipped FROM sync_state ORDER BY provider').all() as { provider: ProviderName; synced_at: string; numbers: number; agents: number; skipped: number }[]).map((row) => ({
    provider: row.provider,
    syncedAt: row.synced_at,
    numbers: row.numbers,
    agents: row.agents,
    skipped: row.skipped,
  }));
}

export function countRemoved(db: Database.Database): number {
  return (db.prepare('SELECT COUNT(*) AS count FROM numbers WHERE removed_at IS NOT NULL').get() as { count: number }).count;
}

/** The statuses or regions the cache's numbers hold, lower case: values a list filter can match. */
export function heldValues(db: Database.Database, column: 'status' | 'region'): string[] {
  return db.prepare(`SELECT DISTINCT lower(${column}) FROM numbers WHERE ${column} IS NOT NULL ORDER BY 1`).pluck().all() as string[];
}
