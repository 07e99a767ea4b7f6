import { SLOTS, type Slot } from '../../../domain/model.js';
import type { FleetRecord } from '../../../store/index.js';
import type { Check, Finding } from '../types.js';
import { byText, numberFinding } from '../lookup.js';

/**
 * The team policies, when on, already broken upstream (an edit on a dashboard, or numbers that were
 * so before the policy was turned on). voicenum enforces them only on its own changes.
 */
export const policyOneAgentPerNumber: Check = {
  id: 'policy-one-agent-per-number',
  severity: 'warning',
  scope: 'number',
  run(snapshot, index) {
    if (!snapshot.settings.oneAgentPerNumber) return [];
    const findings: Finding[] = [];
    for (const row of snapshot.fleet.platformRowsWithSeveralAgents()) {
      if (row.provider === snapshot.carrier?.name) continue;
      const named = new Set(SLOTS.flatMap((slot) => row.slots[slot].map((agent) => agent.agentId)));
      if (named.size <= 1) continue;
      // Keep the inbound agent (what callers reach); the other slots are what to empty.
      const keep = row.slots.inbound[0]?.agentId ?? SLOTS.map((slot) => row.slots[slot][0]?.agentId).find(Boolean);
      const off = SLOTS.filter((slot) => row.slots[slot].some((agent) => agent.agentId !== keep));
      findings.push(
        numberFinding(policyOneAgentPerNumber, row, {
          problem: `policy one-agent-per-number is on, but its slots name ${SLOTS.filter((slot) => row.slots[slot].length).map((slot) => `${row.slots[slot].map((a) => index.agentName(row.provider, a.agentId)).join('+')} on ${slot}`).join(' and ')}`,
          impact: 'the team rule is broken (changed on a dashboard, or before the policy was on); voicenum refuses changes that keep it broken',
          fix: snapshot.command(`unassign ${row.e164} ${off.map((slot) => `--${slot}`).join(' ')} --yes`),
        }),
      );
    }
    return findings;
  },
};

export const policyOneNumberPerAgent: Check = {
  id: 'policy-one-number-per-agent',
  severity: 'warning',
  scope: 'number',
  run(snapshot, index) {
    if (!snapshot.settings.oneNumberPerAgent) return [];
    const holders = new Map<string, { slot: Slot; rows: FleetRecord[]; name: string }>();
    // Every row of an agent held more than once: its groups below are whole.
    for (const row of snapshot.fleet.platformRowsSharingAgents()) {
      if (row.provider === snapshot.carrier?.name) continue;
      for (const slot of SLOTS) {
        for (const agent of row.slots[slot]) {
          const key = `${row.provider}\u0000${agent.agentId}\u0000${slot}`;
          const entry = holders.get(key) ?? { slot, rows: [], name: index.agentName(row.provider, agent.agentId) };
          entry.rows.push(row);
          holders.set(key, entry);
        }
      }
    }
    const findings: Finding[] = [];
    for (const { slot, rows, name } of holders.values()) {
      if (rows.length <= 1) continue;
      const [first, ...others] = rows.sort((a, b) => byText(a.e164, b.e164));
      for (const row of others) {
        findings.push(
          numberFinding(policyOneNumberPerAgent, row, {
            problem: `policy one-number-per-agent is on, but ${name} holds ${rows.length} numbers on ${slot} (this one and ${first!.e164}${rows.length > 2 ? ` and ${rows.length - 2} more` : ''})`,
            impact: 'the team rule is broken (changed on a dashboard, or before the policy was on); the next assign of this agent moves it off every other number',
            fix: snapshot.command(`unassign ${row.e164} --${slot} --yes`),
          }),
        );
      }
    }
    return findings.sort((a, b) => byText(a.subject, b.subject));
  },
};
