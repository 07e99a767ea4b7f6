import type Database from 'better-sqlite3';
import type { ProviderName, Slot } from '../domain/model.js';
import { SLOTS } from '../domain/model.js';

/**
 * What voicenum last knew of each record of a provider: the record's own values as the last sync or
 * the last write's answer left them (never the carrier's values joined in, unlike list rows), so
 * `drift` can set them beside what the provider holds now.
 */
export interface KnownRecord {
  providerId: string;
  e164: string;
  label: string | null;
  fallback: string | null;
  region: string | null;
  removed: boolean;
  /** When voicenum last read or wrote it. */
  syncedAt: string;
  slots: Record<Slot, { agentId: string; weight: number; version: string | null }[]>;
}

export function knownRecords(db: Database.Database, provider: ProviderName): KnownRecord[] {
  const rows = db
    .prepare('SELECT id, provider_id AS providerId, e164, label, fallback, region, removed_at AS removedAt, synced_at AS syncedAt FROM numbers WHERE provider = ? ORDER BY id')
    .all(provider) as { id: number; providerId: string; e164: string; label: string | null; fallback: string | null; region: string | null; removedAt: string | null; syncedAt: string }[];
  const byId = new Map<number, KnownRecord>();
  for (const row of rows) {
    byId.set(row.id, { providerId: row.providerId, e164: row.e164, label: row.label, fallback: row.fallback, region: row.region, removed: row.removedAt !== null, syncedAt: row.syncedAt, slots: { inbound: [], outbound: [], sms: [] } });
  }
  const assignments = db
    .prepare('SELECT a.number_id AS id, a.slot, a.agent_id AS agentId, a.weight, a.version FROM assignments a JOIN numbers n ON n.id = a.number_id WHERE n.provider = ? ORDER BY a.number_id, a.slot, a.position')
    .all(provider) as { id: number; slot: string; agentId: string; weight: number; version: string | null }[];
  for (const a of assignments) {
    const record = byId.get(a.id);
    if (record && (SLOTS as readonly string[]).includes(a.slot)) record.slots[a.slot as Slot].push({ agentId: a.agentId, weight: a.weight, version: a.version });
  }
  return [...byId.values()];
}
