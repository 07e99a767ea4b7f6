import type { Migration } from './index.js';
import { refreshViews } from '../views.js';
import { linkCarriers } from '../sync-writer.js';

/**
 * What `numbers list` reads, prepared at write time: each platform number's Twilio carrier record,
 * whether a Twilio record is held by a platform, and (in number_views) each number's list record as
 * JSON and its tab-separated list cells.
 * Lists then read one string a row instead of assembling 20 columns and the slots per row.
 */
export const listViews: Migration = {
  version: 4,
  name: 'list-views',
  up(db) {
    db.exec(`
      ALTER TABLE numbers ADD COLUMN carrier_id INTEGER;
      ALTER TABLE numbers ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
      -- Kept apart from numbers so filters scan narrow rows and fetch only the records they print.
      CREATE TABLE number_views (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        view TEXT NOT NULL,
        cells TEXT NOT NULL
      );
      DROP INDEX numbers_by_e164;
      CREATE INDEX numbers_by_e164 ON numbers (e164, provider);
    `);
    linkCarriers(db);
    refreshViews(db);
  },
};
