import type { Migration } from './index.js';

/**
 * What `numbers list` reads, prepared at write time: each platform number's Twilio carrier record,
 * whether a Twilio record is held by a platform, and (in number_views) each number's list record as
 * JSON and its tab-separated list cells.
 * Lists then read one string a row instead of assembling 20 columns and the slots per row.
 *
 * Frozen: plain SQL only, no application code. The carrier links are filled here with the rule of
 * this version, written out. The list records are not: they are the output of the application's
 * record builder (store/number-record.ts), so this migration leaves number_views empty and the
 * application builds every record on open (store/view-format.ts), as it does whenever the record
 * format changes.
 */
export const listViewsTable: Migration = {
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

      -- A platform number's carrier is the first live Twilio record of the same E.164; a Twilio
      -- record is held when a live platform record has its E.164.
      UPDATE numbers SET carrier_id = CASE WHEN provider = 'twilio' THEN NULL ELSE
        (SELECT c.id FROM numbers c WHERE c.e164 = numbers.e164 AND c.provider = 'twilio' AND c.removed_at IS NULL ORDER BY c.id LIMIT 1) END;
      UPDATE numbers SET held = CASE WHEN provider = 'twilio' AND EXISTS
        (SELECT 1 FROM numbers o WHERE o.e164 = numbers.e164 AND o.provider <> 'twilio' AND o.removed_at IS NULL) THEN 1 ELSE 0 END;
    `);
  },
};
