import type { Check } from '../types.js';
import { byText, inDashboard, numberFinding } from '../lookup.js';

/** A number a failed change left for a person to fix: the flag says what to set back by hand. */
export const needsAttention: Check = {
  id: 'needs-attention',
  severity: 'error',
  scope: 'number',
  run(snapshot) {
    return snapshot.fleet
      .rowsNeedingAttention()
      .filter((row) => row.needsAttention !== null)
      .map((row) =>
        numberFinding(needsAttention, row, {
          problem: `needs attention: ${row.needsAttention}`,
          impact: 'a change failed half way and its undo failed too: the number may route calls wrongly, and voicenum refuses to change it',
          fix: snapshot.command('sync'),
          manual: `first set it as the message says ${inDashboard(snapshot, row.provider)}; the sync then clears the flag`,
        }),
      );
  },
};

/** A lifecycle operation (import, purchase, release) whose undo failed, or that a killed run left open. */
export const lifecycleOpen: Check = {
  id: 'lifecycle-open',
  severity: 'error',
  scope: 'number',
  run(snapshot) {
    const ownerGone = new Set(snapshot.openOperations.filter((op) => op.ownerGone).map((op) => `${op.e164} ${op.provider}`));
    const findings = [];
    for (const [key, state] of snapshot.lifecycle) {
      const [e164, provider] = key.split(' ') as [string, Parameters<typeof snapshot.capabilities>[0]];
      // An operation a live voicenum is running right now is not a problem.
      if (state !== 'corrupted' && !ownerGone.has(key)) continue;
      findings.push(
        numberFinding(
          lifecycleOpen,
          { e164, provider },
          {
            severity: state === 'corrupted' ? 'error' : 'warning',
            problem: state === 'corrupted' ? 'corrupted: an import, purchase or release failed and its undo failed too' : `left ${state}: the voicenum run doing it was killed`,
            impact: 'resources voicenum made may be left upstream, and the number may route calls nowhere',
            fix: snapshot.command(`numbers repair ${e164}`),
            manual: state === 'corrupted' ? `\`${snapshot.command(`numbers show ${e164}`)}\` lists what is left; remove it by hand ${inDashboard(snapshot, provider)} if the repair fails again` : null,
          },
        ),
      );
    }
    return findings.sort((a, b) => byText(a.subject, b.subject));
  },
};

/** A number that vanished upstream at the last sync, kept in the cache marked removed. */
export const removedUpstream: Check = {
  id: 'removed-upstream',
  severity: 'info',
  scope: 'number',
  run(snapshot) {
    return snapshot.fleet.removed().map((row) =>
      numberFinding(removedUpstream, row, {
        problem: `removed from ${snapshot.capabilities(row.provider).displayName}: a sync found it gone`,
        impact: 'nothing answers it there any more; if that was not meant, the number may be lost',
        fix: null,
        manual: `if it was not meant, check ${inDashboard(snapshot, row.provider)}, and buy or import it again (\`${snapshot.command(`numbers import ${row.e164} --into ${row.provider}`)}\`)`,
      }),
    );
  },
};
