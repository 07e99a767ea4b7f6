import type { Migration } from './index.js';

/**
 * A natural sort key for each number's label, stored beside its list record, so `numbers list
 * --sort label` puts "line 2" before "line 10" with a plain ORDER BY instead of comparing 100,000
 * labels in JavaScript. The key is derived data like the record: this migration only adds the
 * column; the application fills it when it rebuilds the records (store/view-format.ts).
 *
 * Frozen: plain SQL only, no application code.
 */
export const labelSortKey: Migration = {
  version: 7,
  name: 'label-sort-key',
  up(db) {
    db.exec(`ALTER TABLE number_views ADD COLUMN label_key TEXT;`);
  },
};
