import type { ProviderName, Slot } from '../../domain/model.js';
import type { AgentRow, FleetRecord } from '../../store/index.js';
import type { DoctorIndex, DoctorSnapshot, Finding } from './types.js';

/** The lookups every check shares, built in one pass over the snapshot. */
export function buildIndex(snapshot: DoctorSnapshot): DoctorIndex {
  const carrier = snapshot.carrier?.name ?? null;
  const live = snapshot.numbers.filter((row) => !row.removed);
  const platformByE164 = new Map<string, FleetRecord[]>();
  for (const row of live) {
    if (row.provider === carrier) continue;
    const list = platformByE164.get(row.e164);
    if (list) list.push(row);
    else platformByE164.set(row.e164, [row]);
  }
  const carrierRecords = live.filter((row) => row.provider === carrier);
  const byRowId = new Map(carrierRecords.map((row) => [row.rowId, row]));
  const holderOf = new Map<string, FleetRecord[]>();
  for (const record of carrierRecords) {
    const holders = platformByE164.get(record.e164);
    if (holders) holderOf.set(record.providerId, holders);
  }
  // Per provider, then by id: a lookup allocates nothing (checks look agents up per slot of every number).
  const agents = new Map<ProviderName, Map<string, AgentRow>>();
  for (const agent of snapshot.agents) {
    const ofProvider = agents.get(agent.provider) ?? new Map<string, AgentRow>();
    ofProvider.set(agent.id, agent);
    agents.set(agent.provider, ofProvider);
  }
  const agentOf = (provider: ProviderName, agentId: string) => agents.get(provider)?.get(agentId);
  return {
    rows: live.filter((row) => row.provider !== carrier || !holderOf.has(row.providerId)),
    carrierRecords,
    removed: snapshot.numbers.filter((row) => row.removed),
    holderOf,
    carrierOf: (row) => (row.carrierRowId === null ? null : (byRowId.get(row.carrierRowId) ?? null)),
    agent: agentOf,
    agentName: (provider, agentId) => agentOf(provider, agentId)?.name ?? agentId,
    inboundKind: (row) => {
      const held = row.slots.inbound[0];
      return held ? (agentOf(row.provider, held.agentId)?.kind ?? null) : null;
    },
  };
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
export function providerFlag(index: DoctorIndex, row: FleetRecord): string {
  return index.holderOf.has(row.providerId) ? ` --provider ${row.provider}` : '';
}

/** A finding about a number. */
export function numberFinding(row: Pick<FleetRecord, 'e164' | 'provider'>, finding: Omit<Finding, 'scope' | 'subject' | 'provider' | 'manual' | 'fix'> & { fix?: string | null; manual?: string | null }): Finding {
  return { scope: 'number', subject: row.e164, provider: row.provider, fix: null, manual: null, ...finding };
}

/** Whether a number is in service upstream (not activating, blocked or gone). */
export function inService(row: FleetRecord): boolean {
  const status = row.status?.toLowerCase() ?? null;
  return !row.removed && (status === null || status === 'active' || status === 'in-use');
}

/** Plain code-point order for sorting numbers and names (localeCompare is slow over thousands). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
