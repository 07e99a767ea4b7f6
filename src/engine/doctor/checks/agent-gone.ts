import { SLOTS } from '../../../domain/model.js';
import type { Check, Finding } from '../types.js';
import { inDashboard, numberFinding, providerFlag, slotFlag } from '../lookup.js';

/** A slot naming an agent the platform no longer has (deleted upstream, or never in the cache). */
export const agentGone: Check = {
  id: 'agent-gone',
  severity: 'error',
  scope: 'number',
  run(snapshot, index) {
    const findings: Finding[] = [];
    // A provider never synced has no agents in the cache: that is never-synced, not a deleted agent.
    const synced = snapshot.syncStates.map((state) => state.provider);
    for (const row of snapshot.fleet.withMissingAgent(synced)) {
      for (const slot of SLOTS) {
        for (const held of row.slots[slot]) {
          const agent = index.agent(row.provider, held.agentId);
          if (agent && !agent.removed) continue;
          findings.push(
            numberFinding(agentGone, row, {
              problem: `the ${slot} agent ${agent ? `${agent.name} (${held.agentId}) was deleted upstream` : `${held.agentId} does not exist at ${snapshot.capabilities(row.provider).displayName}`}`,
              impact: slot === 'sms' ? 'texts to it are not answered' : slot === 'outbound' ? 'calls cannot be placed from it' : 'calls to it fail',
              fix: snapshot.command(`assign ${row.e164}${providerFlag(row)} ${slotFlag(slot)} <agent> --yes`),
              manual: `restore the agent ${inDashboard(snapshot, row.provider)}`,
            }),
          );
        }
      }
    }
    return findings;
  },
};
