import type { ProviderName, Slot } from '../../domain/model.js';
import { lifecycleKey, type FleetAgent, type FleetRecord } from '../../store/index.js';
import type { Check, DoctorIndex, DoctorSnapshot, Finding } from './types.js';

/** The agent lookups every check shares. */
export function buildIndex(snapshot: DoctorSnapshot): DoctorIndex {
  // Per provider, then by id: a lookup allocates nothing (checks look agents up per slot of a number).
  const agents = new Map<ProviderName, Map<string, FleetAgent>>();
  for (const agent of snapshot.agents) {
    const ofProvider = agents.get(agent.provider) ?? new Map<string, FleetAgent>();
    ofProvider.set(agent.id, agent);
    agents.set(agent.provider, ofProvider);
  }
  const agentOf = (provider: ProviderName, agentId: string) => agents.get(provider)?.get(agentId);
  return {
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
export function providerFlag(row: FleetRecord): string {
  return row.held ? ` --provider ${row.provider}` : '';
}

/** What a number finding says; the check gives its id and (unless said here) its severity. */
export interface NumberProblem {
  severity?: Finding['severity'];
  problem: string;
  impact: string;
  fix?: string | null;
  manual?: string | null;
}

/** A finding of `check` about a number. */
export function numberFinding(check: Check, row: Pick<FleetRecord, 'e164' | 'provider'>, what: NumberProblem): Finding {
  // Every finding built with one shape (the key order is what --json prints): thousands of them stay
  // cheap to make and to serialise.
  return { scope: 'number', subject: row.e164, provider: row.provider, fix: what.fix ?? null, manual: what.manual ?? null, check: check.id, severity: what.severity ?? check.severity, problem: what.problem, impact: what.impact };
}

/** Whether an import, purchase or release is under way (or stuck) for the record: lifecycle-open speaks for it then. */
export function inLifecycle(snapshot: DoctorSnapshot, row: Pick<FleetRecord, 'e164' | 'provider'>): boolean {
  // Nearly always empty: no key to build for each of thousands of records then.
  return snapshot.lifecycle.size > 0 && snapshot.lifecycle.has(lifecycleKey(row.e164, row.provider));
}

/** Whether a live number is in service upstream (not activating or blocked). */
export function inService(row: Pick<FleetRecord, 'status'>): boolean {
  const status = row.status?.toLowerCase() ?? null;
  return status === null || status === 'active' || status === 'in-use';
}

/** Plain code-point order for sorting numbers and names (localeCompare is slow over thousands). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
