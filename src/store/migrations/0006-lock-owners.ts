import type { Migration } from './index.js';

/**
 * Number locks that another process can judge: the holder's pid with its start time and pid
 * namespace (a reused pid, pid 1 in a container, is told apart from the process that died holding
 * the lock), a random token per process and per hold, and an expiry the holder keeps pushing
 * forward while it works. Locks live only while a command runs, so the old table is dropped.
 */
export const lockOwners: Migration = {
  version: 6,
  name: 'lock-owners',
  up(db) {
    db.exec(`
      DROP TABLE IF EXISTS number_locks;
      CREATE TABLE number_locks (
        provider TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        hold_token TEXT NOT NULL,
        process_token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start_time TEXT,
        pid_scope TEXT,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (provider, provider_id)
      );
    `);
  },
};
