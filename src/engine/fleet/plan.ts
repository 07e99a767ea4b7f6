import type { Settings } from '../../config/settings.js';
import { RefusedError, UsageError } from '../../domain/errors.js';
import type { ProviderName, Slot } from '../../domain/model.js';
import { SLOTS } from '../../domain/model.js';
import { describeSlot, planNumber, recordHint, recordRefusals, sameAgents, type ChangeKind, type NumberFacts, type NumberPlan, type PlannedAgent, type SlotChange, type SlotRequest } from '../../domain/rules.js';
import { fallbackRefusals, labelRefusals, regionRefusals } from '../../domain/settings-rules.js';
import { capabilitiesOf } from '../../providers/registry.js';
import type { NumberRow, Store } from '../../store/index.js';
import { numberFacts, planContext, type PlanFlags } from '../plan.js';
import { describeSetting, regionalProvider, regionRecord, type SettingChange, type SettingValue } from '../settings.js';

/**
 * The fleet as a plan: a desired state for many numbers compared with the cache, per number and per
 * field (a slot, the label, the fallback, the region), before → after. The rules are the assign
 * rules (src/domain/rules.ts), run over the whole plan at once; the plan is what `plan` prints, what
 * `plan -o` saves and what `apply` pushes. Nothing here reads a file or talks to a provider.
 */

export type FleetField = Slot | 'label' | 'fallback' | 'region';
export const FLEET_FIELDS: readonly FleetField[] = [...SLOTS, 'label', 'fallback', 'region'];

/** A field's value: a slot's agents, or a setting's text (null: none). */
export type FieldValue = PlannedAgent[] | SettingValue;

/** One agent a desired slot names, already resolved to an id of the number's provider. */
export interface DesiredAgent {
  agentId: string;
  name: string | null;
  weight: number;
  version: string | null;
  /** As written, for messages. */
  text: string;
}

/**
 * One number as it should be. Only the fields given are compared: a field left out is left as it is.
 * `upstream` replaces the cache's values of those fields (a saved plan: the state it was computed
 * from), so the freshness read of the push refuses a number that changed since.
 */
export interface DesiredNumber {
  provider: ProviderName;
  providerId: string;
  e164: string;
  slots: Partial<Record<Slot, DesiredAgent[]>>;
  label?: SettingValue;
  fallback?: SettingValue;
  region?: SettingValue;
  /** Where it is written (`fleet.yaml:12`), for messages; a function, worked out for the numbers shown only. */
  where?: () => string;
  upstream?: Partial<Record<FleetField, FieldValue>>;
}

export type FleetChangeKind = Exclude<ChangeKind, 'unchanged'> | 'set' | 'clear';

export interface FleetChange {
  field: FleetField;
  kind: FleetChangeKind;
  before: FieldValue;
  after: FieldValue;
  /** What else it does (a trunk move disconnects a platform). */
  note: string | null;
}

export interface FleetSideEffect {
  e164: string;
  provider: ProviderName;
  reason: string;
  changes: FleetChange[];
}

/** One number's part of the plan. */
export interface FleetNumberPlan {
  e164: string;
  provider: ProviderName;
  providerId: string;
  where: string | null;
  /** Absent from the file, unassigned because of --prune. */
  pruned: boolean;
  whereOf?: () => string;
  changes: FleetChange[];
  sideEffects: FleetSideEffect[];
  refusals: string[];
  confirmations: string[];
  hints: string[];
  /** What pushes it: the slots through the assign path, each setting through its own push. */
  slotPlan: NumberPlan | null;
  settings: SettingChange[];
}

export interface FleetSummary {
  /** Numbers with at least one change (side effects on other numbers counted too). */
  toChange: number;
  /** Field changes in all. */
  fields: number;
  moves: number;
  /** Refused numbers, plus refusals that name several numbers at once. */
  refused: number;
}

export interface FleetPlan {
  /** Numbers that change or are refused, in the order given (the file's order). */
  numbers: FleetNumberPlan[];
  /** Refusals about several numbers at once (a team policy across the fleet). */
  refusals: string[];
  summary: FleetSummary;
}

