import { matchAgents, suggestAgentNames } from './agent-ref.js';
import { didYouMean } from './suggest.js';
import { featureOwners, type CapabilityCatalog, type ProviderCapabilities } from './capabilities.js';
import type { ProviderName, Slot } from './model.js';
import { SLOTS } from './model.js';
import type { AgentSpec } from './slot-spec.js';
import { withArticle } from './wording.js';

/**
 * The rules every change is checked against before anything is pushed (product.md §2). Pure:
 * it reads a snapshot of the cache and returns a plan with every refusal at once; it never
 * talks to a provider or writes anything.
 */

/** An agent as the cache knows it. */
export interface KnownAgent {
  provider: ProviderName;
  id: string;
  name: string;
  kind: string;
  live: boolean | null;
  removed: boolean;
}

/** An agent in a slot, as planned or as held. */
export interface PlannedAgent {
  agentId: string;
  name: string | null;
  kind: string;
  weight: number;
  version: string | null;
}

/** What the rules need to know of a number. */
export interface NumberFacts {
  e164: string;
  provider: ProviderName;
  providerId: string;
  status: string | null;
  removed: boolean;
  needsAttention: string | null;
  origin: string | null;
  capabilities: { voice: boolean | null; sms: boolean | null };
  slots: Record<Slot, PlannedAgent[]>;
}

export type SlotRequest = { action: 'assign'; agents: AgentSpec[] } | { action: 'clear' };

export interface Policies {
  oneAgentPerNumber: boolean;
  oneNumberPerAgent: boolean;
}

export type ChangeKind = 'assign' | 'move' | 'unassign' | 'unchanged';

export interface SlotChange {
  slot: Slot;
  kind: ChangeKind;
  before: PlannedAgent[];
  after: PlannedAgent[];
  /** What else the change does that the slot alone does not show (a trunk move cuts another platform off). */
  note?: string;
}

/**
 * Another number changed because of `one-number-per-agent`: planned by the same rules as a direct
 * change of it, so a policy never does what a command could not.
 */
export interface SideEffect {
  number: NumberFacts;
  /** Why: which agent leaves it, under which policy. */
  reason: string;
  changes: SlotChange[];
}

export interface NumberPlan {
  number: NumberFacts;
  changes: SlotChange[];
  sideEffects: SideEffect[];
  /** Why it must not go ahead; empty when it may. */
  refusals: string[];
  /** What an operator must confirm (moves, unassigning a held slot). */
  confirmations: string[];
  /**
   * What to do about the refusals (`voicenum agents list`, `voicenum sync`), apart from them so that
   * a batch says each once rather than once per number.
   */
  hints: string[];
}

export interface PlanContext {
  /** What each provider can do (the provider registry's descriptors). */
  capabilities: CapabilityCatalog;
  /** Every cached agent of every provider (for helpful cross-provider messages). */
  agents: readonly KnownAgent[];
  policies: Policies;
  allowDraft: boolean;
  /** Skip the needs-attention guard (the operator fixed it by hand). */
  force: boolean;
  /** Other numbers of the provider holding this agent in this slot (for one-number-per-agent). */
  holders(provider: ProviderName, agentId: string, slot: Slot, except: string): NumberFacts[];
  /** The platforms (not the carrier) holding a record of this E.164: where a carrier's trunk carries its calls. */
  platformsOf?(e164: string): ProviderName[];
}

/** Why a provider has no such slot on this number, or null when it has. */
export function slotUnavailable(capabilities: ProviderCapabilities, number: Pick<NumberFacts, 'origin'>, slot: Slot): string | null {
  const support = capabilities.slots[slot];
  if (!support.offered) return support.reason;
  if (slot === 'sms' && capabilities.sms.model === 'inbound-on-imported' && number.origin !== capabilities.sms.origin) return capabilities.sms.notImported;
  return null;
}

/** The agent kinds a slot of a provider takes. */
function acceptedKinds(capabilities: ProviderCapabilities, slot: Slot): readonly string[] {
  const support = capabilities.slots[slot];
  return support.offered ? support.kinds : [];
}

const KIND_WORDS: Record<string, string> = { chat: 'a chat agent', voice: 'a voice agent', pathway: 'a pathway', 'twiml-app': 'a TwiML application' };

function describeAgent(agent: { name: string | null; agentId: string }): string {
  return agent.name ? `${agent.name} (${agent.agentId})` : agent.agentId;
}

