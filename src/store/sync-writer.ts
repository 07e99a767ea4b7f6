import type Database from 'better-sqlite3';
import type { ProviderSnapshot, RemoteNumber } from '../domain/model.js';
import { SLOTS } from '../domain/model.js';
import { flag, voiceUrlValue } from './sqlite-values.js';
import { affectedByProvider, refreshViews } from './views.js';
import { fieldValue, sameFieldValue, versionText } from '../domain/field-values.js';
import { CARRIER } from '../providers/registry.js';

export interface SyncCounts {
  numbers: number;
  agents: number;
  added: number;
  removed: number;
  skipped: number;
  /** Rows a write changed after this sync's upstream read began (or is changing now): kept as written. */
  kept: number;
  /** Numbers whose needs-attention flag this sync cleared, because upstream now holds what the fix asked for. */
  cleared: string[];
  /** Numbers still flagged, with what upstream holds that differs from the fix. */
  stillFlagged: { e164: string; differs: string }[];
}

export interface ReplaceOptions {
  /**
   * The write sequence when this sync's upstream read began: rows written after it hold newer
   * facts than the snapshot and are kept. Without it every row is replaced.
   */
  since?: number;
}

/**
 * Replace one provider's rows with a fresh snapshot in a single transaction: a crash or Ctrl-C
 * part way leaves the previous state whole. Records that vanished upstream are kept and marked
 * removed, with their last known assignments, so history stays readable.
 */
export function replaceProvider(db: Database.Database, snapshot: ProviderSnapshot, now: Date, options: ReplaceOptions = {}): SyncCounts {
  const at = now.toISOString();
  const provider = snapshot.provider;
  const statements = prepare(db);
  return db
    .transaction((): SyncCounts => {
      const known = new Map<string, ExistingRow>();
      for (const row of statements.existing.all(provider) as ExistingRow[]) known.set(row.provider_id, row);
      // A number being written right now (locked, or with an open journal entry) is left to its writer.
      const busy = new Set(statements.busy.pluck().all(provider, provider) as string[]);
      const newer = (row: ExistingRow) => (options.since !== undefined && row.write_seq > options.since) || busy.has(row.provider_id);
      let added = 0;
      let kept = 0;
      const cleared: string[] = [];
      const stillFlagged: SyncCounts['stillFlagged'] = [];
      for (const number of snapshot.numbers) {
        const existing = known.get(number.providerId);
        const values = numberValues(number, at);
        let id: number;
        if (existing && newer(existing)) {
          known.delete(number.providerId);
          kept++;
          continue;
        }
        if (existing) {
          const attention = settleAttention(existing, number);
          if (existing.needs_attention !== null && attention === null) cleared.push(number.e164);
          if (attention !== null) stillFlagged.push({ e164: number.e164, differs: differences(existing, number) });
          statements.update.run({ ...values, id: existing.id, needs_attention: attention });
          id = existing.id;
          known.delete(number.providerId);
        } else {
          id = Number(statements.insert.run({ ...values, provider, provider_id: number.providerId, first_seen_at: at }).lastInsertRowid);
          added++;
        }
        statements.clearAssignments.run(id);
        for (const slot of SLOTS) {
          number.slots[slot].forEach((agent, position) => {
            statements.insertAssignment.run({ number_id: id, slot, position, agent_id: agent.agentId, weight: agent.weight, version: versionText(agent.version) });
          });
        }
      }
      let removed = 0;
      for (const gone of known.values()) {
        if (gone.removed_at !== null || newer(gone)) continue;
        statements.markRemoved.run(at, gone.id);
        removed++;
      }
      statements.markAgentsRemoved.run(at, provider);
      for (const agent of snapshot.agents) {
        statements.upsertAgent.run({ provider, agent_id: agent.id, name: agent.name, kind: agent.kind, live: flag(agent.live), synced_at: at });
      }
      linkCarriers(db);
      refreshViews(db, affectedByProvider(db, provider));
      statements.syncState.run({ provider, synced_at: at, numbers: snapshot.numbers.length, agents: snapshot.agents.length, skipped: snapshot.skipped.length });
      return { numbers: snapshot.numbers.length, agents: snapshot.agents.length, added, removed, skipped: snapshot.skipped.length, kept, cleared, stillFlagged };
    })
    .immediate();
}

interface ExistingRow {
  id: number;
  provider_id: string;
  removed_at: string | null;
  write_seq: number;
  needs_attention: string | null;
  attention_expect: string | null;
}

