import type { ProviderName } from './model.js';
import { isProviderName } from './model.js';
import { closestNames } from './suggest.js';

/** How an operator names an agent: `name`, `id`, `provider:name` or `provider:id`. */
export interface AgentRef {
  provider: ProviderName | null;
  key: string;
}

export function parseAgentRef(text: string): AgentRef {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon > 0) {
    const prefix = trimmed.slice(0, colon).toLowerCase();
    if (isProviderName(prefix)) return { provider: prefix, key: trimmed.slice(colon + 1).trim() };
  }
  return { provider: null, key: trimmed };
}

export interface NamedAgent {
  provider: ProviderName;
  id: string;
  name: string;
}

/** Agents a reference could mean: an exact id wins over names; names match case-insensitively. */
export function matchAgents<A extends NamedAgent>(ref: AgentRef, agents: readonly A[]): A[] {
  const pool = ref.provider ? agents.filter((agent) => agent.provider === ref.provider) : agents;
  const byId = pool.filter((agent) => agent.id === ref.key);
  if (byId.length) return byId;
  const wanted = ref.key.toLowerCase();
  return pool.filter((agent) => agent.name.toLowerCase() === wanted);
}

/**
 * The names an operator may have meant by a reference that matched no agent: the closest names of
 * the agents it could have named (of its provider, when it gives one), live ones before removed ones.
 */
export function suggestAgentNames<A extends NamedAgent & { removed?: boolean }>(ref: AgentRef, agents: readonly A[]): string[] {
  const pool = ref.provider ? agents.filter((agent) => agent.provider === ref.provider) : agents;
  const live = closestNames(ref.key, pool.filter((agent) => !agent.removed).map((agent) => agent.name));
  return live.length ? live : closestNames(ref.key, pool.map((agent) => agent.name));
}