export interface FleetOptions extends PlanFlags {
  /** Unassign every slot of the numbers (of `scope`) the desired state leaves out. */
  prune: boolean;
  /** The providers the desired state covers (what --prune may touch). */
  scope: readonly ProviderName[];
  /** The cached numbers, when the caller has just read them (a 10,000-number list is not free). */
  rows?: readonly NumberRow[];
}

const recordKey = (provider: string, providerId: string) => `${provider}\u0000${providerId}`;

/** A setting's value as compared: an empty text is no value. */
const settingOf = (value: SettingValue | undefined): SettingValue => (value === undefined || value === '' ? null : value);

/** Every field that changes, in one line: `inbound: sales → support`. */
export function describeValue(value: FieldValue): string {
  return Array.isArray(value) ? describeSlot(value) : describeSetting(value);
}

/** Compare desired numbers with the cache and check every rule over the whole plan at once. */
export function planFleet(store: Store, settings: Settings, desired: readonly DesiredNumber[], options: FleetOptions): FleetPlan {
  const context = planContext(store, settings, options);
  const rows = new Map((options.rows ?? store.listNumbers()).filter((row) => options.scope.includes(row.provider)).map((row) => [recordKey(row.provider, row.providerId), row]));
  const named = new Set(desired.map((d) => recordKey(d.provider, d.providerId)));
  // Numbers the file names are planned from the file: a policy moves an agent off them only when
  // the file says so. Side effects go to the numbers the file leaves out (unless --prune empties them).
  const holders = context.holders;
  context.holders = (provider, agentId, slot, except) => (options.prune ? [] : holders(provider, agentId, slot, except).filter((n) => !named.has(recordKey(n.provider, n.providerId))));

  const plans: FleetNumberPlan[] = [];
  const finals: { plan: FleetNumberPlan; facts: NumberFacts; final: Record<Slot, PlannedAgent[]>; gained: Set<string> }[] = [];
  for (const wanted of desired) {
    const row = rows.get(recordKey(wanted.provider, wanted.providerId)) ?? store.findNumbers(wanted.e164).find((r) => r.provider === wanted.provider && r.providerId === wanted.providerId);
    if (!row) throw new UsageError(`${wanted.e164} has no ${wanted.provider} record in the cache`, 'run `voicenum sync`, or remove the number from the file');
    const planned = planOne(store, row, wanted, context, settings.oneNumberPerAgent);
    if (!planned) continue;
    plans.push(planned.plan);
    finals.push(planned);
  }
  if (options.prune) {
    for (const row of rows.values()) {
      if (named.has(recordKey(row.provider, row.providerId))) continue;
      const facts = numberFacts(row);
      const held = SLOTS.filter((slot) => facts.slots[slot].length > 0);
      if (held.length === 0) continue;
      const slotPlan = planNumber(facts, Object.fromEntries(held.map((slot) => [slot, { action: 'clear' } as SlotRequest])), context);
      const plan = fromSlotPlan(row, slotPlan, null, true);
      plans.push(plan);
      finals.push({ plan, facts, final: finalSlots(facts, slotPlan.changes), gained: new Set() });
    }
  }

  const refusals = policyRefusals(settings, finals);
  const listed = plans.filter((p) => p.changes.length || p.sideEffects.length || p.refusals.length);
  for (const plan of listed) plan.where = plan.whereOf?.() ?? null;
  const summary: FleetSummary = { toChange: 0, fields: 0, moves: 0, refused: refusals.length };
  const touched = new Set<string>();
  for (const plan of listed) {
    if (plan.refusals.length) {
      summary.refused++;
      continue;
    }
    for (const change of [...plan.changes, ...plan.sideEffects.flatMap((s) => s.changes)]) {
      summary.fields++;
      if (change.kind === 'move') summary.moves++;
    }
    if (plan.changes.length) touched.add(`${plan.provider}:${plan.e164}`);
    for (const side of plan.sideEffects) touched.add(`${side.provider}:${side.e164}`);
  }
  summary.toChange = touched.size;
  return { numbers: listed, refusals, summary };
}

