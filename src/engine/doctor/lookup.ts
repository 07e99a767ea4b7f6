import type { ProviderName, Slot } from '../../domain/model.js';
import type { CachedSlotAgent, NumberRow } from '../../store/index.js';
import type { DoctorIndex, DoctorSnapshot, Finding } from './types.js';

/** The lookups every check shares, built in one pass over the snapshot. */
export function buildIndex(snapshot: DoctorSnapshot): DoctorIndex {
  const carrier = snapshot.carrier?.name ?? null;
  const live = snapshot.numbers.filter((row) => !row.removed);
  const platformByE164 = new Map<string, NumberRow[]>();
  for (const row of live) {
    if (row.provider === carrier) continue;
    const list = platformByE164.get(row.e164);
    if (list) list.push(row);
    else platformByE164.set(row.e164, [row]);
  }
  const carrierRecords = live.filter((row) => row.provider === carrier);
  const carrierById = new Map(carrierRecords.map((row) => [row.providerId, row]));
  const holderOf = new Map<string, NumberRow[]>();
  for (const record of carrierRecords) {
    const holders = platformByE164.get(record.e164);
    if (holders) holderOf.set(record.providerId, holders);
  }
  const agents = new Map(snapshot.agents.map((agent) => [`${agent.provider}\u0000${agent.id}`, agent]));
  return {
    rows: live.filter((row) => row.provider !== carrier || !holderOf.has(row.providerId)),
    carrierRecords,
    removed: snapshot.numbers.filter((row) => row.removed),
    holderOf,
    carrierOf: (row) => (row.carrier ? (carrierById.get(row.carrier.providerId) ?? null) : null),
    agent: (provider, agentId) => agents.get(`${provider}\u0000${agentId}`),
  };
}

/** An agent in a slot as people read it: its name, else its id. */
export function agentName(agent: Pick<CachedSlotAgent, 'agentId' | 'name'>): string {
  return agent.name ?? agent.agentId;
}

/** The flag of a slot on `assign`/`unassign`. */
export const slotFlag = (slot: Slot): string => `--${slot}`;

/** Where to do it by hand: "in the Retell dashboard (https://…)". */
export function inDashboard(snapshot: DoctorSnapshot, provider: ProviderName): string {
  const capabilities = snapshot.capabilities(provider);
  const dashboard = capabilities.dashboard;
  return dashboard ? `in the ${dashboard.name} (${dashboard.url})` : `in the ${capabilities.displayName} dashboard`;
}

/** `--provider P` for a carrier record a platform also holds: a command must say which record it means. */
export function providerFlag(index: DoctorIndex, row: NumberRow): string {
  return index.holderOf.has(row.providerId) ? ` --provider ${row.provider}` : '';
}

/** A finding about a number. */
export function numberFinding(row: Pick<NumberRow, 'e164' | 'provider'>, finding: Omit<Finding, 'scope' | 'subject' | 'provider' | 'manual' | 'fix'> & { fix?: string | null; manual?: string | null }): Finding {
  return { scope: 'number', subject: row.e164, provider: row.provider, fix: null, manual: null, ...finding };
}

/** Whether a number is in service upstream (not activating, blocked or gone). */
export function inService(row: NumberRow): boolean {
  const status = row.status?.toLowerCase() ?? null;
  return !row.removed && (status === null || status === 'active' || status === 'in-use');
}
