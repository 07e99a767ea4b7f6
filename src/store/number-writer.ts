import type Database from 'better-sqlite3';
import type { ProviderName, RemoteNumber } from '../domain/model.js';
import { SLOTS } from '../domain/model.js';
import { versionText } from '../domain/field-values.js';
import { flag, voiceUrlValue } from './sqlite-values.js';
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
  /**
   * `pending` is the intent journal: committed before the upstream write, settled in place after it.
   * `uncertain`: the write's answer was lost and a re-read could not tell whether it landed.
   */
  outcome: 'pending' | 'applied' | 'failed' | 'conflict' | 'uncertain' | 'rolled-back' | 'needs-attention';
  error: string | null;
  /** Groups the entries of one upstream write; an entry with an intent settles that write's pending row. */
  intent?: string | null;
}

/**
 * Write what a provider answered for one number into the cache and append the audit entries, in one
 * transaction: the cache and the log never disagree about a change.
 */
export function applyRemoteNumber(db: Database.Database, remote: RemoteNumber, at: string, entries: readonly AuditEntry[], needsAttention: string | null | 'keep' = null): void {
  const keep = needsAttention === 'keep' ? 1 : 0;
  db.transaction(() => {
    const seq = nextWriteSeq(db);
    const row = db.prepare('SELECT id FROM numbers WHERE provider = ? AND provider_id = ?').get(remote.provider, remote.providerId) as { id: number } | undefined;
    if (row) {
      db.prepare(`UPDATE numbers SET e164 = @e164, label = @label, status = @status, voice = @voice, sms = @sms, region = @region, fallback = @fallback,
          origin = @origin, voice_url = @voiceUrl, synced_at = @at, write_seq = @seq,
          needs_attention = CASE WHEN @keep THEN needs_attention ELSE @needsAttention END,
          attention_expect = CASE WHEN @keep THEN attention_expect ELSE NULL END WHERE id = @id`).run({
        seq,
        keep,
        id: row.id,
        e164: remote.e164,
        label: remote.label,
        status: remote.status,
        voice: flag(remote.capabilities.voice),
        sms: flag(remote.capabilities.sms),
        region: remote.region,
        fallback: remote.fallback,
        origin: remote.origin,
        voiceUrl: voiceUrlValue(remote),
        at,
        needsAttention: keep ? null : needsAttention,
      });
      db.prepare('DELETE FROM assignments WHERE number_id = ?').run(row.id);
      const insert = db.prepare('INSERT INTO assignments (number_id, slot, position, agent_id, weight, version) VALUES (?, ?, ?, ?, ?, ?)');
      for (const slot of SLOTS) {
        remote.slots[slot].forEach((agent, position) => insert.run(row.id, slot, position, agent.agentId, agent.weight, versionText(agent.version)));
      }
    }
    refreshViews(db, affectedBy(db, remote.provider, remote.providerId));
    appendAudit(db, entries);
  }).immediate();
}

/** Record a Twilio record's new inbound processing region and its audit entries, in one transaction. */
export function applyRegion(db: Database.Database, provider: ProviderName, providerId: string, region: string | null, at: string, entries: readonly AuditEntry[]): void {
  db.transaction(() => {
    db.prepare('UPDATE numbers SET region = ?, synced_at = ?, write_seq = ? WHERE provider = ? AND provider_id = ?').run(region, at, nextWriteSeq(db), provider, providerId);
    refreshViews(db, affectedBy(db, provider, providerId));
    appendAudit(db, entries);
  }).immediate();
}

/**
 * Flag a number whose failed change could not be undone; lists and `show` say so until a sync finds
 * upstream holding `expect` (field → audit value: the state the fix asks for).
 */
export function markNeedsAttention(db: Database.Database, provider: ProviderName, providerId: string, message: string, entries: readonly AuditEntry[], expect: Record<string, unknown> | null = null): void {
  db.transaction(() => {
    db.prepare('UPDATE numbers SET needs_attention = ?, attention_expect = ?, write_seq = ? WHERE provider = ? AND provider_id = ?').run(message, expect ? JSON.stringify(expect) : null, nextWriteSeq(db), provider, providerId);
    refreshViews(db, affectedBy(db, provider, providerId));
    appendAudit(db, entries);
  }).immediate();
}

/**
 * Append audit entries; an entry that belongs to a journalled write (`intent`) settles that write's
 * pending row in place instead, so history shows each change once, with its final outcome.
 */
export function appendAudit(db: Database.Database, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) return;
  const insert = db.prepare(`INSERT INTO audit_log (at, os_user, profile, batch, provider, provider_id, e164, field, before, after, outcome, error, intent)
    VALUES (@at, @osUser, @profile, @batch, @provider, @providerId, @e164, @field, @before, @after, @outcome, @error, @intent)`);
  const settle = db.prepare(`UPDATE audit_log SET at = @at, before = @before, after = @after, outcome = @outcome, error = @error
    WHERE intent = @intent AND field = @field AND outcome IN ('pending', 'uncertain')`);
  db.transaction(() => {
    for (const entry of entries) {
      const row = { ...entry, intent: entry.intent ?? null };
      if (row.intent !== null && settle.run(row).changes > 0) continue;
      insert.run(row);
    }
  })();
}

/** Commit the `pending` journal entries of one upstream write (grouped by `intent`) before it is sent. */
export function beginIntent(db: Database.Database, intent: string, entries: readonly AuditEntry[]): void {
  db.transaction(() => appendAudit(db, entries.map((entry) => ({ ...entry, outcome: 'pending' as const, error: null, intent })))).immediate();
}

/** The journal entries a crash, a lost answer or a failed cache write left open, oldest first. */
export function openIntents(db: Database.Database): AuditRow[] {
  return db
    .prepare(
      `SELECT id, at, os_user AS osUser, profile, batch, provider, provider_id AS providerId, e164, field, before, after, outcome, error, intent
       FROM audit_log WHERE outcome IN ('pending', 'uncertain') ORDER BY id`,
    )
    .all() as AuditRow[];
}

/** The last write sequence handed out: a sync started now keeps every row written after it. */
export function currentWriteSeq(db: Database.Database): number {
  return (db.prepare("SELECT value FROM counters WHERE name = 'write_seq'").pluck().get() as number | undefined) ?? 0;
}

function nextWriteSeq(db: Database.Database): number {
  return db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'write_seq' RETURNING value").pluck().get() as number;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export function readAudit(db: Database.Database, filter: { e164?: string; limit?: number } = {}): AuditRow[] {
  const rows = db
    .prepare(
      `SELECT id, at, os_user AS osUser, profile, batch, provider, provider_id AS providerId, e164, field, before, after, outcome, error, intent
       FROM audit_log ${filter.e164 ? 'WHERE e164 = @e164' : ''} ORDER BY id DESC ${filter.limit !== undefined ? 'LIMIT @limit' : ''}`,
    )
    .all({ e164: filter.e164, limit: filter.limit }) as AuditRow[];
  return rows.reverse();
}
