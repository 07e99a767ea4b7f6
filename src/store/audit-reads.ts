import type Database from 'better-sqlite3';
import type { AuditRow } from './number-writer.js';

/**
 * The audit entries `undo` works from: one change by its id, one command run by its batch id (or a
 * prefix of it, as `history` shows it), or the last run that changed something.
 */

const COLUMNS = `id, at, os_user AS osUser, profile, batch, provider, provider_id AS providerId, e164, field, before, after, outcome, error, intent`;

export function auditById(db: Database.Database, id: number): AuditRow | null {
  return (db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE id = ?`).get(id) as AuditRow | undefined) ?? null;
}

/** The batch ids that start with `prefix` (a full id matches itself only). */
export function batchesMatching(db: Database.Database, prefix: string): string[] {
  return db.prepare("SELECT DISTINCT batch FROM audit_log WHERE substr(batch, 1, length(@prefix)) = @prefix ORDER BY batch LIMIT 10").pluck().all({ prefix }) as string[];
}

export function auditOfBatch(db: Database.Database, batch: string): AuditRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE batch = ? ORDER BY id`).all(batch) as AuditRow[];
}

/** The batch of the newest entry that changed something upstream (applied, or undone by its own run). */
export function lastChangingBatch(db: Database.Database): string | null {
  return (db.prepare("SELECT batch FROM audit_log WHERE outcome IN ('applied', 'rolled-back') ORDER BY id DESC LIMIT 1").pluck().get() as string | undefined) ?? null;
}
