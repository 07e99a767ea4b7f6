import type { Migration } from './index.js';

/**
 * An index on each number's carrier record, so finding the records a write or a sync touches (a
 * platform number and the records it carries) is a lookup rather than a scan of every number: a
 * 1,000-number batch spent seconds scanning.
 *
 * Frozen: plain SQL only, no application code.
 */
export const carrierIndex: Migration = {
  version: 8,
  name: 'carrier-index',
  up(db) {
    db.exec(`CREATE INDEX numbers_by_carrier ON numbers (carrier_id) WHERE carrier_id IS NOT NULL;`);
  },
};