/** The same agents in the same order (what an unedited entry of an exported file has): no allocation. */
function sameInOrder(held: readonly { agentId: string; weight: number; version: string | null }[], wanted: readonly DesiredAgent[]): boolean {
  if (held.length !== wanted.length) return false;
  for (let i = 0; i < held.length; i++) {
    const a = held[i]!;
    const b = wanted[i]!;
    if (a.agentId !== b.agentId || Math.round(a.weight * 1e6) !== Math.round(b.weight * 1e6) || (a.version ?? null) !== (b.version ?? null)) return false;
  }
  return true;
}

/** Whether the desired number differs from its cached row at all (most of a fleet does not). */
function differs(row: NumberRow, wanted: DesiredNumber): boolean {
  if (wanted.upstream) return true;
  for (const slot of SLOTS) {
    const agents = wanted.slots[slot];
    if (agents && !sameInOrder(row.slots[slot], agents) && !sameAgents(row.slots[slot].map((a) => ({ ...a, kind: '' })), agents.map((a) => ({ ...a, kind: '' })))) return true;
  }
  if (wanted.label !== undefined && settingOf(wanted.label) !== settingOf(row.label)) return true;
  if (wanted.fallback !== undefined && settingOf(wanted.fallback) !== settingOf(row.fallback)) return true;
  // The region compared where it lives (regionRecord); any doubt goes the long way.
  if (wanted.region !== undefined && settingOf(wanted.region) !== (capabilitiesOf(row.provider).regions ? row.region : (row.carrier?.region ?? undefined))) return true;
  return false;
}

/**
 * One desired number against its cached row: its slot plan (the assign rules) and its settings.
 * Null when nothing differs and no policy needs its final slots.
 */
function planOne(store: Store, row: NumberRow, wanted: DesiredNumber, context: ReturnType<typeof planContext>, policyAcrossPlan: boolean) {
  if (!policyAcrossPlan && !differs(row, wanted)) return null;
  const facts = numberFacts(row);
  const upstream = wanted.upstream ?? {};
  for (const slot of SLOTS) {
    const given = upstream[slot];
    // The kinds come from the cache (a saved plan keeps ids, names, weights and pins).
    if (Array.isArray(given)) facts.slots[slot] = given.map((a) => ({ ...a, kind: context.agents.find((k) => k.provider === row.provider && k.id === a.agentId)?.kind ?? 'unknown' }));
  }
  const requests: Partial<Record<Slot, SlotRequest>> = {};
  const gained = new Set<string>();
  for (const slot of SLOTS) {
    const agents = wanted.slots[slot];
    if (!agents) continue;
    const after = agents.map((a) => ({ agentId: a.agentId, name: a.name, kind: '', weight: a.weight, version: a.version }));
    if (sameAgents(facts.slots[slot], after)) continue;
    requests[slot] = agents.length ? { action: 'assign', agents: agents.map((a) => ({ ref: { provider: row.provider, key: a.agentId }, weight: a.weight, version: a.version, text: a.text })) } : { action: 'clear' };
    for (const agent of agents) if (!facts.slots[slot].some((b) => b.agentId === agent.agentId)) gained.add(`${slot}\u0000${agent.agentId}`);
  }
  const slotPlan = Object.keys(requests).length ? planNumber(facts, requests, context) : null;
  const plan = fromSlotPlan(row, slotPlan, null, false);
  plan.whereOf = wanted.where;

  const settingRefusals = new Set<string>();
  const setting = (field: 'label' | 'fallback' | 'region', provider: ProviderName, providerId: string, before: SettingValue, after: SettingValue, refusals: string[]) => {
    if (settingOf(before) === settingOf(after)) return;
    for (const refusal of [...recordRefusals(row, context.force), ...refusals]) settingRefusals.add(refusal);
    const hint = recordHint(row, context.force);
    if (hint && !plan.hints.includes(hint)) plan.hints.push(hint);
    plan.settings.push({ row, provider, providerId, field, before: settingOf(before), after: settingOf(after) });
    plan.changes.push({ field, kind: settingOf(after) === null ? 'clear' : 'set', before: settingOf(before), after: settingOf(after), note: null });
  };
  const capabilities = capabilitiesOf(row.provider);
  if (wanted.label !== undefined) setting('label', row.provider, row.providerId, given(upstream.label, row.label), wanted.label, labelRefusals(capabilities, settingOf(wanted.label)));
  if (wanted.fallback !== undefined) {
    const value = settingOf(wanted.fallback);
    const target = value ? (store.findNumbers(value).find((r) => r.provider === row.provider && !r.removed) ?? null) : null;
    setting('fallback', row.provider, row.providerId, given(upstream.fallback, row.fallback), value, fallbackRefusals(capabilities, row.e164, value, target));
  }
  if (wanted.region !== undefined) {
    try {
      const record = regionRecord(row);
      const value = settingOf(wanted.region);
      const refusals = value === null ? [`a number's region cannot be cleared; valid: ${(regionalProvider().regions ?? []).join(', ')}`] : regionRefusals(regionalProvider(), value);
      setting('region', record.provider, record.providerId, given(upstream.region, record.region), value, refusals);
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
      settingRefusals.add(error.message);
    }
  }
  for (const refusal of settingRefusals) if (!plan.refusals.includes(refusal)) plan.refusals.push(refusal);
  const final = slotPlan ? finalSlots(facts, slotPlan.changes) : facts.slots;
  return { plan, facts, final, gained };
}

