import type Database from 'better-sqlite3';
import { SLOTS, type ProviderName, type Slot } from '../domain/model.js';
import type { KnownAgent } from '../domain/rules.js';
import { knownAgents } from './queries.js';
import { memoByText } from '../util/memo-by-text.js';

/**
 * The number records `doctor` judges, read as lean rows straight from the tables (no list views,
 * no agent names joined per slot). Each check asks for the few records that can be wrong in its
 * way: the WHERE clauses below run in SQLite's C over every number, and only their matches become
 * JavaScript objects. Reading all 10,000 records of a big fleet into objects, to find a handful of
 * problems among them, cost more than everything else doctor does.
 */
export interface FleetAgentRef {
  agentId: string;
  weight: number;
}

export interface FleetRecord {
  rowId: number;
  provider: ProviderName;
  providerId: string;
  e164: string;
  /** Upstream status (`removed` records keep theirs; see `removed`). */
  status: string | null;
  removed: boolean;
  needsAttention: string | null;
  /** The record's own capabilities, else its carrier record's. */
  capabilities: { readonly voice: boolean | null; readonly sms: boolean | null };
  /** The record's own region, else its carrier record's. */
  region: string | null;
  fallback: string | null;
  /** A carrier record's voice webhook: null when it has none, undefined when not read yet. */
  voiceUrl: string | null | undefined;
  /** The row id of the carrier record joined to a platform's record, else null. */
  carrierRowId: number | null;
  /** A live carrier record whose number a platform's live record also holds (so lists show the platform's). */
  held: boolean;
  slots: Record<Slot, readonly FleetAgentRef[]>;
}

/**
 * A record as the checks that may match thousands read it: which number, and its upstream status.
 * Their whole test is in the WHERE clause (but the status, compared as the check words it), so no
 * slots or other facts are read into objects.
 */
export type NumberRef = Pick<FleetRecord, 'e164' | 'provider' | 'status'>;

/** An agent as doctor reads it: what it is, and on which slots it holds a live number of its provider. */
export interface FleetAgent extends KnownAgent {
  /** Whether, not how many: counting every assignment costs a pass over all of them, asking stops at the first. */
  holds: Record<Slot, boolean>;
}

const NONE: readonly FleetAgentRef[] = Object.freeze([]);

/**
 * What a record without assignments holds, and the nine capability pairs: shared, frozen objects,
 * so the thousands of records a check may match allocate little more than one object each.
 */
const NO_SLOTS: Record<Slot, readonly FleetAgentRef[]> = Object.freeze({ inbound: NONE, outbound: NONE, sms: NONE });
const TRI = [null, false, true] as const;
const CAPABILITY_PAIRS = TRI.map((voice) => TRI.map((sms) => Object.freeze({ voice, sms })));
const pair = (voice: number | null, sms: number | null) => CAPABILITY_PAIRS[voice === null ? 0 : voice === 1 ? 2 : 1]![sms === null ? 0 : sms === 1 ? 2 : 1]!;

type Tuple = [number, ProviderName, string, string, string | null, number, number | null, number | null, string | null, string | null, string | null, string | null, number | null, number | null];

/*
 * The SQL below names the record `n` and binds @carrier: the carrier's provider name, or '' when the
 * registry has no carrier (no provider is named '', so every carrier test is then false). SQLite
 * tests a WHERE clause's terms in the order written: each clause puts its selective, cheap terms
 * first and ROW (an index lookup per carrier record) last.
 */
const LIVE = 'n.removed_at IS NULL';
/** A live carrier record a platform's live record also holds: the carrier side of an imported number. */
const HELD = `(n.provider = @carrier AND ${LIVE} AND EXISTS (SELECT 1 FROM numbers p WHERE p.e164 = n.e164 AND p.provider != @carrier AND p.removed_at IS NULL))`;
/** The rows of `numbers list`: live records, less the carrier's records a platform holds. */
const ROW = `(${LIVE} AND NOT ${HELD})`;
const CARRIER = `(n.provider = @carrier AND ${LIVE})`;
const PLATFORM = `(n.provider != @carrier AND ${LIVE})`;
/** The record's first agent on a slot (its agent id), by position, as `slots[slot][0]` reads it. */
const firstAgent = (record: string, slot: Slot) => `(SELECT a.agent_id FROM assignments a WHERE a.number_id = ${record}.id AND a.slot = '${slot}' ORDER BY a.position LIMIT 1)`;
const hasAgentOn = (slots: readonly Slot[]) => `EXISTS (SELECT 1 FROM assignments a WHERE a.number_id = n.id AND a.slot IN (${slots.map((slot) => `'${slot}'`).join(', ')}))`;
/**
 * COALESCE(n.<capability>, c.<capability>) = 0 (the record, else its carrier record, says it cannot)
 * without joining every record to its carrier record: the carrier records that cannot are few.
 */
