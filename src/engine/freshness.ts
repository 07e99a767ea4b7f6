import { VoicenumError } from '../domain/errors.js';
import type { Slot } from '../domain/model.js';
import type { NumberFacts, NumberPlan, PlannedAgent } from '../domain/rules.js';
import { slotOperation, type ApplyPorts } from './apply.js';

/** A planned slot whose upstream value no longer matches what the cache (and so the plan) says. */
export interface PlanConflict {
  e164: string;
  slot: Slot;
  cached: PlannedAgent[];
  upstream: PlannedAgent[];
  /** What the change would write over it. */
  after: PlannedAgent[];
}

/**
 * The freshness read of rule 8 done ahead of the push, for a plan that is only shown (`--dry-run`)
 * or that must be confirmed against what upstream really holds (`--force`). It reads every number
 * the plan would write (the number and each policy side effect) with the same operation the push
 * uses, and writes nothing.
 */
export async function readPlanConflicts(plan: NumberPlan, ports: ApplyPorts): Promise<PlanConflict[]> {
  const steps: { number: NumberFacts; changes: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[] }[] = [
    { number: plan.number, changes: plan.changes.filter((c) => c.kind !== 'unchanged') },
    ...plan.sideEffects.map((side) => ({ number: side.number, changes: side.changes.filter((c) => c.kind !== 'unchanged') })),
  ];
  const conflicts: PlanConflict[] = [];
  for (const step of steps) {
    if (step.changes.length === 0) continue;
    const op = slotOperation(step.number, await ports.adapter(step.number.provider), step.changes, ports);
    const fresh = await op.read();
    for (const change of op.changes) {
      const upstream = op.valueOf(fresh, change.field);
      if (!op.same(upstream, change.before)) conflicts.push({ e164: step.number.e164, slot: change.field as Slot, cached: change.before, upstream, after: change.after });
    }
  }
  return conflicts;
}

/** Runs `readPlanConflicts`, turning a provider failure into a message instead of an exception. */
export async function tryReadPlanConflicts(plan: NumberPlan, ports: ApplyPorts): Promise<{ conflicts: PlanConflict[] } | { error: VoicenumError }> {
  try {
    return { conflicts: await readPlanConflicts(plan, ports) };
  } catch (error) {
    if (error instanceof VoicenumError) return { error };
    throw error;
  }
}
