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
  capabilities: { voice: boolean | null; sms: boolean | null };
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

type Tuple = [number, ProviderName, string, string, string | null, string | null, number | null, number | null, string | null, string | null, string | null, string | null, number | null];

const bool = (value: number | null): boolean | null => (value === null ? null : value === 1);

export function readFleet(db: Database.Database): FleetRecord[] {
  const tuples = db.prepare('SELECT id, provider, provider_id, e164, status, removed_at, voice, sms, region, fallback, needs_attention, voice_url, carrier_id FROM numbers').raw().all() as Tuple[];
  const byId = new Map<number, FleetRecord>();
  const records: FleetRecord[] = [];
  for (const t of tuples) {
    const record: FleetRecord = {
      rowId: t[0],
      provider: t[1],
      providerId: t[2],
      e164: t[3],
      status: t[4],
      removed: t[5] !== null,
      needsAttention: t[10],
      capabilities: { voice: bool(t[6]), sms: bool(t[7]) },
      region: t[8],
      fallback: t[9],
      voiceUrl: t[11] === null ? undefined : t[11] === '' ? null : t[11],
      carrierRowId: t[12],
      slots: { inbound: NONE, outbound: NONE, sms: NONE },
    };
    records.push(record);
    byId.set(record.rowId, record);
  }
  // Own facts first, the carrier's where the platform does not say (as lists show them).
  for (const record of records) {
    const carrier = record.carrierRowId === null ? undefined : byId.get(record.carrierRowId);
    if (!carrier) continue;
    record.capabilities.voice ??= carrier.capabilities.voice;
    record.capabilities.sms ??= carrier.capabilities.sms;
    record.region ??= carrier.region;
  }
  for (const [numberId, slot, agentId, weight] of db.prepare('SELECT number_id, slot, agent_id, weight FROM assignments ORDER BY number_id, slot, position').raw().all() as [number, Slot, string, number][]) {
    const record = byId.get(numberId);
    if (!record) continue;
    const held = record.slots[slot];
    record.slots[slot] = held === NONE ? [{ agentId, weight }] : [...held, { agentId, weight }];
  }
  return records;
}
