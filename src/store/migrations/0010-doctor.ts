import type { Migration } from './index.js';

/**
 * The carrier's voice webhook of each carrier record (Twilio `voice_url`), which `doctor` needs to
 * tell a number routed nowhere from one whose calls go to a webhook. '' when the record has none;
 * NULL on platform records and on rows cached before this version (unknown until the next sync).
 *
 * Frozen: plain SQL only, no application code.
 */
export const doctor: Migration = {
  version: 10,
  name: 'doctor',
  up(db) {
    db.exec(`ALTER TABLE numbers ADD COLUMN voice_url TEXT;`);
  },
};