/** What a flagged number's fix asks for, field by field (audit values), or null when unknown. */
function expectedState(row: ExistingRow): Record<string, unknown> | null {
  if (row.attention_expect === null) return null;
  try {
    return JSON.parse(row.attention_expect) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * The needs-attention flag after this sync: cleared when upstream holds what the fix asked for
 * (or, for a flag that recorded no expected state, once the operator has synced as told).
 */
function settleAttention(row: ExistingRow, number: RemoteNumber): string | null {
  if (row.needs_attention === null) return null;
  const expect = expectedState(row);
  if (expect === null) return null;
  return Object.entries(expect).every(([field, value]) => sameFieldValue(field, fieldValue(number, field), value)) ? null : row.needs_attention;
}

function differences(row: ExistingRow, number: RemoteNumber): string {
  const expect = expectedState(row) ?? {};
  return Object.entries(expect)
    .filter(([field, value]) => !sameFieldValue(field, fieldValue(number, field), value))
    .map(([field, value]) => `${field} is ${JSON.stringify(fieldValue(number, field))} upstream, the fix asks for ${JSON.stringify(value)}`)
    .join('; ');
}

/**
 * Refresh which Twilio record carries each platform number (same E.164) and which Twilio records a
 * platform holds. Run inside every sync transaction, so lists never match E.164s row by row.
 */
export function linkCarriers(db: Database.Database): void {
  // The carrier is whichever provider the registry marks as one; with none, nothing is linked.
  const carrier = { carrier: CARRIER?.name ?? null };
  // Only rows whose link changes are written: a sync that changed nothing rewrites no row (each
  // rewritten row costs a page write, and every provider's sync runs this over the whole table).
  const carrierOf = `CASE WHEN provider = @carrier THEN NULL ELSE
      (SELECT c.id FROM numbers c WHERE c.e164 = numbers.e164 AND c.provider = @carrier AND c.removed_at IS NULL ORDER BY c.id LIMIT 1) END`;
  db.prepare(`UPDATE numbers SET carrier_id = ${carrierOf} WHERE carrier_id IS NOT ${carrierOf}`).run(carrier);
  const heldOf = `CASE WHEN provider = @carrier AND EXISTS
      (SELECT 1 FROM numbers o WHERE o.e164 = numbers.e164 AND o.provider <> @carrier AND o.removed_at IS NULL) THEN 1 ELSE 0 END`;
  db.prepare(`UPDATE numbers SET held = ${heldOf} WHERE held IS NOT ${heldOf}`).run(carrier);
}

function numberValues(number: RemoteNumber, at: string) {
  return {
    e164: number.e164,
    label: number.label,
    status: number.status,
    voice: flag(number.capabilities.voice),
    sms: flag(number.capabilities.sms),
    region: number.region,
    fallback: number.fallback,
    origin: number.origin,
    voice_url: voiceUrlValue(number),
    synced_at: at,
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof build>>();

function prepare(db: Database.Database) {
  let statements = cache.get(db);
  if (!statements) {
    statements = build(db);
    cache.set(db, statements);
  }
  return statements;
}

function build(db: Database.Database) {
  return {
    existing: db.prepare('SELECT id, provider_id, removed_at, write_seq, needs_attention, attention_expect FROM numbers WHERE provider = ?'),
    busy: db.prepare(`SELECT provider_id FROM number_locks WHERE provider = ?
      UNION SELECT provider_id FROM audit_log WHERE provider = ? AND outcome IN ('pending', 'uncertain')`),
    insert: db.prepare(`INSERT INTO numbers (provider, provider_id, e164, label, status, voice, sms, region, fallback, origin, voice_url, first_seen_at, synced_at)
      VALUES (@provider, @provider_id, @e164, @label, @status, @voice, @sms, @region, @fallback, @origin, @voice_url, @first_seen_at, @synced_at)`),
    update: db.prepare(`UPDATE numbers SET e164 = @e164, label = @label, status = @status, voice = @voice, sms = @sms, region = @region,
      fallback = @fallback, origin = @origin, voice_url = @voice_url, synced_at = @synced_at, removed_at = NULL, needs_attention = @needs_attention,
      attention_expect = CASE WHEN @needs_attention IS NULL THEN NULL ELSE attention_expect END WHERE id = @id`),
    clearAssignments: db.prepare('DELETE FROM assignments WHERE number_id = ?'),
    insertAssignment: db.prepare('INSERT INTO assignments (number_id, slot, position, agent_id, weight, version) VALUES (@number_id, @slot, @position, @agent_id, @weight, @version)'),
    markRemoved: db.prepare('UPDATE numbers SET removed_at = ? WHERE id = ?'),
    markAgentsRemoved: db.prepare('UPDATE agents SET removed_at = ? WHERE provider = ? AND removed_at IS NULL'),
    upsertAgent: db.prepare(`INSERT INTO agents (provider, agent_id, name, kind, live, synced_at, removed_at) VALUES (@provider, @agent_id, @name, @kind, @live, @synced_at, NULL)
      ON CONFLICT (provider, agent_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, live = excluded.live, synced_at = excluded.synced_at, removed_at = NULL`),
    syncState: db.prepare(`INSERT INTO sync_state (provider, synced_at, numbers, agents, skipped) VALUES (@provider, @synced_at, @numbers, @agents, @skipped)
      ON CONFLICT (provider) DO UPDATE SET synced_at = excluded.synced_at, numbers = excluded.numbers, agents = excluded.agents, skipped = excluded.skipped`),
  };
}
