import type { Settings } from '../../config/settings.js';
import { RefusedError, UsageError } from '../../domain/errors.js';
import type { ProviderName, Slot } from '../../domain/model.js';
import { SLOTS } from '../../domain/model.js';
import { describeSlot, planNumber, recordHint, recordRefusals, sameAgents, type ChangeKind, type KnownAgent, type NumberFacts, type NumberPlan, type PlannedAgent, type SlotChange, type SlotRequest } from '../../domain/rules.js';
import { fallbackRefusals, labelRefusals, regionRefusals } from '../../domain/settings-rules.js';
import { capabilitiesOf } from '../../providers/registry.js';
import type { CachedSlotAgent, NumberRow, Store } from '../../store/index.js';
import { TwoKeyMap } from '../../util/two-key-map.js';
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
  /** Where it is written (`fleet.yaml:12`), for a number the plan lists: worked out when first read. */
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

/**
 * A cached number in brief: what tells whether a desired number differs from it. A NumberRow is one;
 * a caller with a cheaper way to read 10,000 of them (the stored list records) passes these.
 */
export interface CachedNumber {
  e164: string;
  provider: ProviderName;
  providerId: string;
  label: string | null;
  fallback: string | null;
  /** Its own region (the carrier's numbers). */
  region: string | null;
  /** Its carrier record's region, for a number imported from the carrier. */
  carrier: { region: string | null } | null;
  slots: Record<Slot, readonly CachedSlotAgent[]>;
}

/** The cached numbers in brief, and the whole rows of some of them: what the rules of a change read. */
export interface FleetCache {
  numbers: readonly CachedNumber[];
  whole(numbers: readonly CachedNumber[]): NumberRow[];
}

export interface FleetOptions extends PlanFlags {
  /** Unassign every slot of the numbers (of `scope`) the desired state leaves out. */
  prune: boolean;
  /** The providers the desired state covers (what --prune may touch). */
  scope: readonly ProviderName[];
  /** The cached numbers, when the caller has just read them (a 10,000-number list is not free). */
  cache?: FleetCache;
  /** The cache's agents, when the caller has just read them. */
  agents?: readonly KnownAgent[];
}

/** A number's slots once the plan is done, for the policy across the plan. */
interface FinalSlots {
  provider: ProviderName;
  e164: string;
  final: Record<Slot, readonly Pick<PlannedAgent, 'agentId' | 'name'>[]>;
  /** `slot\0agentId` of each agent the plan gives the number. */
  gained: ReadonlySet<string>;
}

const NOTHING_GAINED: ReadonlySet<string> = new Set();

/** A setting's value as compared: an empty text is no value. */
const settingOf = (value: SettingValue | undefined): SettingValue => (value === undefined || value === '' ? null : value);

/** Every field that changes, in one line: `inbound: sales → support`. */
export function describeValue(value: FieldValue): string {
  return Array.isArray(value) ? describeSlot(value) : describeSetting(value);
}

