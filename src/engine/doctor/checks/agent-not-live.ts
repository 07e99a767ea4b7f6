import { SLOTS } from '../../../domain/model.js';
import type { Check, Finding } from '../types.js';
import { inDashboard, numberFinding, slotFlag } from '../lookup.js';

/** A slot naming an agent with no published (live, production) version: a draft or inactive agent. */
export const agentNotLive: Check = {
  id: 'agent-not-live',
  severity: 'warning',
  scope: 'number',
  run(snapshot, index) {
    const findings: Finding[] = [];
    for (const row of snapshot.fleet.rowsWithDraftAgent()) {
      for (const slot of SLOTS) {
        for (const held of row.slots[slot]) {
          const agent = index.agent(row.provider, held.agentId);
          if (!agent || agent.removed || agent.live !== false) continue;
          findings.push(
            numberFinding(agentNotLive, row, {
              problem: `the ${slot} agent ${agent.name} has no published version (draft only or inactive)`,
              impact: 'the platform may answer with an unfinished agent, or not at all',
              fix: snapshot.command(`assign ${row.e164} ${slotFlag(slot)} <agent> --yes`),
              manual: `publish ${agent.name} ${inDashboard(snapshot, row.provider)}`,
            }),
          );
        }
      }
    }
    return findings;
  },
};
