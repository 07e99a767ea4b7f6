import { SLOTS } from '../../../domain/model.js';
import type { Check, Finding } from '../types.js';
import { inDashboard } from '../lookup.js';

/**
 * An agent that holds no number on any slot made for its kind: it answers nothing and, where the
 * platform places calls from a number (an outbound slot), it cannot call either. Carrier trunks are
 * known only from the numbers on them, so they never show here.
 */
export const agentWithoutNumber: Check = {
  id: 'agent-without-number',
  severity: 'info',
  scope: 'agent',
  run(snapshot) {
    const findings: Finding[] = [];
    for (const agent of snapshot.agents) {
      if (agent.removed) continue;
      const capabilities = snapshot.capabilities(agent.provider);
      const slots = SLOTS.filter((slot) => {
        const support = capabilities.slots[slot];
        return support.offered && support.kinds.includes(agent.kind);
      });
      if (slots.length === 0 || slots.some((slot) => agent.holds[slot])) continue;
      const ref = `${agent.provider}:${agent.id}`;
      findings.push({
        check: 'agent-without-number',
        severity: 'info',
        scope: 'agent',
        subject: agent.name,
        provider: agent.provider,
        problem: `${agent.name} (${agent.id}) holds no number on ${slots.join(' or ')}`,
        impact: slots.includes('outbound') ? 'it answers no calls and cannot place any: an outbound agent needs a number to call from' : 'it answers nothing: no number routes to it',
        // A draft-only agent can be assigned only on purpose (rule 4 of assign).
        fix: snapshot.command(`assign <number> --${slots[0]} ${ref}${agent.live === false ? ' --allow-draft' : ''}`),
        manual: `if it is no longer used, delete it ${inDashboard(snapshot, agent.provider)}`,
      });
    }
    return findings;
  },
};

/** Several agents of one provider with the same name: commands that name it are ambiguous. */
export const agentNameShared: Check = {
  id: 'agent-name-shared',
  severity: 'warning',
  scope: 'agent',
  run(snapshot) {
    const byName = new Map<string, typeof snapshot.agents>();
    for (const agent of snapshot.agents) {
      if (agent.removed) continue;
      const key = `${agent.provider}\u0000${agent.name.toLowerCase()}`;
      byName.set(key, [...(byName.get(key) ?? []), agent]);
    }
    const findings: Finding[] = [];
    for (const agents of byName.values()) {
      if (agents.length < 2) continue;
      const { provider, name } = agents[0]!;
      findings.push({
        check: 'agent-name-shared',
        severity: 'warning',
        scope: 'agent',
        subject: name,
        provider,
        problem: `${agents.length} ${snapshot.capabilities(provider).displayName} agents are named ${name} (${agents.map((a) => a.id).join(', ')})`,
        impact: `a command naming ${name} is refused as ambiguous; scripts must use ${provider}:ID`,
        fix: null,
        manual: `rename all but one ${inDashboard(snapshot, provider)}, then \`${snapshot.command(`sync --provider ${provider}`)}\``,
      });
    }
    return findings;
  },
};
