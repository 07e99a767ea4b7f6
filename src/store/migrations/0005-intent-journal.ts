import type { Migration } from './index.js';

/**
 * The intent journal. Every upstream write is first committed to the audit log as `pending`, then
 * settled in place as `applied`, `failed`, `conflict` or `uncertain`; entries a crash left open are
 * reconciled by the next command. A write sequence on each number lets a sync tell which rows a
 * write changed after the sync's own upstream read began, and needs-attention rows remember the
 * state their fix asks for, so a sync can clear the flag once upstream holds it.
 *
 * Frozen: plain SQL only, no application code.
 */
export const intentJournal: Migration = {
  version: 5,
  name: 'intent-journal',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log_next (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        profile TEXT NOT NULL,
        batch TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        e164 TEXT NOT NULL,
        field TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'applied', 'failed', 'conflict', 'uncertain', 'rolled-back', 'needs-attention')),
        error TEXT,
        intent TEXT
      );
      INSERT INTO audit_log_next (id, at, os_user, profile, batch, provider, provider_id, e164, field, before, after, outcome, error)
        SELECT id, at, os_user, profile, batch, provider, provider_id, e164, field, before, after, outcome, error FROM audit_log;
      DROP TABLE audit_log;
      ALTER TABLE audit_log_next RENAME TO audit_log;
      CREATE INDEX audit_by_number ON audit_log (e164, id);
      CREATE INDEX audit_by_intent ON audit_log (intent) WHERE intent IS NOT NULL;
      CREATE INDEX audit_open ON audit_log (outcome) WHERE outcome IN ('pending', 'uncertain');

      ALTER TABLE numbers ADD COLUMN write_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE numbers ADD COLUMN attention_expect TEXT;
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO counters (name, value) VALUES ('write_seq', 0);
    `);
  },
};