export function describeSlot(agents: readonly PlannedAgent[]): string {
  if (agents.length === 0) return '(none)';
  return agents.map((a) => `${a.name ?? a.agentId}${a.version !== null ? `@${a.version}` : ''}${agents.length > 1 ? `=${a.weight}` : ''}`).join(', ');
}

function sameAgents(a: readonly PlannedAgent[], b: readonly PlannedAgent[]): boolean {
  if (a.length !== b.length) return false;
  const key = (x: PlannedAgent) => `${x.agentId}|${Math.round(x.weight * 1e6)}|${x.version ?? ''}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((value, i) => value === right[i]);
}

export { sameAgents };

/** Resolve one typed agent among the number's own provider's agents, or say why not. */
function resolveAgent(spec: AgentSpec, number: NumberFacts, agents: readonly KnownAgent[]): { agent?: KnownAgent; refusal?: string; hint?: string } {
  if (spec.ref.provider && spec.ref.provider !== number.provider) {
    return { refusal: `"${spec.text}" names ${withArticle(spec.ref.provider)} agent, but ${number.e164} is ${withArticle(number.provider)} number: ${withArticle(number.provider)} number takes ${number.provider} agents only` };
  }
  const own = agents.filter((agent) => agent.provider === number.provider);
  const matches = matchAgents({ provider: number.provider, key: spec.ref.key }, own);
  if (matches.length === 1) return { agent: matches[0]! };
  if (matches.length > 1) {
    return { refusal: `"${spec.ref.key}" is ambiguous at ${number.provider}: ${matches.map((m) => `${m.name} (${m.id})`).join(', ')}; name it by id` };
  }
  const elsewhere = matchAgents({ provider: null, key: spec.ref.key }, agents.filter((agent) => agent.provider !== number.provider));
  if (elsewhere.length) {
    const where = [...new Set(elsewhere.map((a) => a.provider))].join(' and ');
    return { refusal: `no ${number.provider} agent "${spec.ref.key}" (${where} has one, but ${withArticle(number.provider)} number takes ${number.provider} agents only)` };
  }
  return { refusal: `no agent "${spec.ref.key}" at ${number.provider}${didYouMean(suggestAgentNames({ provider: number.provider, key: spec.ref.key }, own))}`, hint: `see \`voicenum agents list --provider ${number.provider}\`, or run \`voicenum sync\` if it is new` };
}

/** Rule 5 for any change to a record: it still exists upstream and is not stuck after a failed change. */
export function recordRefusals(number: Pick<NumberFacts, 'e164' | 'provider' | 'removed' | 'needsAttention'>, force: boolean): string[] {
  const refusals: string[] = [];
  if (number.removed) refusals.push(`${number.e164} vanished from ${number.provider} at the last sync; it can no longer be changed`);
  if (number.needsAttention && !force) refusals.push(`${number.e164} needs attention after a failed change: ${number.needsAttention}`);
  return refusals;
}

/** What to do about recordRefusals' needs-attention refusal; said once however many numbers have it. */
export function recordHint(number: Pick<NumberFacts, 'needsAttention'>, force: boolean): string | undefined {
  return number.needsAttention && !force ? 'fix it by hand, then run `voicenum sync` to clear the flag, or pass --force' : undefined;
}

