import type Database from 'better-sqlite3';
import { linkCarriers } from './sync-writer.js';
import { refreshViews } from './views.js';

/**
 * The format of the stored list records (number_views) and carrier links. They are derived data:
 * built by numberRecord / recordCells / linkCarriers, never by a migration (a migration is frozen,
 * those functions are not). Bump this whenever one of them changes what it stores: the next open
 * rebuilds every record once with the code of the day, and no migration has to copy that code.
 */
/** 2: the natural sort key of each label (migration 7). 3: list cells with direction and zero-width characters made visible. */
export const VIEW_FORMAT = 3;

/** Where the format of the stored records is kept: a row of the counters table (migration 5). */
const FORMAT_ROW = 'view_format';

/**
 * Rebuild the carrier links and every list record when they were built by another format (or
 * never: migration 4 leaves them empty). One indexed read when they are current; returns whether
 * it rebuilt. Runs in its own transaction after the migrations, on every open of the cache.
 */
export function rebuildStaleViews(db: Database.Database): boolean {
  const stored = db.prepare('SELECT value FROM counters WHERE name = ?').pluck();
  if (stored.get(FORMAT_ROW) === VIEW_FORMAT) return false;
  return db
    .transaction((): boolean => {
      // Another voicenum may have rebuilt them while this one waited for the write lock.
      if (stored.get(FORMAT_ROW) === VIEW_FORMAT) return false;
      linkCarriers(db);
      refreshViews(db);
      db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(FORMAT_ROW, VIEW_FORMAT);
      return true;
    })
    .immediate();
}