/** Compare desired numbers with the cache and check every rule over the whole plan at once. */
export function planFleet(store: Store, settings: Settings, desired: readonly DesiredNumber[], options: FleetOptions): FleetPlan {
  const context = planContext(store, settings, options, options.agents);
  const cache = options.cache ?? wholeRowsCache(store.listNumbers());
  const inScope = cache.numbers.filter((row) => options.scope.includes(row.provider));
  const rows = new TwoKeyMap<CachedNumber>();
  for (const row of inScope) rows.set(row.provider, row.providerId, row);
  // Which numbers the file names: asked only by --prune and by a policy's side effects, so made on first use.
  let namedMap: TwoKeyMap<true> | undefined;
  const named = (n: { provider: ProviderName; providerId: string }) => (namedMap ??= namedIn(desired)).has(n.provider, n.providerId);
  // Numbers the file names are planned from the file: a policy moves an agent off them only when
  // the file says so. Side effects go to the numbers the file leaves out (unless --prune empties them).
  const holders = context.holders;
  context.holders = (provider, agentId, slot, except) => (options.prune ? [] : holders(provider, agentId, slot, except).filter((n) => !named(n)));

  // Each desired number against its cached number in brief; only those that differ (most of a fleet
  // does not) are read whole and go through the rules.
  const compared = desired.map((wanted) => {
    const cached = rows.get(wanted.provider, wanted.providerId);
    // Not among the numbers listed (a saved plan may name any record): read whole from the start.
    const whole = cached ? undefined : findRow(store, wanted);
    const row: CachedNumber = cached ?? whole!;
    return { wanted, row, whole, differs: differs(row, wanted) };
  });
  const pruned = options.prune ? inScope.filter((row) => !named(row) && SLOTS.some((slot) => row.slots[slot].length > 0)) : [];
  const read = wholeRows(store, cache, [...compared.filter((c) => c.differs && !c.whole).map((c) => c.row), ...pruned]);

  const plans: FleetNumberPlan[] = [];
  const finals: FinalSlots[] = [];
  for (const { wanted, row, whole, differs } of compared) {
    if (!differs) {
      // Nothing to change: what it holds is all the policy across the plan needs of it.
      if (settings.oneNumberPerAgent) finals.push({ provider: row.provider, e164: row.e164, final: row.slots, gained: NOTHING_GAINED });
      continue;
    }
    const planned = planOne(store, whole ?? read(row), wanted, context);
    plans.push(planned.plan);
    finals.push(planned);
  }
  for (const row of pruned.map(read)) {
    const facts = numberFacts(row);
    const held = SLOTS.filter((slot) => facts.slots[slot].length > 0);
    const slotPlan = planNumber(facts, Object.fromEntries(held.map((slot) => [slot, { action: 'clear' } as SlotRequest])), context);
    const plan = fromSlotPlan(row, slotPlan, null, true);
    plans.push(plan);
    finals.push({ provider: plan.provider, e164: plan.e164, final: finalSlots(facts, slotPlan.changes), gained: NOTHING_GAINED });
  }

  const refusals = policyRefusals(settings, finals);
  const listed = plans.filter((p) => p.changes.length || p.sideEffects.length || p.refusals.length);
  for (const plan of listed) whereWhenRead(plan);
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

/**
 * A listed number's `where`, worked out when first read rather than now: a piped plan never shows
 * it, and for a JSON file the first one is a scan of the whole text.
 */
function whereWhenRead(plan: FleetNumberPlan): void {
  const { whereOf } = plan;
  if (!whereOf) return;
  let where: string | undefined;
  Object.defineProperty(plan, 'where', { enumerable: true, configurable: true, get: () => (where ??= whereOf()) });
}

function namedIn(desired: readonly DesiredNumber[]): TwoKeyMap<true> {
  const named = new TwoKeyMap<true>();
  for (const d of desired) named.set(d.provider, d.providerId, true);
  return named;
}

/** Rows that are whole already (NumberRows read from the tables) as a cache. */
function wholeRowsCache(rows: NumberRow[]): FleetCache {
  return { numbers: rows, whole: (numbers) => numbers as NumberRow[] };
}

/** The whole rows of these cached numbers, read at once; then each by its number in brief. */
function wholeRows(store: Store, cache: FleetCache, numbers: readonly CachedNumber[]): (row: CachedNumber) => NumberRow {
  const read = new TwoKeyMap<NumberRow>();
  for (const row of cache.whole(numbers)) read.set(row.provider, row.providerId, row);
  // One that a sync in another process removed since the numbers were listed is found the long way.
  return (row) => read.get(row.provider, row.providerId) ?? findRow(store, row);
}

/** A number's record by its provider and id, removed ones too; a usage error when the cache has none. */
function findRow(store: Store, number: Pick<DesiredNumber, 'e164' | 'provider' | 'providerId'>): NumberRow {
  const row = store.findNumbers(number.e164).find((r) => r.provider === number.provider && r.providerId === number.providerId);
  if (!row) throw new UsageError(`${number.e164} has no ${number.provider} record in the cache`, 'run `voicenum sync`, or remove the number from the file');
  return row;
}

/** Whether the desired number differs from its cached row at all (most of a fleet does not). */
function differs(row: CachedNumber, wanted: DesiredNumber): boolean {
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

/** One desired number that differs against its cached row: its slot plan (the assign rules) and its settings. */
function planOne(store: Store, row: NumberRow, wanted: DesiredNumber, context: ReturnType<typeof planContext>): FinalSlots & { plan: FleetNumberPlan } {
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
  return { plan, provider: plan.provider, e164: plan.e164, final, gained };
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
function policyRefusals(settings: Settings, finals: readonly FinalSlots[]): string[] {
  if (!settings.oneNumberPerAgent) return [];
  const holders = new Map<string, { agent: Pick<PlannedAgent, 'agentId' | 'name'>; slot: Slot; numbers: string[]; gained: boolean }>();
  for (const { provider, e164, final, gained } of finals) {
    for (const slot of SLOTS) {
      for (const agent of final[slot]) {
        const key = `${provider}\u0000${slot}\u0000${agent.agentId}`;
        const entry = holders.get(key) ?? { agent, slot, numbers: [], gained: false };
        entry.numbers.push(e164);
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