const cannot = (capability: 'voice' | 'sms') => `(n.${capability} = 0 OR (n.${capability} IS NULL AND n.carrier_id IN (SELECT id FROM numbers WHERE ${capability} = 0)))`;
/** The record can (or may: nothing says it cannot) carry this: its own capability, else its carrier record's, is not 0. */
const may = (capability: 'voice' | 'sms') => `COALESCE(n.${capability}, (SELECT c.${capability} FROM numbers c WHERE c.id = n.carrier_id)) IS NOT 0`;
/** The assignment `a` is its number's first on the inbound slot (the agent its calls go to). */
const FIRST_INBOUND = "NOT EXISTS (SELECT 1 FROM assignments b WHERE b.number_id = a.number_id AND b.slot = 'inbound' AND b.position < a.position)";

/** The numbers held by an agent matching `agentTest` (SQL over `g`): through the agents' index, not a scan of every number. */
const heldByAgents = (agentTest: string) => `n.id IN (SELECT a.number_id FROM agents g JOIN assignments a ON a.agent_id = g.agent_id WHERE ${agentTest})`;

// Own facts first, the carrier record's where the platform's record does not say (as lists show them).
const SELECT_RECORDS = `SELECT n.id, n.provider, n.provider_id, n.e164, n.status, n.removed_at IS NOT NULL,
  COALESCE(n.voice, c.voice), COALESCE(n.sms, c.sms), COALESCE(n.region, c.region), n.fallback, n.needs_attention, n.voice_url, n.carrier_id, ${HELD}
  FROM numbers n LEFT JOIN numbers c ON c.id = n.carrier_id`;

/** One string object per distinct value of a column that repeats (provider, status, region, voice URL). */
function interner(): (value: string | null) => string | null {
  const intern = memoByText((value) => value);
  return (value) => (value === null ? null : intern(value));
}

interface RecordQuery {
  where: string;
  params?: Record<string, unknown>;
  /** Row-id order unless said. */
  order?: string;
}

/** The records a query matches, each with its slots. */
function readRecords(db: Database.Database, carrier: string, { where, params = {}, order = 'n.id' }: RecordQuery): FleetRecord[] {
  // By row id in a plain array (row ids are small integers): cheaper than a Map.
  const byId: FleetRecord[] = [];
  const records: FleetRecord[] = [];
  const shared = interner();
  for (const t of db.prepare(`${SELECT_RECORDS} WHERE ${where} ORDER BY ${order}`).raw().iterate({ carrier, ...params }) as IterableIterator<Tuple>) {
    const voiceUrl = shared(t[11]);
    const record: FleetRecord = {
      rowId: t[0],
      provider: shared(t[1]) as ProviderName,
      providerId: t[2],
      e164: t[3],
      status: shared(t[4]),
      removed: t[5] === 1,
      needsAttention: t[10],
      capabilities: pair(t[6], t[7]),
      region: shared(t[8]),
      fallback: t[9],
      voiceUrl: voiceUrl === null ? undefined : voiceUrl === '' ? null : voiceUrl,
      carrierRowId: t[12],
      held: t[13] === 1,
      slots: NO_SLOTS,
    };
    records.push(record);
    byId[record.rowId] = record;
  }
  if (records.length) fillSlots(db, byId, records.map((record) => record.rowId));
  return records;
}

/**
 * Sets each record's slots from its assignments. A fleet has far fewer distinct slot fillings than
 * numbers (a few agents, each on many numbers): records with the same filling share one frozen object.
 */
