import type { Check } from '../types.js';
import { inDashboard } from '../lookup.js';

/** Each configured provider answers one cheap call with the profile's credentials (online only). */
export const credentials: Check = {
  id: 'credentials',
  severity: 'error',
  scope: 'account',
  network: true,
  run(snapshot) {
    return (snapshot.probes ?? [])
      .filter((probe) => !probe.ok)
      .map((probe) => ({
        check: 'credentials',
        severity: 'error',
        scope: 'account',
        subject: probe.provider,
        provider: probe.provider,
        problem: probe.rejected ? `${snapshot.capabilities(probe.provider).displayName} rejected the credentials (${probe.detail ?? 'no detail'})` : `${snapshot.capabilities(probe.provider).displayName} did not answer the credentials check (${probe.detail ?? 'no detail'}, after ${probe.latencyMs} ms)`,
        impact: probe.rejected ? 'nothing can be synced or changed there, and a platform whose key was revoked may have stopped routing calls' : 'sync and every change there fail until it answers',
        fix: probe.rejected ? snapshot.command(`auth login ${probe.provider}`) : null,
        manual: probe.rejected ? `create a new key ${inDashboard(snapshot, probe.provider)}` : `check the provider's status page and your network, then run \`${snapshot.command('doctor')}\` again`,
      }));
  },
};
