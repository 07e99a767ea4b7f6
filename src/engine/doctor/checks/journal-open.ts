import type { Check } from '../types.js';

/**
 * Journal entries of an interrupted change still open (pending or uncertain): every command tries
 * to settle them upstream first, so any left are ones it could not check (or --offline).
 */
export const journalOpen: Check = {
  id: 'journal-open',
  severity: 'error',
  scope: 'number',
  run(snapshot) {
    return snapshot.openIntents.map((entry) => ({
      check: 'journal-open',
      severity: 'error',
      scope: 'number',
      subject: entry.e164,
      provider: entry.provider,
      problem: `an interrupted change of ${entry.field} is still ${entry.outcome} in the journal`,
      impact: 'whether it reached the platform is unknown: the cache may not say what the number really does',
      fix: snapshot.command('sync'),
      manual: null,
    }));
  },
};
