import type { Migration } from './index.js';

/** Every change voicenum pushes (or tried to push), for `voicenum history`. */
export const auditLog: Migration = {
  version: 2,
  name: 'audit-log',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
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
        outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'failed', 'conflict', 'rolled-back', 'needs-attention')),
        error TEXT
      );
      CREATE INDEX audit_by_number ON audit_log (e164, id);
    `);
  },
};
