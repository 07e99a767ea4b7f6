import { ExitCode, RefusedError } from '../../domain/errors.js';
import { SLOTS, type ProviderName, type Slot } from '../../domain/model.js';
import { describeSlot, planNumber, type NumberFacts, type NumberPlan, type SlotRequest } from '../../domain/rules.js';
import { parseSlotValue } from '../../domain/slot-spec.js';
import { applyPlan, type ApplyResult } from '../../engine/apply.js';
import { numberFacts, planContext } from '../../engine/plan.js';
import { applyPorts } from '../../engine/ports.js';
import { refuseMissingVersions } from '../../engine/version-pins.js';
import type { Store } from '../../store/index.js';
import type { Context } from '../context.js';

/**
 * Agents named at `numbers buy` and `numbers import` (--inbound, --outbound, --sms): checked by the
 * same rules as `assign` before anything is bought or imported, then pushed by the same engine
 * (plan, version pins, applyPlan with its journal) once the number exists.
 */

export type AgentRequests = Partial<Record<Slot, SlotRequest>>;

export function agentRequests(options: Partial<Record<Slot, string>>): AgentRequests {
  const requests: AgentRequests = {};
  for (const slot of SLOTS) {
    const value = options[slot];
    if (value !== undefined) requests[slot] = { action: 'assign', agents: parseSlotValue(`--${slot}`, value) };
  }
  return requests;
}

export const hasAgents = (requests: AgentRequests) => Object.keys(requests).length > 0;

/** The number as it will be once made: on the platform, nothing assigned yet. */
export interface ProspectiveNumber {
  e164: string;
  provider: ProviderName;
  /** Where it comes from, as the platform records it (the carrier's name for an import). */
  origin: string | null;
  capabilities: NumberFacts['capabilities'];
}

/**
 * The rules on the number-to-be: a refusal stops the command before anything costs money or moves
 * a call. Returns what needs a yes (a policy moving an agent off another number).
 */
export function checkAgentsFirst(ctx: Context, store: Store, number: ProspectiveNumber, requests: AgentRequests, allowDraft: boolean): string[] {
  if (!hasAgents(requests)) return [];
  const facts: NumberFacts = { ...number, providerId: '(new)', status: null, removed: false, needsAttention: null, slots: { inbound: [], outbound: [], sms: [] } };
  const plan = planNumber(facts, requests, planContext(store, ctx.settings(), { allowDraft, force: false }));
  if (plan.refusals.length) throw new RefusedError(plan.refusals.map((refusal) => `${refusal} (nothing was bought or imported)`), plan.hints.join('; ') || undefined);
  return plan.confirmations;
}

/**
 * Assign the agents once the number is in the cache, through assign's engine. A refusal or failure
 * here leaves the number made and unassigned: the result says so and how to retry.
 */
export async function assignAfter(ctx: Context, store: Store, e164: string, provider: ProviderName, requests: AgentRequests, allowDraft: boolean): Promise<ApplyResult | null> {
  if (!hasAgents(requests)) return null;
  const row = store.findNumbers(e164).find((r) => r.provider === provider && !r.removed);
  if (!row) return { e164, provider, outcome: 'failed', changes: [], message: `${e164} is not in the cache of ${provider} yet, so no agent was assigned`, exitCode: ExitCode.Provider };
  const plan: NumberPlan = planNumber(numberFacts(row), requests, planContext(store, ctx.settings(), { allowDraft, force: false }));
  if (plan.refusals.length) return { e164, provider, outcome: 'refused', changes: [], message: plan.refusals.join('; '), exitCode: ExitCode.Refused };
  const ports = applyPorts(ctx, store);
  const target: { plan: NumberPlan; result?: ApplyResult } = { plan };
  await refuseMissingVersions(ports, [target]);
  if (target.result) return target.result;
  return ctx.interrupt.writePhase(() => applyPlan(plan, ports, { force: false }));
}

/** One line for the operator: what the assignment did. */
export function assignmentText(result: ApplyResult): string {
  if (result.outcome === 'applied' || result.outcome === 'unchanged') return result.changes.map((c) => `${c.slot}: ${describeSlot(c.after)}`).join('; ');
  return `${result.outcome}: ${result.message ?? ''}`;
}