function fillSlots(db: Database.Database, byId: FleetRecord[], ids: number[]): void {
  const fillings = new Map<string, Record<Slot, readonly FleetAgentRef[]>>();
  let current: FleetRecord | undefined;
  let held: [Slot, string, number][] = [];
  const settle = () => {
    if (!current || held.length === 0) return;
    const key = held.map(([slot, agentId, weight]) => `${slot}\u0000${agentId}\u0000${weight}`).join('\u0001');
    let slots = fillings.get(key);
    if (!slots) {
      const filling: Record<Slot, FleetAgentRef[]> = { inbound: [], outbound: [], sms: [] };
      for (const [slot, agentId, weight] of held) filling[slot].push(Object.freeze({ agentId, weight }));
      slots = Object.freeze({ inbound: seal(filling.inbound), outbound: seal(filling.outbound), sms: seal(filling.sms) });
      fillings.set(key, slots);
    }
    current.slots = slots;
  };
  const assignments = db.prepare('SELECT number_id, slot, agent_id, weight FROM assignments WHERE number_id IN (SELECT value FROM json_each(?)) ORDER BY number_id, slot, position');
  for (const [numberId, slot, agentId, weight] of assignments.raw().iterate(JSON.stringify(ids)) as IterableIterator<[number, Slot, string, number]>) {
    const record = byId[numberId]!;
    if (record !== current) {
      settle();
      current = record;
      held = [];
    }
    held.push([slot, agentId, weight]);
  }
  settle();
}

const seal = (refs: FleetAgentRef[]): readonly FleetAgentRef[] => (refs.length === 0 ? NONE : Object.freeze(refs));

/** How a platform's imported numbers must be routed at the carrier (its capabilities' carrierRouting). */
export type ImportRouting = { trunkKind: string } | { voiceUrls: readonly string[] };

/**
 * The reads of `doctor`'s checks, each named by what it selects. `carrier` is the provider agent
 * platforms import numbers from (null when there is none).
 */
export class FleetReads {
  private readonly carrier: string;

  constructor(
    private readonly db: Database.Database,
    carrier: ProviderName | null,
  ) {
    this.carrier = carrier ?? '';
  }

  private records(where: string, params?: Record<string, unknown>, options: Omit<RecordQuery, 'where' | 'params'> = {}): FleetRecord[] {
    return readRecords(this.db, this.carrier, { where, params, ...options });
  }

  /**
   * The refs matching `where`, by number then row id: the order the report sorts findings in (a
   * number's records in row-id order), so sorting thousands of them is a pass over sorted runs.
   * (`+` keeps SQLite from walking the whole number index to save sorting the few it keeps.)
   */
  private refs(where: string, params: Record<string, unknown> = {}): NumberRef[] {
    const refs: NumberRef[] = [];
    const shared = interner();
    for (const [e164, provider, status] of this.db.prepare(`SELECT n.e164, n.provider, n.status FROM numbers n WHERE ${where} ORDER BY +n.e164, n.id`).raw().iterate({ carrier: this.carrier, ...params }) as IterableIterator<[string, ProviderName, string | null]>) {
      refs.push({ e164, provider: shared(provider) as ProviderName, status: shared(status) });
    }
    return refs;
  }

  /** Every agent, removed ones included, in `agents list`'s order. */
  agents(): FleetAgent[] {
    const holdsOn = (slot: Slot) => `EXISTS (SELECT 1 FROM assignments a JOIN numbers m ON m.id = a.number_id WHERE a.agent_id = @agent AND a.slot = '${slot}' AND m.provider = @provider AND m.removed_at IS NULL)`;
    const holds = this.db.prepare(`SELECT ${SLOTS.map(holdsOn).join(', ')}`).raw();
    return knownAgents(this.db, { includeRemoved: true }).map((agent) => {
      const [inbound, outbound, sms] = holds.get({ agent: agent.id, provider: agent.provider }) as [number, number, number];
      return { ...agent, holds: { inbound: inbound === 1, outbound: outbound === 1, sms: sms === 1 } };
    });
  }

  /** The rows of `numbers list` (every live record but the carrier's records a platform holds): no check needs them all. */
  rows(): FleetRecord[] {
    return this.records(ROW);
  }

  /** Live carrier records (held or not) with no inbound processing region. */
  carrierRecordsWithoutRegion(): FleetRecord[] {
    return this.records(`${CARRIER} AND COALESCE(n.region, c.region) IS NULL`);
  }

  /** Live carrier records (held or not) in a region other than this one (compared in lower case). */
  carrierRecordsOutside(region: string): FleetRecord[] {
    return this.records(`${CARRIER} AND lower(COALESCE(n.region, c.region)) != @region`, { region });
  }

