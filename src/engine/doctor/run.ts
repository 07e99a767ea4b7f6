import type { ProviderName } from '../../domain/model.js';
import { agentGone } from './checks/agent-gone.js';
import { agentNotLive } from './checks/agent-not-live.js';
import { agentNameShared, agentWithoutNumber } from './checks/agents.js';
import { cacheHealth } from './checks/cache-health.js';
import { cacheStale } from './checks/cache-stale.js';
import { smsWithoutCapability, voiceWithoutCapability } from './checks/capability-mismatch.js';
import { carrierRegionDiffers, carrierRegionMissing } from './checks/carrier-region.js';
import { carrierRoutedNowhere, carrierRoutingElsewhere, carrierTrunkUnheld } from './checks/carrier-routing.js';
import { credentials } from './checks/credentials.js';
import { fallbackSelf } from './checks/fallback-self.js';
import { journalOpen } from './checks/journal-open.js';
import { neverSynced } from './checks/never-synced.js';
import { noInboundAgent } from './checks/no-inbound-agent.js';
import { lifecycleOpen, needsAttention, removedUpstream } from './checks/number-state.js';
import { policyOneAgentPerNumber, policyOneNumberPerAgent } from './checks/policies.js';
import { buildIndex, byText } from './lookup.js';
import { SEVERITIES, type Check, type DoctorSnapshot, type Finding } from './types.js';

/** Every check, in the order the README lists them: accounts, numbers, agents. */
export const CHECKS: readonly Check[] = [
  credentials,
  neverSynced,
  cacheStale,
  cacheHealth,
  journalOpen,
  noInboundAgent,
  agentGone,
  agentNotLive,
  smsWithoutCapability,
  voiceWithoutCapability,
  carrierRoutedNowhere,
  carrierTrunkUnheld,
  carrierRoutingElsewhere,
  carrierRegionMissing,
  carrierRegionDiffers,
  needsAttention,
  lifecycleOpen,
  removedUpstream,
  policyOneAgentPerNumber,
  policyOneNumberPerAgent,
  fallbackSelf,
  agentWithoutNumber,
  agentNameShared,
];

export interface DoctorScope {
  /** Only these numbers (and the accounts of their providers); agent checks are left out. */
  numbers?: readonly string[];
  providers?: readonly ProviderName[];
}

/**
 * Run every check over the snapshot (the network ones only when it has probes) and keep what the
 * scope asks for, errors first, then warnings, then notes; within a severity by check, then subject.
 */
export function runChecks(snapshot: DoctorSnapshot, scope: DoctorScope = {}): Finding[] {
  const index = buildIndex(snapshot);
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    if (check.network && snapshot.probes === null) continue;
    findings.push(...check.run(snapshot, index));
  }
  const numbers = scope.numbers?.length ? new Set(scope.numbers) : null;
  const providers = scope.providers?.length ? new Set<string>(scope.providers) : null;
  const numberProviders = numbers ? new Set<string>(snapshot.fleet.providersOf([...numbers])) : null;
  const kept = !numbers && !providers ? findings : findings.filter((finding) => {
    if (providers && (finding.provider === null || !providers.has(finding.provider))) return finding.provider === null && !numbers;
    if (!numbers) return true;
    if (finding.scope === 'number') return numbers.has(finding.subject);
    if (finding.scope === 'account') return finding.provider === null || numberProviders!.has(finding.provider);
    return false;
  });
  // One rank per finding, worked out before sorting (not twice per comparison): severity, then check.
  const order = new Map(CHECKS.map((check, i) => [check.id, i]));
  const ranked = kept.map((finding) => ({ finding, rank: SEVERITIES.indexOf(finding.severity) * (CHECKS.length + 1) + (order.get(finding.check) ?? CHECKS.length) }));
  return ranked.sort((a, b) => a.rank - b.rank || byText(a.finding.subject, b.finding.subject)).map((entry) => entry.finding);
}

/** How many findings of each severity. */
export function countBySeverity(findings: readonly Finding[]): Record<(typeof SEVERITIES)[number], number> {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}
