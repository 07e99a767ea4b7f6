import { SLOTS, type ProviderName, type Slot } from '../../domain/model.js';
import { toE164 } from '../../domain/phone.js';
import { describeSlot, planNumber, slotUnavailable, type KnownAgent, type NumberFacts, type PlanContext } from '../../domain/rules.js';
import { neutralize } from '../../output/sanitize.js';
import { numberFacts } from '../../engine/plan.js';
import type { NumberRow } from '../../store/index.js';
import { filterChoices, type Choice, type SearchSource } from '../prompter.js';

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

const label = (row: NumberRow) => (row.label ?? row.carrier?.label ?? '').trim().toLowerCase();

/**
 * The number search: every word typed found in the number, provider, label or agents, and a number
 * typed in any format (`(415) 555-0100`) found by its digits. The number or the label typed exactly
 * comes first: among ten thousand numbers, "+14155550100" also matches "+141555501001", and the
 * label "line 1" also "line 10" to "line 19", which come earlier in the list.
 */
export function numberSearch(defaultCountry: string): SearchSource<NumberRow> {
  return (term, choices) => {
    const typed = term.trim();
    if (typed === '') return choices;
    const phoneLike = /^[\d\s()+.-]+$/.test(typed) && /\d{3}/.test(typed.replace(/\D/g, ''));
    const digits = typed.replace(/\D/g, '');
    let exact: string | null = null;
    if (phoneLike) {
      try {
        exact = toE164(typed, defaultCountry);
      } catch {
        exact = null; // part of a number: matched by its digits below, ranked with the rest
      }
    }
    const byWords = new Set(filterChoices(typed, choices));
    const matches = choices.filter((choice) => byWords.has(choice) || (phoneLike && choice.value.e164.includes(digits)));
    const lowered = typed.toLowerCase();
    const rank = (row: NumberRow) => (row.e164 === exact ? 0 : label(row) === lowered ? 1 : 2);
    // A stable sort: within a rank, the list's own order (by number).
    return matches.map((choice, index) => ({ choice, index, rank: rank(choice.value) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map((entry) => entry.choice);
  };
}

export function slotChoices(number: NumberFacts, context: Pick<PlanContext, 'capabilities'>): Choice<Slot>[] {
  return SLOTS.map((slot) => ({
    name: `${slot.padEnd(8)} now: ${neutralize(describeSlot(number.slots[slot]))}`,
    value: slot,
    disabled: slotUnavailable(context.capabilities.of(number.provider), number, slot) ?? false,
  }));
}

/** The agent step: what the list offers, and how many agents of other providers it leaves out. */
export interface AgentStep {
  /** The number's own provider's agents, then "(empty this slot)": its value is null. */
  choices: Choice<KnownAgent | null>[];
  /** Agents of other providers, left out (a number takes its own provider's agents only), per provider. */
  hidden: { provider: ProviderName; count: number }[];
}

/**
 * The number's own provider's agents, the ones the rules accept for this slot enabled; same names
 * told apart by kind and id. Last, a choice to empty the slot, checked by the same rules (it is
 * disabled when the slot holds nothing, or when the number cannot be changed).
 */
export function agentChoices(number: NumberFacts, slot: Slot, context: PlanContext): AgentStep {
  const candidates = context.agents.filter((agent) => !agent.removed);
  const own = candidates.filter((agent) => agent.provider === number.provider);
  const hidden = new Map<ProviderName, number>();
  for (const agent of candidates) if (agent.provider !== number.provider) hidden.set(agent.provider, (hidden.get(agent.provider) ?? 0) + 1);
  const choices: Choice<KnownAgent | null>[] = own.map((agent) => {
    const plan = planNumber(number, { [slot]: { action: 'assign', agents: [{ ref: { provider: agent.provider, key: agent.id }, weight: 1, version: null, text: `${agent.provider}:${agent.name}` }] } }, context);
    const current = number.slots[slot].some((held) => held.agentId === agent.id);
    return {
      name: `${neutralize(agent.name)}  ${agent.provider} ${agent.kind}${agent.live === false ? ' (draft)' : ''}  ${agent.id}${current ? '  (holds it now)' : ''}`,
      value: agent,
      disabled: refusalFor(plan.refusals, slot),
    };
  });
  const held = number.slots[slot];
  const emptied = planNumber(number, { [slot]: { action: 'clear' } }, context);
  choices.push({
    name: `(empty this slot)  unassign ${neutralize(describeSlot(held))}`,
    value: null,
    disabled: held.length === 0 ? `${slot} holds nothing` : refusalFor(emptied.refusals, slot),
  });
  return { choices, hidden: [...hidden].map(([provider, count]) => ({ provider, count })) };
}

/** The rules' reason against a choice, the slot's own first; false when there is none. */
function refusalFor(refusals: readonly string[], slot: Slot): string | false {
  // Refusals about the number itself (blocked, removed) were shown at the number step.
  const reason = refusals.find((refusal) => refusal.startsWith(`${slot}:`))?.slice(slot.length + 2) ?? refusals[0];
  return reason ? neutralize(reason) : false;
}