  /** Records the last sync found gone upstream. */
  removed(): FleetRecord[] {
    return this.records('n.removed_at IS NOT NULL');
  }

  /** Platform rows that may carry calls with nothing on the inbound slot and no attention flag: who may have nothing answering. */
  platformRowsUnanswered(): NumberRef[] {
    return this.refs(`${PLATFORM} AND n.needs_attention IS NULL AND NOT ${hasAgentOn(['inbound'])} AND ${may('voice')}`);
  }

  /** The carrier's own rows (no platform holds them) that may carry calls, with no inbound agent and an empty voice URL. */
  carrierRowsUnrouted(): NumberRef[] {
    return this.refs(`${CARRIER} AND n.voice_url = '' AND NOT ${hasAgentOn(['inbound'])} AND ${may('voice')} AND NOT ${HELD}`);
  }

  /** The carrier's own rows (no platform holds them) whose calls go to an agent of this kind (a SIP trunk). */
  carrierRowsRoutedTo(kind: string): FleetRecord[] {
    return this.byRowIds(this.routesThrough(kind).unheld);
  }

  /** The platforms holding a number the carrier routes to this agent of the kind (a trunk), sorted. */
  platformsBehind(kind: string, agentId: string): ProviderName[] {
    return [...(this.routesThrough(kind).platforms.get(agentId) ?? [])].sort();
  }

  /** Which agents of this kind (trunks) carry each platform's numbers at the carrier. */
  routesOfPlatforms(kind: string): Map<ProviderName, Set<string>> {
    const routes = new Map<ProviderName, Set<string>>();
    for (const [agent, platforms] of this.routesThrough(kind).platforms) {
      for (const platform of platforms) routes.set(platform, (routes.get(platform) ?? new Set<string>()).add(agent));
    }
    return routes;
  }

  private readonly routes = new Map<string, { platforms: Map<string, Set<ProviderName>>; unheld: number[] }>();

  /**
   * The live carrier records whose calls go to an agent of this kind (a trunk: thousands of numbers
   * may ride one), in one pass from the agents through their assignments: which platforms hold
   * numbers on each such agent, and which records no platform holds.
   */
  private routesThrough(kind: string): { platforms: Map<string, Set<ProviderName>>; unheld: number[] } {
    const known = this.routes.get(kind);
    if (known) return known;
    const found = { platforms: new Map<string, Set<ProviderName>>(), unheld: [] as number[] };
    // CROSS JOIN keeps this order (left to right): SQLite would rather scan every carrier record.
    const rows = this.db
      .prepare(
        `SELECT DISTINCT a.agent_id, p.provider, CASE WHEN p.provider IS NULL THEN n.id END
         FROM agents g CROSS JOIN assignments a ON a.agent_id = g.agent_id AND a.slot = 'inbound' CROSS JOIN numbers n ON n.id = a.number_id
         LEFT JOIN numbers p ON p.e164 = n.e164 AND p.provider != @carrier AND p.removed_at IS NULL
         WHERE g.provider = @carrier AND g.kind = @kind AND ${CARRIER} AND ${FIRST_INBOUND}`,
      )
      .raw()
      .all({ carrier: this.carrier, kind }) as [string, ProviderName | null, number | null][];
    for (const [agent, platform, unheld] of rows) {
      if (platform !== null) found.platforms.set(agent, (found.platforms.get(agent) ?? new Set<ProviderName>()).add(platform));
      if (unheld !== null) found.unheld.push(unheld);
    }
    this.routes.set(kind, found);
    return found;
  }

  /** The distinct voice URLs the live carrier records hold (a handful: one per platform, and strays). */
  carrierVoiceUrls(): string[] {
    return this.db.prepare(`SELECT DISTINCT n.voice_url FROM numbers n WHERE ${CARRIER} AND n.voice_url IS NOT NULL AND n.voice_url != ''`).pluck().all({ carrier: this.carrier }) as string[];
  }

