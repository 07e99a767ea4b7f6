import type { Check } from '../types.js';

/** A provider the profile has credentials for whose numbers were never read into the cache. */
export const neverSynced: Check = {
  id: 'never-synced',
  severity: 'warning',
  scope: 'account',
  run(snapshot) {
    const synced = new Set(snapshot.syncStates.map((state) => state.provider));
    return snapshot.configured
      .filter((provider) => !synced.has(provider))
      .map((provider) => ({
        check: 'never-synced',
        severity: 'warning',
        scope: 'account',
        subject: provider,
        provider,
        problem: `${snapshot.capabilities(provider).displayName} is configured but was never synced`,
        impact: 'its numbers and agents are missing from lists and from every other check',
        fix: snapshot.command(`sync --provider ${provider}`),
        manual: null,
      }));
  },
};
