import type Database from 'better-sqlite3';
import { numberRecord, recordCells } from './number-record.js';
import { rowsById } from './queries.js';
import { naturalSortKey } from './sort-key.js';

/**
 * Recompute the stored list record (`view`) of the given numbers, or of every number. Called in
 * the same transaction as every write that can change what a list shows, so the view is never stale.
 */
export function refreshViews(db: Database.Database, ids?: readonly number[]): void {
  const update = db.prepare('INSERT OR REPLACE INTO number_views (number_id, view, cells, label_key) VALUES (?, ?, ?, ?)');
  for (const row of rowsById(db, ids)) {
    const record = numberRecord(row);
    // The label a list sorts by: the number's own, else its carrier's.
    update.run(row.rowId, JSON.stringify(record), recordCells(record).join('\t'), naturalSortKey(row.label ?? row.carrier?.label ?? null));
  }
}

/** A number's own row and the rows it carries as their Twilio record. */
/** Indexed on both sides of the OR (numbers_by_carrier, schema 8): a lookup, not a scan of every number. */
export const AFFECTED_BY_SQL = 'SELECT id FROM numbers WHERE (provider = ? AND provider_id = ?) OR carrier_id IN (SELECT id FROM numbers WHERE provider = ? AND provider_id = ?)';

export function affectedBy(db: Database.Database, provider: string, providerId: string): number[] {
  return db.prepare(AFFECTED_BY_SQL).pluck().all(provider, providerId, provider, providerId) as number[];
}

/** After a provider's sync: its rows, and rows whose carrier is one of its rows. */
export function affectedByProvider(db: Database.Database, provider: string): number[] {
  return db.prepare('SELECT id FROM numbers WHERE provider = ? OR carrier_id IN (SELECT id FROM numbers WHERE provider = ?)').pluck().all(provider, provider) as number[];
}
