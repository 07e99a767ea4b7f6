import type { Settings } from '../config/settings.js';
import type { ProviderName, Slot } from '../domain/model.js';
import type { KnownAgent, NumberFacts, PlanContext } from '../domain/rules.js';
import { CAPABILITIES } from '../providers/registry.js';
import type { NumberRow, Store } from '../store/index.js';

/** The rules' view of a cached number. */
export function numberFacts(row: NumberRow): NumberFacts {
  const slots = {} as NumberFacts['slots'];
  for (const slot of ['inbound', 'outbound', 'sms'] as const) {
    slots[slot] = row.slots[slot].map((a) => ({ agentId: a.agentId, name: a.name, kind: a.kind ?? 'unknown', weight: a.weight, version: a.version }));
  }
  return {
    e164: row.e164,
    provider: row.provider,
    providerId: row.providerId,
    status: row.status,
    removed: row.removed,
    needsAttention: row.needsAttention,
    origin: row.origin,
    capabilities: row.capabilities,
    slots,
  };
}

export interface PlanFlags {
  allowDraft: boolean;
  force: boolean;
}

/** Everything the rules read, taken from the cache once per command (the agents, unless the caller has read them). */
export function planContext(store: Store, settings: Settings, flags: PlanFlags, agents: readonly KnownAgent[] = store.listAgents({ includeRemoved: true })): PlanContext {
  return {
    capabilities: CAPABILITIES,
    agents,
    policies: { oneAgentPerNumber: settings.oneAgentPerNumber, oneNumberPerAgent: settings.oneNumberPerAgent },
    allowDraft: flags.allowDraft,
    force: flags.force,
    holders(provider: ProviderName, agentId: string, slot: Slot, except: string) {
      // Carrier records too: a Twilio trunk holds numbers that lists show under their platform.
      return store
        .numbersHoldingAgent(provider, agentId)
        .filter((row) => row.providerId !== except && row.slots[slot].some((a) => a.agentId === agentId))
        .map(numberFacts);
    },
    platformsOf(e164: string) {
      return [...new Set(store.findNumbers(e164).filter((row) => !CAPABILITIES.of(row.provider).carrier && !row.removed).map((row) => row.provider))];
    },
  };
}
