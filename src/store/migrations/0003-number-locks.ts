import type { Migration } from './index.js';

/** Who is changing a number right now: two voicenum processes never push the same number at once. */
export const numberLocks: Migration = {
  version: 3,
  name: 'number-locks',
  up(db) {
    db.exec(`
      CREATE TABLE number_locks (
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        PRIMARY KEY (provider, provider_id)
      );
    `);
  },
};
