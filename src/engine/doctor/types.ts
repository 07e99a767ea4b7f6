import type { ProviderCapabilities } from '../../domain/capabilities.js';
import type { ProviderName, Slot } from '../../domain/model.js';
import type { FleetAgent, FleetReads, FleetRecord, LifecycleOpRow, LifecycleState, SyncStateRow } from '../../store/index.js';

/**
 * `voicenum doctor`: the troubleshooting checklists of the voice-AI platforms run over the cache.
 * Each check is a function of a DoctorSnapshot (what the cache knows, plus the result of the
 * optional network probes) that returns findings; platform differences come from the capability
 * descriptors, never from a provider's name. A check over the numbers reads only the records that
 * can be wrong its way (the snapshot's `fleet`): SQLite picks them out of the whole fleet.
 */

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a finding is about: a provider account, a number, or an agent. */
export type FindingScope = 'account' | 'number' | 'agent';

export interface Finding {
  /** The check's id, stable for monitoring (`no-inbound-agent`, `fallback-self`, ...). */
  check: string;
  severity: Severity;
  scope: FindingScope;
  /** The E.164 number, the agent's name, or the provider for an account finding. */
  subject: string;
  provider: ProviderName | null;
  /** What is wrong. */
  problem: string;
  /** Why it matters: what callers or the operator run into. */
  impact: string;
  /** The voicenum command that fixes it; `<agent>` and the like mark what the operator chooses. */
  fix: string | null;
  /** What to do by hand, and where: the way when voicenum cannot do it, else the other way. */
  manual: string | null;
}

/** One provider's credentials probe: one cheap call, timed. */
export interface AccountProbe {
  provider: ProviderName;
  ok: boolean;
  /** Whether the provider rejected the credentials (as opposed to failing otherwise). */
  rejected: boolean;
  latencyMs: number;
  detail: string | null;
}

export interface DoctorSettings {
  cacheMaxAge: string;
  cacheMaxAgeMs: number;
  /** The team's region for carrier numbers, or null when none is set. */
  defaultRegion: string | null;
  oneAgentPerNumber: boolean;
  oneNumberPerAgent: boolean;
}

export interface CacheHealth {
  schemaVersion: number;
  expectedVersion: number;
  /** What SQLite's quick_check reported other than `ok`. */
  integrityProblems: string[];
}

/** Everything the checks read. Built once (snapshot.ts); the checks never touch the store. */
export interface DoctorSnapshot {
  now: Date;
  /** The number records, read per check: each asks for those that can be wrong its way. */
  fleet: FleetReads;
  /** Every agent, removed ones included. */
  agents: FleetAgent[];
  syncStates: SyncStateRow[];
  /** Providers the profile has credentials for. */
  configured: ProviderName[];
  settings: DoctorSettings;
  /** Journal entries still open (pending or uncertain) after the reconcile of this run. */
  openIntents: { e164: string; provider: ProviderName; field: string; outcome: string }[];
  /** Lifecycle states by lifecycleKey(e164, provider), and the operations left running. */
  lifecycle: Map<string, LifecycleState>;
  openOperations: LifecycleOpRow[];
  cache: CacheHealth;
  /** Null with --offline (the checks that need the network are skipped). */
  probes: AccountProbe[] | null;
  /** A suggested command line with this run's profile flags: `voicenum --sandbox sync`. */
  command(text: string): string;
  capabilities(provider: ProviderName): ProviderCapabilities;
  /** The carrier's descriptor (the provider agent platforms import numbers from), if any. */
  carrier: ProviderCapabilities | null;
}

/** Lookups the checks share, computed once per snapshot. */
export interface DoctorIndex {
  agent(provider: ProviderName, agentId: string): FleetAgent | undefined;
  /** An agent in a slot as people read it: its name, else its id. */
  agentName(provider: ProviderName, agentId: string): string;
  /** The kind of the agent in a record's inbound slot (a carrier trunk, an application...), if known. */
  inboundKind(row: FleetRecord): string | null;
}

export interface Check {
  id: string;
  /** The severity its findings usually carry (the README table). */
  severity: Severity;
  scope: FindingScope;
  /** Runs only online: with --offline it is skipped. */
  network?: boolean;
  run(snapshot: DoctorSnapshot, index: DoctorIndex): Finding[];
}

export type { Slot };
