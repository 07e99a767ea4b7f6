import * as z from 'zod/mini';
import { UsageError } from '../../domain/errors.js';
import { isSlot, PROVIDERS, type Slot } from '../../domain/model.js';
import type { PlannedAgent } from '../../domain/rules.js';
import { FLEET_FIELDS, type DesiredNumber, type FieldValue, type FleetField, type FleetPlan } from '../../engine/fleet/plan.js';

/**
 * A plan saved by `plan -o`: per number, each change with the value it was computed from (what
 * upstream held when the plan was made) and the value to write. `apply PLAN.json` pushes exactly
 * these changes, with those values as the `before` of the freshness read: a number whose upstream
 * state moved since the plan is a conflict (exit 6), unless --force.
 */

export const SAVED_PLAN_KIND = 'voicenum-plan';

const agent = z.object({ agentId: z.string(), name: z.nullable(z.string()), weight: z.number(), version: z.nullable(z.string()) });
const value = z.union([z.nullable(z.string()), z.array(agent)]);
const change = z.object({ field: z.enum(FLEET_FIELDS as [FleetField, ...FleetField[]]), kind: z.string(), before: value, after: value });
const savedSchema = z.object({
  kind: z.literal(SAVED_PLAN_KIND),
  version: z.literal(1),
  profile: z.string(),
  createdAt: z.string(),
  source: z.string(),
  allowDraft: z.boolean(),
  numbers: z.array(z.object({ e164: z.string(), provider: z.enum(PROVIDERS), providerId: z.string(), changes: z.array(change) })),
});

export type SavedPlan = z.infer<typeof savedSchema>;

const agentOut = (a: PlannedAgent) => ({ agentId: a.agentId, name: a.name, weight: a.weight, version: a.version });
const valueOut = (v: FieldValue) => (Array.isArray(v) ? v.map(agentOut) : v);

export function savePlan(plan: FleetPlan, meta: { profile: string; createdAt: string; source: string; allowDraft: boolean }): SavedPlan {
  return {
    kind: SAVED_PLAN_KIND,
    version: 1,
    ...meta,
    numbers: plan.numbers
      .filter((n) => n.changes.length)
      .map((n) => ({ e164: n.e164, provider: n.provider, providerId: n.providerId, changes: n.changes.map((c) => ({ field: c.field, kind: c.kind, before: valueOut(c.before), after: valueOut(c.after) })) })),
  };
}

/** Whether parsed JSON is a saved plan (rather than a fleet file). */
export function isSavedPlan(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === SAVED_PLAN_KIND;
}

export function readSavedPlan(file: string, data: unknown, profile: string): SavedPlan {
  const parsed = savedSchema.safeParse(data);
  if (!parsed.success) throw new UsageError(`${file} is not a plan voicenum saved (${parsed.error.issues[0]?.path.join('.') || 'the file'}: ${parsed.error.issues[0]?.message ?? 'invalid'})`, 'make it again with `voicenum plan -f FILE -o PLAN.json`');
  if (parsed.data.profile !== profile) throw new UsageError(`${file} is a plan of the profile "${parsed.data.profile}", not "${profile}"`, `run it with --profile ${parsed.data.profile}`);
  return parsed.data;
}

/** The saved changes as desired numbers whose `upstream` is the state the plan was made from. */
export function desiredFromPlan(saved: SavedPlan): DesiredNumber[] {
  return saved.numbers.map((n) => {
    const desired: DesiredNumber = { provider: n.provider, providerId: n.providerId, e164: n.e164, slots: {}, upstream: {}, where: () => saved.source };
    for (const c of n.changes) {
      if (isSlot(c.field)) {
        const after = Array.isArray(c.after) ? c.after : [];
        desired.slots[c.field as Slot] = after.map((a) => ({ agentId: a.agentId, name: a.name, weight: a.weight, version: a.version, text: a.name ?? a.agentId }));
        desired.upstream![c.field] = (Array.isArray(c.before) ? c.before : []).map((a) => ({ ...a, kind: 'unknown' }));
      } else {
        const field = c.field as 'label' | 'fallback' | 'region';
        desired[field] = Array.isArray(c.after) ? null : c.after;
        desired.upstream![field] = Array.isArray(c.before) ? null : c.before;
      }
    }
    return desired;
  });
}
