import type Database from 'better-sqlite3';
import { SLOTS, type ProviderName, type Slot } from '../domain/model.js';
import type { AgentRow } from './queries.js';

/**
 * Every number record as `doctor` reads it: lean rows straight from the tables (no list views, no
 * agent names joined per slot) so a check over 10,000 numbers costs one scan of each table.
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
  slots: Record<Slot, readonly FleetAgentRef[]>;
}

const NONE: readonly FleetAgentRef[] = Object.freeze([]);

/**
 * What a record without assignments holds, and the nine capability pairs: shared, frozen objects, so
 * the 10,000 records a big fleet reads allocate little more than one object each. Every object read here lives until
 * doctor ends, and each one the young generation copies costs garbage-collection time.
 */
const NO_SLOTS: Record<Slot, readonly FleetAgentRef[]> = Object.freeze({ inbound: NONE, outbound: NONE, sms: NONE });
const TRI = [null, false, true] as const;
const CAPABILITY_PAIRS = TRI.map((voice) => TRI.map((sms) => Object.freeze({ voice, sms })));
const pair = (voice: number | null, sms: number | null) => CAPABILITY_PAIRS[voice === null ? 0 : voice === 1 ? 2 : 1]![sms === null ? 0 : sms === 1 ? 2 : 1]!;

type Tuple = [number, ProviderName, string, string, string | null, number, number | null, number | null, string | null, string | null, string | null, string | null, number | null];

// Own facts first, the carrier record's where the platform's record does not say (as lists show
// them): joined here, so no second pass over the records.
const SELECT_FLEET = `SELECT n.id, n.provider, n.provider_id, n.e164, n.status, n.removed_at IS NOT NULL,
  COALESCE(n.voice, c.voice), COALESCE(n.sms, c.sms), COALESCE(n.region, c.region), n.fallback, n.needs_attention, n.voice_url, n.carrier_id
  FROM numbers n LEFT JOIN numbers c ON c.id = n.carrier_id`;

/** One string object per distinct value of a column that repeats (provider, status, region, voice URL). */
function interner(): (value: string | null) => string | null {
  const seen = new Map<string, string>();
  return (value) => {
    if (value === null) return null;
    const known = seen.get(value);
    if (known !== undefined) return known;
    seen.set(value, value);
    return value;
  };
}

export function readFleet(db: Database.Database): FleetRecord[] {
  // By row id in a plain array (row ids are small integers): cheaper than a Map of 10,000 entries.
  const byId: FleetRecord[] = [];
  const records: FleetRecord[] = [];
  const shared = interner();
  for (const t of db.prepare(SELECT_FLEET).raw().iterate() as IterableIterator<Tuple>) {
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
      slots: NO_SLOTS,
    };
    records.push(record);
    byId[record.rowId] = record;
  }
  // A fleet has far fewer distinct slot fillings than numbers (a few agents, each on many numbers):
  // records with the same filling share one frozen slots object.
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
  for (const [numberId, slot, agentId, weight] of db.prepare('SELECT number_id, slot, agent_id, weight FROM assignments ORDER BY number_id, slot, position').raw().iterate() as IterableIterator<[number, Slot, string, number]>) {
    const record = byId[numberId];
    if (!record) continue;
    if (record !== current) {
      settle();
      current = record;
      held = [];
    }
    held.push([slot, agentId, weight]);
  }
  settle();
  return records;
}

const seal = (refs: FleetAgentRef[]): readonly FleetAgentRef[] => (refs.length === 0 ? NONE : Object.freeze(refs));

/**
 * Every agent, removed ones included, in `listAgents`'s order and with its counts, the counts taken
 * from the records already read (a GROUP BY over every assignment costs more than this loop).
 */
export function readFleetAgents(db: Database.Database, records: readonly FleetRecord[]): AgentRow[] {
  // Records sharing a slot filling (and provider) are counted together: one key per filling, not per record.
  const byFilling = new Map<ProviderName, Map<Record<Slot, readonly FleetAgentRef[]>, number>>();
  for (const record of records) {
    if (record.removed || record.slots === NO_SLOTS) continue;
    let ofProvider = byFilling.get(record.provider);
    if (!ofProvider) byFilling.set(record.provider, (ofProvider = new Map()));
    ofProvider.set(record.slots, (ofProvider.get(record.slots) ?? 0) + 1);
  }
  const counts = new Map<string, Record<Slot, number>>();
  for (const [provider, fillings] of byFilling) {
    for (const [slots, holders] of fillings) {
      for (const slot of SLOTS) {
        for (const agentId of new Set(slots[slot].map((ref) => ref.agentId))) {
          const key = `${provider}\u0000${agentId}`;
          let entry = counts.get(key);
          if (!entry) counts.set(key, (entry = { inbound: 0, outbound: 0, sms: 0 }));
          entry[slot] += holders;
        }
      }
    }
  }
  const rows = db.prepare('SELECT provider, agent_id, name, kind, live, removed_at FROM agents ORDER BY provider, name COLLATE NOCASE, agent_id').raw().all() as [ProviderName, string, string, string, number | null, string | null][];
  return rows.map(([provider, id, name, kind, live, removedAt]) => ({
    provider,
    id,
    name,
    kind,
    live: live === null ? null : live === 1,
    removed: removedAt !== null,
    numbers: counts.get(`${provider}\u0000${id}`) ?? { inbound: 0, outbound: 0, sms: 0 },
  }));
}