  /**
   * A platform's live records whose live carrier record is not routed as `routing` says: to no agent
   * of the trunk kind; or to an agent, or to a voice URL (once read) outside the given ones.
   */
  importsRoutedAmiss(platform: ProviderName, routing: ImportRouting): FleetRecord[] {
    // The carrier records on a trunk are listed once (from the trunk agents), not looked up per record.
    const amiss =
      'trunkKind' in routing
        ? `c.id NOT IN (SELECT a.number_id FROM agents g CROSS JOIN assignments a ON a.agent_id = g.agent_id AND a.slot = 'inbound' WHERE g.provider = @carrier AND g.kind = @kind AND ${FIRST_INBOUND})`
        : `c.voice_url IS NOT NULL AND (${firstAgent('c', 'inbound')} IS NOT NULL OR c.voice_url NOT IN (SELECT value FROM json_each(@urls)))`;
    const params = 'trunkKind' in routing ? { kind: routing.trunkKind } : { urls: JSON.stringify(routing.voiceUrls) };
    // `c` is the record's carrier record (SELECT_RECORDS joins it by carrier_id).
    return this.records(`n.provider = @platform AND ${LIVE} AND c.provider = @carrier AND c.removed_at IS NULL AND ${amiss}`, { platform, ...params });
  }

  /** Records by row id (those that exist), in row-id order. */
  byRowIds(ids: readonly number[]): FleetRecord[] {
    return this.records('n.id IN (SELECT value FROM json_each(@ids))', { ids: JSON.stringify(ids) });
  }

  /**
   * Live records with a slot naming an agent the cache does not know, or knows removed, of these
   * providers: the rows first, then the carrier records a platform holds (each in row-id order).
   */
  withMissingAgent(providers: readonly ProviderName[]): FleetRecord[] {
    // One pass over the assignments (each joined to its number and agent), not a lookup per number.
    const missing = `n.id IN (SELECT a.number_id FROM assignments a JOIN numbers m ON m.id = a.number_id
      LEFT JOIN agents g ON g.provider = m.provider AND g.agent_id = a.agent_id WHERE g.agent_id IS NULL OR g.removed_at IS NOT NULL)`;
    return this.records(`${missing} AND ${LIVE} AND n.provider IN (SELECT value FROM json_each(@providers))`, { providers: JSON.stringify(providers) }, { order: `${HELD}, n.id` });
  }

  /** Rows with a slot naming a known agent that is not live (a draft, or inactive). */
  rowsWithDraftAgent(): FleetRecord[] {
    // Any provider's draft of that id: the check matches the agent to the record's provider.
    return this.records(`${heldByAgents('g.removed_at IS NULL AND g.live = 0')} AND ${ROW}`);
  }

  /** Rows that cannot text (theirs or their carrier record's say) with an agent on the sms slot. */
  rowsTextingWithoutSms(): FleetRecord[] {
    return this.records(`${cannot('sms')} AND ${hasAgentOn(['sms'])} AND ${ROW}`);
  }

  /** Rows that cannot carry calls with an agent on the inbound or outbound slot. */
  rowsCallingWithoutVoice(): FleetRecord[] {
    return this.records(`${cannot('voice')} AND ${hasAgentOn(['inbound', 'outbound'])} AND ${ROW}`);
  }

  /** Platform rows whose slots name more than one agent. */
  platformRowsWithSeveralAgents(): FleetRecord[] {
    return this.records(`n.id IN (SELECT number_id FROM assignments GROUP BY number_id HAVING COUNT(DISTINCT agent_id) > 1) AND ${PLATFORM}`);
  }

  /** Platform rows holding an agent on a slot that it also holds on another platform row (or twice on this one). */
  platformRowsSharingAgents(): FleetRecord[] {
    const held = (a: string, m: string) => `FROM assignments ${a} JOIN numbers ${m} ON ${m}.id = ${a}.number_id WHERE ${m}.provider != @carrier AND ${m}.removed_at IS NULL`;
    const shared = `SELECT m2.provider, a2.agent_id, a2.slot ${held('a2', 'm2')} GROUP BY 1, 2, 3 HAVING COUNT(*) > 1`;
    return this.records(`n.id IN (SELECT a.number_id ${held('a', 'm')} AND (m.provider, a.agent_id, a.slot) IN (${shared})) AND ${PLATFORM}`);
  }

  rowsNeedingAttention(): FleetRecord[] {
    return this.records(`n.needs_attention IS NOT NULL AND ${ROW}`);
  }

  rowsWithFallback(): FleetRecord[] {
    return this.records(`n.fallback IS NOT NULL AND ${ROW}`);
  }

  /** The providers with a record (live or removed) of one of these numbers. */
  providersOf(e164s: readonly string[]): ProviderName[] {
    return this.db.prepare('SELECT DISTINCT provider FROM numbers WHERE e164 IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(e164s)) as ProviderName[];
  }
}
