import type { Migration } from './index.js';

/** Numbers, agents and their slot assignments, plus when each provider was last synced. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE numbers (
        id INTEGER PRIMARY KEY,
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        e164 TEXT NOT NULL,
        label TEXT,
        status TEXT,
        voice INTEGER,
        sms INTEGER,
        region TEXT,
        fallback TEXT,
        origin TEXT,
        first_seen_at TEXT NOT NULL,
        synced_at TEXT NOT NULL,
        removed_at TEXT,
        needs_attention TEXT,
        UNIQUE (provider, provider_id)
      );
      CREATE INDEX numbers_by_e164 ON numbers (e164);
      CREATE INDEX numbers_by_provider ON numbers (provider, e164);

      CREATE TABLE agents (
        provider TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        live INTEGER,
        synced_at TEXT NOT NULL,
        removed_at TEXT,
        PRIMARY KEY (provider, agent_id)
      );
      CREATE INDEX agents_by_name ON agents (provider, name COLLATE NOCASE);

      -- One row per agent in a slot: a Retell slot can hold several weighted agents.
      CREATE TABLE assignments (
        number_id INTEGER NOT NULL REFERENCES numbers (id) ON DELETE CASCADE,
        slot TEXT NOT NULL CHECK (slot IN ('inbound', 'outbound', 'sms')),
        position INTEGER NOT NULL,
        agent_id TEXT NOT NULL,
        weight REAL NOT NULL,
        version TEXT,
        PRIMARY KEY (number_id, slot, position)
      );
      CREATE INDEX assignments_by_agent ON assignments (agent_id, slot);

      CREATE TABLE sync_state (
        provider TEXT PRIMARY KEY,
        synced_at TEXT NOT NULL,
        numbers INTEGER NOT NULL,
        agents INTEGER NOT NULL,
        skipped INTEGER NOT NULL
      );
    `);
  },
};
