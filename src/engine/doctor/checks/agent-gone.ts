import { SLOTS } from '../../../domain/model.js';
import type { FleetRecord } from '../../../store/index.js';
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
    const synced = new Set(snapshot.syncStates.map((state) => state.provider));
    const look = (row: FleetRecord) => {
      if (!synced.has(row.provider)) return;
      for (const slot of SLOTS) {
        for (const held of row.slots[slot]) {
          const agent = index.agent(row.provider, held.agentId);
          if (agent && !agent.removed) continue;
          findings.push(
            numberFinding(row, {
              check: 'agent-gone',
              severity: 'error',
              problem: `the ${slot} agent ${agent ? `${agent.name} (${held.agentId}) was deleted upstream` : `${held.agentId} does not exist at ${snapshot.capabilities(row.provider).displayName}`}`,
              impact: slot === 'sms' ? 'texts to it are not answered' : slot === 'outbound' ? 'calls cannot be placed from it' : 'calls to it fail',
              fix: snapshot.command(`assign ${row.e164}${providerFlag(index, row)} ${slotFlag(slot)} <agent> --yes`),
              manual: `restore the agent ${inDashboard(snapshot, row.provider)}`,
            }),
          );
        }
      }
    };
    for (const row of index.rows) look(row);
    for (const record of index.carrierRecords) if (index.holderOf.has(record.providerId)) look(record);
    return findings;
  },
};
