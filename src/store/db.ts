import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';
import { cacheFailure } from '../config/local-state.js';
import { migrate } from './migrations/index.js';
import { rebuildStaleViews } from './view-format.js';

/**
 * Open (creating if needed) the cache: owner-only file, WAL so readers never block the writer,
 * a busy timeout so two voicenum processes wait for each other instead of failing, and the
 * schema migrated to this version. A cache that cannot be used (damaged, unreadable, a newer
 * schema, a full disk) ends in a LocalStateError naming the file, never an internal error.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Create the file ourselves so it is born 0600; SQLite gives its -wal/-shm files the same mode.
      closeSync(openSync(file, 'a', 0o600));
    }
    db = openSqlite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Lists read every row's stored record: mapping the file spares a read() and a copy per page,
    // about half the query time of a 10,000-number list in a fresh process (npm run bench).
    db.pragma('mmap_size = 268435456');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
    migrate(db, file);
    // Derived data is the application's, not a migration's: built here when missing or of another format.
    rebuildStaleViews(db);
    return db;
  } catch (error) {
    db?.close();
    throw cacheFailure(error, file) ?? error;
  }
}
