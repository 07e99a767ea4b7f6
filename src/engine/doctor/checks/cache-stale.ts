import type { Check } from '../types.js';

/** A provider whose last sync is older than the profile's cache-max-age. */
export const cacheStale: Check = {
  id: 'cache-stale',
  severity: 'warning',
  scope: 'account',
  run(snapshot) {
    const now = snapshot.now.getTime();
    return snapshot.syncStates
      .filter((state) => now - Date.parse(state.syncedAt) > snapshot.settings.cacheMaxAgeMs)
      .map((state) => ({
        check: 'cache-stale',
        severity: 'warning',
        scope: 'account',
        subject: state.provider,
        provider: state.provider,
        problem: `the cache of ${snapshot.capabilities(state.provider).displayName} is from ${state.syncedAt}, older than cache-max-age (${snapshot.settings.cacheMaxAge})`,
        impact: 'changes made on the dashboard since then are invisible here, and these checks judge the old state',
        fix: snapshot.command(`sync --provider ${state.provider}`),
        manual: null,
      }));
  },
};