/** Check one number's requested slot changes against every rule; all refusals are collected. */
export function planNumber(number: NumberFacts, requests: Partial<Record<Slot, SlotRequest>>, context: PlanContext): NumberPlan {
  const refusals: string[] = [];
  const confirmations: string[] = [];
  const changes: SlotChange[] = [];
  const sideEffects: SideEffect[] = [];
  const hints = new Set<string>();
  const capabilities = context.capabilities.of(number.provider);

  // Rule 5: the number itself must be usable.
  refusals.push(...recordRefusals(number, context.force));
  const attention = recordHint(number, context.force);
  if (attention) hints.add(attention);
  if (number.status === 'blocked') refusals.push(`${number.e164} is blocked at ${number.provider}; unblock it there first`);

  for (const slot of SLOTS) {
    const request = requests[slot];
    if (!request) continue;
    // Rule 2: the provider has this slot.
    const unavailable = slotUnavailable(capabilities, number, slot);
    if (unavailable) {
      refusals.push(`${slot}: ${unavailable}`);
      continue;
    }
    const before = number.slots[slot];
    if (request.action === 'clear') {
      const note = trunkNote(number, slot, before, [], context);
      changes.push({ slot, kind: before.length ? 'unassign' : 'unchanged', before, after: [], ...(note ? { note } : {}) });
      if (before.length) confirmations.push(`unassign ${slot} of ${number.e164}: ${describeSlot(before)} stops ${slot === 'outbound' ? 'calling from' : slot === 'sms' ? 'texting for' : 'answering'} it${note ? `; this ${note}` : ''}`);
      continue;
    }
    // Rule 3: the number can do it, where the capability is known.
    if (slot === 'sms' && number.capabilities.sms === false) refusals.push(`sms: ${number.e164} cannot send or receive texts (its ${capabilities.carrier ? '' : `${carrierName(context.capabilities)} carrier `}record says so)`);
    if (slot !== 'sms' && number.capabilities.voice === false) refusals.push(`${slot}: ${number.e164} is not voice-capable`);
    if (request.agents.length > 1 && !capabilities.weightedSplits) refusals.push(`${slot}: ${number.provider} takes one agent per slot; weighted splits are a ${featureOwners(context.capabilities, (c) => c.weightedSplits)} feature`);
    const after: PlannedAgent[] = [];
    for (const spec of request.agents) {
      // Rules 1 and 4: the agent belongs to the number's provider, exists, is live and fits the slot.
      const { agent, refusal, hint } = resolveAgent(spec, number, context.agents);
      if (hint) hints.add(hint);
      if (!agent) {
        refusals.push(`${slot}: ${refusal}`);
        continue;
      }
      if (agent.removed) refusals.push(`${slot}: agent ${agent.name} (${agent.id}) was deleted or archived upstream`);
      if (agent.live === false && !context.allowDraft) refusals.push(`${slot}: agent ${agent.name} (${agent.id}) has no published version; pass --allow-draft to assign a draft`);
      const kinds = acceptedKinds(capabilities, slot);
      if (!kinds.includes(agent.kind)) {
        refusals.push(`${slot}: ${agent.name} is ${KIND_WORDS[agent.kind] ?? `a ${agent.kind}`}; ${withArticle(number.provider)} ${slot} slot takes ${kinds.map((k) => KIND_WORDS[k] ?? k).join(' or ')}`);
      }
      if (spec.version !== null && !capabilities.versionPins) refusals.push(`${slot}: version pins (${spec.text}) are a ${featureOwners(context.capabilities, (c) => c.versionPins)} feature`);
      after.push({ agentId: agent.id, name: agent.name, kind: agent.kind, weight: spec.weight, version: spec.version });
    }
    if (after.length !== request.agents.length) continue;
    const kind: ChangeKind = sameAgents(before, after) ? 'unchanged' : before.length === 0 ? 'assign' : 'move';
    const note = kind === 'move' ? trunkNote(number, slot, before, after, context) : null;
    changes.push({ slot, kind, before, after, ...(note ? { note } : {}) });
    // Rule 6: replacing a held slot is a move the operator confirms.
    if (kind === 'move') confirmations.push(`move ${slot} of ${number.e164}: ${describeSlot(before)} loses it at once, ${describeSlot(after)} takes it${note ? `; this ${note}` : ''}`);
  }

  // Where texts go to the inbound agent (Vapi), the two slots cannot differ.
  if (capabilities.sms.model === 'inbound-on-imported' && number.origin === capabilities.sms.origin) {
    const final = finalSlots(number, changes);
    if (final.sms.length && !sameAgents(final.sms.map((a) => ({ ...a, version: null })), final.inbound.map((a) => ({ ...a, version: null })))) {
      refusals.push(`sms: ${capabilities.sms.mismatch}`);
    }
  }

  // Rule 7: team policies.
  if (context.policies.oneAgentPerNumber) {
    const final = finalSlots(number, changes);
    const named = new Set(SLOTS.flatMap((slot) => final[slot].map((a) => a.agentId)));
    if (named.size > 1) {
      refusals.push(`policy one-agent-per-number: ${number.e164} would name ${SLOTS.filter((s) => final[s].length).map((s) => `${describeSlot(final[s])} on ${s}`).join(' and ')}`);
    }
  }
  if (context.policies.oneNumberPerAgent) {
    // Every other number that loses an agent, with all of its slots that change, planned once.
    const others = new Map<string, { number: NumberFacts; requests: Partial<Record<Slot, SlotRequest>>; remaining: Partial<Record<Slot, PlannedAgent[]>>; leaving: string[] }>();
    for (const change of changes) {
      if (change.kind !== 'assign' && change.kind !== 'move') continue;
      for (const agent of change.after) {
        if (change.before.some((b) => b.agentId === agent.agentId)) continue;
        for (const other of context.holders(number.provider, agent.agentId, change.slot, number.providerId)) {
          const entry = others.get(other.providerId) ?? { number: other, requests: {}, remaining: {}, leaving: [] };
          const otherBefore = entry.remaining[change.slot] ?? other.slots[change.slot];
          const remaining = otherBefore.filter((a) => a.agentId !== agent.agentId);
          const total = remaining.reduce((sum, a) => sum + a.weight, 0);
          if (remaining.length && Math.abs(total - 1) > 1e-6) {
            refusals.push(`policy one-number-per-agent: ${describeAgent(agent)} would have to leave ${other.e164}'s ${change.slot} split, which would no longer sum to 1; change that number first`);
            continue;
          }
          entry.remaining[change.slot] = remaining;
          entry.requests[change.slot] = remainingRequest(remaining);
          entry.leaving.push(`${agent.name ?? agent.agentId} leaves ${other.e164} (${change.slot})`);
          // Where texts go to the inbound handler (Vapi): taking the handler away takes the texts
          // too, so the sms slot is part of the change, planned and checked like a direct one.
          if (context.capabilities.of(other.provider).sms.model === 'inbound-on-imported' && change.slot === 'inbound' && other.slots.sms.length && sameAgents(other.slots.sms, other.slots.inbound) && !entry.requests.sms) {
            entry.requests.sms = remainingRequest(remaining);
          }
          others.set(other.providerId, entry);
        }
      }
    }
    for (const { number: other, requests, leaving } of others.values()) {
      // The same rules as a direct change of that number (policies aside, to not chain moves). A
      // number left needing attention is never written as a side effect, --force or not: the
      // operator named another number.
      const side = planNumber(other, requests, { ...context, force: false, policies: { ...context.policies, oneNumberPerAgent: false } });
      const reason = `policy one-number-per-agent: ${leaving.join(', ')}`;
      refusals.push(...side.refusals.map((refusal) => `${reason}, but ${refusal}`));
      const moved = side.changes.filter((c) => c.kind !== 'unchanged');
      if (side.refusals.length || moved.length === 0) continue;
      sideEffects.push({ number: other, reason, changes: side.changes });
      confirmations.push(`${reason}: ${side.confirmations.join('; ')}`);
    }
  }

  return { number, changes, sideEffects, refusals, confirmations, hints: [...hints] };
}

