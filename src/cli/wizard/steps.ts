import { SLOTS, type Slot } from '../../domain/model.js';
import { describeSlot, planNumber, slotUnavailable, type KnownAgent, type NumberFacts, type PlanContext } from '../../domain/rules.js';
import { neutralize } from '../../output/sanitize.js';
import { numberFacts } from '../../engine/plan.js';
import type { NumberRow } from '../../store/index.js';
import type { Choice } from '../prompter.js';

/**
 * What each wizard step offers, as pure functions of the cache: tested without a terminal. A choice
 * the rules would refuse stays in the list, disabled, with the reason, so an operator searching for
 * it learns why instead of finding nothing.
 */

function numberBlocked(row: NumberRow): string | false {
  if (row.removed) return 'removed upstream';
  if (row.status === 'blocked') return `blocked at ${row.provider}`;
  if (row.needsAttention) return 'needs attention after a failed change';
  return false;
}

export function numberChoices(rows: readonly NumberRow[]): Choice<NumberRow>[] {
  return rows.map((row) => ({
    name: `${row.e164}  ${row.provider.padEnd(6)}  ${neutralize(row.label ?? row.carrier?.label ?? '')}`,
    value: row,
    description: SLOTS.map((slot) => `${slot}: ${neutralize(describeSlot(numberFacts(row).slots[slot]))}`).join(' · '),
    disabled: numberBlocked(row),
  }));
}

export function slotChoices(number: NumberFacts, context: Pick<PlanContext, 'capabilities'>): Choice<Slot>[] {
  return SLOTS.map((slot) => ({
    name: `${slot.padEnd(8)} now: ${neutralize(describeSlot(number.slots[slot]))}`,
    value: slot,
    disabled: slotUnavailable(context.capabilities.of(number.provider), number, slot) ?? false,
  }));
}

/** Every agent, the ones the rules accept for this slot enabled; same names told apart by provider and id. */
export function agentChoices(number: NumberFacts, slot: Slot, context: PlanContext): Choice<KnownAgent>[] {
  const candidates = context.agents.filter((agent) => !agent.removed);
  const own = candidates.filter((agent) => agent.provider === number.provider);
  const others = candidates.filter((agent) => agent.provider !== number.provider);
  return [...own, ...others].map((agent) => {
    const plan = planNumber(number, { [slot]: { action: 'assign', agents: [{ ref: { provider: agent.provider, key: agent.id }, weight: 1, version: null, text: `${agent.provider}:${agent.name}` }] } }, context);
    // Refusals about the number itself (blocked, removed) were shown at the number step.
    const reason = plan.refusals.find((refusal) => refusal.startsWith(`${slot}:`))?.slice(slot.length + 2) ?? plan.refusals[0];
    const current = number.slots[slot].some((held) => held.agentId === agent.id);
    return {
      name: `${neutralize(agent.name)}  ${agent.provider} ${agent.kind}${agent.live === false ? ' (draft)' : ''}  ${agent.id}${current ? '  (holds it now)' : ''}`,
      value: agent,
      disabled: reason ? neutralize(reason) : false,
    };
  });
}
