import type Database from 'better-sqlite3';
import type { ProviderName, Slot } from '../domain/model.js';

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
 * the 10,000 records a big fleet reads allocate one object each. Every object read here lives until
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

export function readFleet(db: Database.Database): FleetRecord[] {
  // By row id in a plain array (row ids are small integers): cheaper than a Map of 10,000 entries.
  const byId: FleetRecord[] = [];
  const records: FleetRecord[] = [];
  for (const t of db.prepare(SELECT_FLEET).raw().iterate() as IterableIterator<Tuple>) {
    const record: FleetRecord = {
      rowId: t[0],
      provider: t[1],
      providerId: t[2],
      e164: t[3],
      status: t[4],
      removed: t[5] === 1,
      needsAttention: t[10],
      capabilities: pair(t[6], t[7]),
      region: t[8],
      fallback: t[9],
      voiceUrl: t[11] === null ? undefined : t[11] === '' ? null : t[11],
      carrierRowId: t[12],
      slots: NO_SLOTS,
    };
    records.push(record);
    byId[record.rowId] = record;
  }
  for (const [numberId, slot, agentId, weight] of db.prepare('SELECT number_id, slot, agent_id, weight FROM assignments ORDER BY number_id, slot, position').raw().iterate() as IterableIterator<[number, Slot, string, number]>) {
    const record = byId[numberId];
    if (!record) continue;
    if (record.slots === NO_SLOTS) record.slots = { inbound: NONE, outbound: NONE, sms: NONE };
    const held = record.slots[slot];
    record.slots[slot] = held === NONE ? [{ agentId, weight }] : [...held, { agentId, weight }];
  }
  return records;
}
