import type Database from 'better-sqlite3';
import { newerCacheError } from '../../config/local-state.js';
import { initial } from './0001-initial.js';
import { auditLog } from './0002-audit-log.js';
import { numberLocks } from './0003-number-locks.js';
import { listViewsTable } from './0004-list-views.js';
import { intentJournal } from './0005-intent-journal.js';
import { lockOwners } from './0006-lock-owners.js';
import { labelSortKey } from './0007-label-sort-key.js';
import { carrierIndex } from './0008-carrier-index.js';
import { lifecycle } from './0009-lifecycle.js';
import { doctor } from './0010-doctor.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Every migration in order. A migration is never edited once released; add the next one. */
export const MIGRATIONS: readonly Migration[] = [initial, auditLog, numberLocks, listViewsTable, intentJournal, lockOwners, labelSortKey, carrierIndex, lifecycle, doctor];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Bring the database up to SCHEMA_VERSION, each step and its version bump in one transaction.
 * A database written by a newer voicenum is refused rather than guessed at.
 */
export function migrate(db: Database.Database, file: string, target: number = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw newerCacheError(file, current, SCHEMA_VERSION);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
