import type { Check, Finding } from '../types.js';

/** The cache file itself: the schema this voicenum expects, and SQLite's own integrity check. */
export const cacheHealth: Check = {
  id: 'cache-health',
  severity: 'error',
  scope: 'account',
  run(snapshot) {
    const { cache } = snapshot;
    const problems: string[] = [];
    if (cache.schemaVersion !== cache.expectedVersion) problems.push(`the cache schema is version ${cache.schemaVersion}, this voicenum expects ${cache.expectedVersion}`);
    if (cache.integrityProblems.length) problems.push(`the cache's structure is damaged: ${cache.integrityProblems.slice(0, 3).join('; ')}${cache.integrityProblems.length > 3 ? ` (and ${cache.integrityProblems.length - 3} more)` : ''}`);
    return problems.map(
      (problem): Finding => ({
        check: 'cache-health',
        severity: 'error',
        scope: 'account',
        subject: 'cache',
        provider: null,
        problem,
        impact: 'lists and checks may read wrong or missing rows, and a write may not be recorded',
        fix: null,
        manual: `move the cache aside (keep it: it holds the audit log), then run \`${snapshot.command('sync')}\` to build a new one`,
      }),
    );
  },
};
