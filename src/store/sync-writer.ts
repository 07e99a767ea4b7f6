import type Database from 'better-sqlite3';
import type { ProviderSnapshot, RemoteNumber } from '../domain/model.js';
import { SLOTS } from '../domain/model.js';
import { affectedByProvider, refreshViews } from './views.js';

export interface SyncCounts {
  numbers: number;
  agents: number;
  added: number;
  removed: number;
  skipped: number;
}

/**
 * Replace one provider's rows with a fresh snapshot in a single transaction: a crash or Ctrl-C
 * part way leaves the previous state whole. Records that vanished upstream are kept and marked
 * removed, with their last known assignments, so history stays readable.
 */
export function replaceProvider(db: Database.Database, snapshot: ProviderSnapshot, now: Date): SyncCounts {
  const at = now.toISOString();
  const provider = snapshot.provider;
  const statements = prepare(db);
  return db
    .transaction((): SyncCounts => {
      const known = new Map<string, { id: number; removed: boolean }>();
      for (const row of statements.existing.all(provider) as { id: number; provider_id: string; removed_at: string | null }[]) {
        known.set(row.provider_id, { id: row.id, removed: row.removed_at !== null });
      }
      let added = 0;
      for (const number of snapshot.numbers) {
        const existing = known.get(number.providerId);
        const values = numberValues(number, at);
        let id: number;
        if (existing) {
          statements.update.run({ ...values, id: existing.id });
          id = existing.id;
          known.delete(number.providerId);
        } else {
          id = Number(statements.insert.run({ ...values, provider, provider_id: number.providerId, first_seen_at: at }).lastInsertRowid);
          added++;
        }
        statements.clearAssignments.run(id);
        for (const slot of SLOTS) {
          number.slots[slot].forEach((agent, position) => {
            statements.insertAssignment.run({ number_id: id, slot, position, agent_id: agent.agentId, weight: agent.weight, version: agent.version === undefined || agent.version === null ? null : String(agent.version) });
          });
        }
      }
      let removed = 0;
      for (const gone of known.values()) {
        if (gone.removed) continue;
        statements.markRemoved.run(at, gone.id);
        removed++;
      }
      statements.markAgentsRemoved.run(at, provider);
      for (const agent of snapshot.agents) {
        statements.upsertAgent.run({ provider, agent_id: agent.id, name: agent.name, kind: agent.kind, live: agent.live === null ? null : agent.live ? 1 : 0, synced_at: at });
      }
      linkCarriers(db);
      refreshViews(db, affectedByProvider(db, provider));
      statements.syncState.run({ provider, synced_at: at, numbers: snapshot.numbers.length, agents: snapshot.agents.length, skipped: snapshot.skipped.length });
      return { numbers: snapshot.numbers.length, agents: snapshot.agents.length, added, removed, skipped: snapshot.skipped.length };
    })
    .immediate();
}

/**
 * Refresh which Twilio record carries each platform number (same E.164) and which Twilio records a
 * platform holds. Run inside every sync transaction, so lists never match E.164s row by row.
 */
export function linkCarriers(db: Database.Database): void {
  db.exec(`
    UPDATE numbers SET carrier_id = CASE WHEN provider = 'twilio' THEN NULL ELSE
      (SELECT c.id FROM numbers c WHERE c.e164 = numbers.e164 AND c.provider = 'twilio' AND c.removed_at IS NULL ORDER BY c.id LIMIT 1) END;
    UPDATE numbers SET held = CASE WHEN provider = 'twilio' AND EXISTS
      (SELECT 1 FROM numbers o WHERE o.e164 = numbers.e164 AND o.provider <> 'twilio' AND o.removed_at IS NULL) THEN 1 ELSE 0 END;
  `);
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
    synced_at: at,
  };
}

function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
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
    existing: db.prepare('SELECT id, provider_id, removed_at FROM numbers WHERE provider = ?'),
    insert: db.prepare(`INSERT INTO numbers (provider, provider_id, e164, label, status, voice, sms, region, fallback, origin, first_seen_at, synced_at)
      VALUES (@provider, @provider_id, @e164, @label, @status, @voice, @sms, @region, @fallback, @origin, @first_seen_at, @synced_at)`),
    update: db.prepare(`UPDATE numbers SET e164 = @e164, label = @label, status = @status, voice = @voice, sms = @sms, region = @region,
      fallback = @fallback, origin = @origin, synced_at = @synced_at, removed_at = NULL WHERE id = @id`),
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