/** The request that leaves a slot with only these agents. */
function remainingRequest(remaining: PlannedAgent[]): SlotRequest {
  if (remaining.length === 0) return { action: 'clear' };
  return { action: 'assign', agents: remaining.map((a) => ({ ref: { provider: null, key: a.agentId }, weight: a.weight, version: a.version, text: a.name ?? a.agentId })) };
}

/**
 * A carrier number (Twilio) whose inbound is a trunk is how another platform (Retell, Vapi, Bland)
 * gets its calls: moving it off the trunk disconnects that platform, which the plan must say.
 */
function trunkNote(number: NumberFacts, slot: Slot, before: readonly PlannedAgent[], after: readonly PlannedAgent[], context: PlanContext): string | null {
  const carrier = context.capabilities.of(number.provider).carrier;
  if (!carrier || slot !== 'inbound') return null;
  const trunk = before.find((a) => a.kind === carrier.trunkKind && !after.some((b) => b.agentId === a.agentId));
  if (!trunk) return null;
  const platforms = context.platformsOf?.(number.e164) ?? [];
  if (platforms.length === 0) return null;
  return `disconnects it from ${platforms.join(' and ')} (its calls reach ${platforms.length > 1 ? 'them' : 'it'} through trunk ${trunk.name ?? trunk.agentId})`;
}

/** The carrier's display name, for messages about a platform number's carrier record. */
function carrierName(catalog: CapabilityCatalog): string {
  return featureOwners(catalog, (c) => c.carrier !== null);
}

function finalSlots(number: NumberFacts, changes: readonly SlotChange[]): Record<Slot, PlannedAgent[]> {
  const final = { ...number.slots };
  for (const change of changes) final[change.slot] = change.after;
  return final;
}

/** Whether applying the plan changes anything upstream. */
export function planChangesSomething(plan: NumberPlan): boolean {
  return plan.changes.some((change) => change.kind !== 'unchanged') || plan.sideEffects.some((side) => side.changes.some((c) => c.kind !== 'unchanged'));
}