function given(upstream: FieldValue | undefined, cached: SettingValue): SettingValue {
  return upstream === undefined || Array.isArray(upstream) ? cached : upstream;
}

function toFleetChange(change: SlotChange): FleetChange | null {
  if (change.kind === 'unchanged') return null;
  return { field: change.slot, kind: change.kind, before: change.before, after: change.after, note: change.note ?? null };
}

function fromSlotPlan(row: NumberRow, slotPlan: NumberPlan | null, where: string | null, pruned: boolean): FleetNumberPlan {
  const changes = (slotPlan?.changes ?? []).map(toFleetChange).filter((c): c is FleetChange => c !== null);
  const sideEffects = (slotPlan?.sideEffects ?? []).map((side) => ({
    e164: side.number.e164,
    provider: side.number.provider,
    reason: side.reason,
    changes: side.changes.map(toFleetChange).filter((c): c is FleetChange => c !== null),
  }));
  return {
    e164: row.e164,
    provider: row.provider,
    providerId: row.providerId,
    where,
    pruned,
    changes,
    sideEffects,
    refusals: [...(slotPlan?.refusals ?? [])],
    confirmations: [...(slotPlan?.confirmations ?? [])],
    hints: [...(slotPlan?.hints ?? [])],
    slotPlan,
    settings: [],
  };
}

function finalSlots(facts: NumberFacts, changes: readonly SlotChange[]): Record<Slot, PlannedAgent[]> {
  const final = { ...facts.slots };
  for (const change of changes) final[change.slot] = change.after;
  return final;
}

/**
 * `one-number-per-agent` over the whole desired state: an agent that the plan gives to a number
 * while another number of the plan keeps (or gets) it in the same slot is one refusal naming them
 * all, not a move of one of them: the file says both, and only the operator knows which is meant.
 */
function policyRefusals(settings: Settings, finals: { plan: FleetNumberPlan; final: Record<Slot, PlannedAgent[]>; gained: Set<string> }[]): string[] {
  if (!settings.oneNumberPerAgent) return [];
  const holders = new Map<string, { agent: PlannedAgent; slot: Slot; numbers: string[]; gained: boolean }>();
  for (const { plan, final, gained } of finals) {
    for (const slot of SLOTS) {
      for (const agent of final[slot]) {
        const key = `${plan.provider}\u0000${slot}\u0000${agent.agentId}`;
        const entry = holders.get(key) ?? { agent, slot, numbers: [], gained: false };
        entry.numbers.push(plan.e164);
        if (gained.has(`${slot}\u0000${agent.agentId}`)) entry.gained = true;
        holders.set(key, entry);
      }
    }
  }
  const refusals: string[] = [];
  for (const { agent, slot, numbers, gained } of holders.values()) {
    if (numbers.length < 2 || !gained) continue;
    const list = numbers.length === 2 ? numbers.join(' and ') : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
    refusals.push(`policy one-number-per-agent: ${agent.name ?? agent.agentId} would hold the ${slot} slot of ${list}; give it to one of them`);
  }
  return refusals;
}
