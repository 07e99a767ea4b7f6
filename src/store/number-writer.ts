import type Database from 'better-sqlite3';
import type { ProviderName, RemoteNumber } from '../domain/model.js';
import { SLOTS } from '../domain/model.js';
import { affectedBy, refreshViews } from './views.js';

/** One line of the audit log. */
export interface AuditEntry {
  at: string;
  osUser: string;
  profile: string;
  /** Groups the entries of one command run. */
  batch: string;
  provider: ProviderName;
  providerId: string;
  e164: string;
  /** The slot (`inbound`, `outbound`, `sms`) or setting (`label`, `fallback`, `region`) changed. */
  field: string;
  before: string;
  after: string;
  outcome: 'applied' | 'failed' | 'conflict' | 'rolled-back' | 'needs-attention';
  error: string | null;
}

/**
 * Write what a provider answered for one number into the cache and append the audit entries, in one
 * transaction: the cache and the log never disagree about a change.
 */
export function applyRemoteNumber(db: Database.Database, remote: RemoteNumber, at: string, entries: readonly AuditEntry[], needsAttention: string | null = null): void {
  db.transaction(() => {
    const row = db.prepare('SELECT id FROM numbers WHERE provider = ? AND provider_id = ?').get(remote.provider, remote.providerId) as { id: number } | undefined;
    if (row) {
      db.prepare(`UPDATE numbers SET e164 = @e164, label = @label, status = @status, voice = @voice, sms = @sms, region = @region, fallback = @fallback,
          origin = @origin, synced_at = @at, needs_attention = @needsAttention WHERE id = @id`).run({
        id: row.id,
        e164: remote.e164,
        label: remote.label,
        status: remote.status,
        voice: flag(remote.capabilities.voice),
        sms: flag(remote.capabilities.sms),
        region: remote.region,
        fallback: remote.fallback,
        origin: remote.origin,
        at,
        needsAttention,
      });
      db.prepare('DELETE FROM assignments WHERE number_id = ?').run(row.id);
      const insert = db.prepare('INSERT INTO assignments (number_id, slot, position, agent_id, weight, version) VALUES (?, ?, ?, ?, ?, ?)');
      for (const slot of SLOTS) {
        remote.slots[slot].forEach((agent, position) => insert.run(row.id, slot, position, agent.agentId, agent.weight, agent.version === undefined || agent.version === null ? null : String(agent.version)));
      }
    }
    refreshViews(db, affectedBy(db, remote.provider, remote.providerId));
    appendAudit(db, entries);
  }).immediate();
}

/** Record a Twilio record's new inbound processing region and its audit entries, in one transaction. */
export function applyRegion(db: Database.Database, provider: ProviderName, providerId: string, region: string | null, at: string, entries: readonly AuditEntry[]): void {
  db.transaction(() => {
    db.prepare('UPDATE numbers SET region = ?, synced_at = ? WHERE provider = ? AND provider_id = ?').run(region, at, provider, providerId);
    refreshViews(db, affectedBy(db, provider, providerId));
    appendAudit(db, entries);
  }).immediate();
}

/** Flag a number whose failed change could not be undone; lists and `show` say so until a sync. */
export function markNeedsAttention(db: Database.Database, provider: ProviderName, providerId: string, message: string, entries: readonly AuditEntry[]): void {
  db.transaction(() => {
    db.prepare('UPDATE numbers SET needs_attention = ? WHERE provider = ? AND provider_id = ?').run(message, provider, providerId);
    refreshViews(db, affectedBy(db, provider, providerId));
    appendAudit(db, entries);
  }).immediate();
}

export function appendAudit(db: Database.Database, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) return;
  const insert = db.prepare(`INSERT INTO audit_log (at, os_user, profile, batch, provider, provider_id, e164, field, before, after, outcome, error)
    VALUES (@at, @osUser, @profile, @batch, @provider, @providerId, @e164, @field, @before, @after, @outcome, @error)`);
  db.transaction(() => {
    for (const entry of entries) insert.run(entry);
  })();
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export function readAudit(db: Database.Database, filter: { e164?: string; limit?: number } = {}): AuditRow[] {
  const rows = db
    .prepare(
      `SELECT id, at, os_user AS osUser, profile, batch, provider, provider_id AS providerId, e164, field, before, after, outcome, error
       FROM audit_log ${filter.e164 ? 'WHERE e164 = @e164' : ''} ORDER BY id DESC ${filter.limit !== undefined ? 'LIMIT @limit' : ''}`,
    )
    .all({ e164: filter.e164, limit: filter.limit }) as AuditRow[];
  return rows.reverse();
}

function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}
