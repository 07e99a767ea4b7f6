import type { Migration } from './index.js';

/**
 * The life of a number: buying, importing and releasing take several upstream steps, and a crash
 * between two of them must leave enough behind for the next command to finish or undo the work.
 * One row per operation (who runs it, how it ended), one row per step, committed as `pending`
 * before its upstream call and settled after. A step keeps only what its undo needs: the SIDs of
 * what it created and the voice routing it replaced, never a generated secret.
 *
 * Frozen: plain SQL only, no application code.
 */
export const lifecycle: Migration = {
  version: 9,
  name: 'lifecycle',
  up(db) {
    db.exec(`
      CREATE TABLE lifecycle_ops (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('buy', 'import', 'release')),
        e164 TEXT NOT NULL,
        provider TEXT NOT NULL,
        carrier TEXT,
        carrier_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'rolled-back', 'corrupted')),
        detail TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        process_token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start_time TEXT,
        pid_scope TEXT
      );
      CREATE INDEX lifecycle_ops_by_number ON lifecycle_ops (e164, provider, started_at);
      CREATE INDEX lifecycle_ops_unfinished ON lifecycle_ops (state) WHERE state IN ('running', 'corrupted');
      CREATE TABLE lifecycle_steps (
        op_id TEXT NOT NULL REFERENCES lifecycle_ops (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        resource TEXT,
        routing TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'done', 'failed', 'undone', 'undo-failed')),
        error TEXT,
        started_at TEXT NOT NULL,
        settled_at TEXT,
        PRIMARY KEY (op_id, seq)
      );
    `);
  },
};
