import { ExitCode, VoicenumError, type ExitCodeValue } from '../../domain/errors.js';
import type { ProviderName } from '../../domain/model.js';
import { applyPlan, type Outcome, type SideEffectResult } from '../apply.js';
import type { RunPorts } from '../ports.js';
import { pushSetting } from '../settings.js';
import type { FleetField, FleetNumberPlan } from './plan.js';

/**
 * Push one number's part of a fleet plan through the same path as `assign`, `label`, `fallback` and
 * `region`: its slots in one push (freshness read, journal, write, verification, policy side effects
 * and their rollback), then each setting in its own. Fields are independent: one that fails does not
 * stop the others, and a re-apply plans only what is still to do.
 */

export interface FieldResult {
  field: FleetField;
  outcome: Outcome;
  message: string | null;
}

export interface FleetResult {
  e164: string;
  provider: ProviderName;
  outcome: Outcome;
  fields: FieldResult[];
  sideEffects: SideEffectResult[];
  message: string | null;
  exitCode: ExitCodeValue;
  hint?: string;
}

export async function applyFleetNumber(plan: FleetNumberPlan, ports: RunPorts, options: { force: boolean }): Promise<FleetResult> {
  const fields: FieldResult[] = [];
  const failures: { message: string; exitCode: ExitCodeValue; outcome: Outcome; hint?: string }[] = [];
  let sideEffects: SideEffectResult[] = [];
  if (plan.slotPlan) {
    // The slots and any policy side effect on other numbers: the assign path, with its rollback.
    const result = await applyPlan(plan.slotPlan, ports, options);
    sideEffects = result.sideEffects ?? [];
    for (const change of result.changes) fields.push({ field: change.slot, outcome: result.outcome, message: result.outcome === 'applied' ? null : result.message });
    if (result.exitCode !== ExitCode.Ok) failures.push({ message: result.message ?? result.outcome, exitCode: result.exitCode, outcome: result.outcome, hint: result.hint });
  }
  for (const change of plan.settings) {
    if (ports.interrupted?.()) {
      fields.push({ field: change.field, outcome: 'skipped', message: 'not started: interrupted' });
      failures.push({ message: 'interrupted', exitCode: ExitCode.Cancelled, outcome: 'skipped' });
      continue;
    }
    try {
      await pushSetting(ports, change, { force: options.force, writePhase: (work) => work() });
      fields.push({ field: change.field, outcome: 'applied', message: null });
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      const outcome: Outcome = error.exitCode === ExitCode.Conflict ? 'conflict' : error.exitCode === ExitCode.LocalState ? 'unrecorded' : 'failed';
      fields.push({ field: change.field, outcome, message: error.message });
      failures.push({ message: error.message, exitCode: error.exitCode, outcome, hint: error.hint });
    }
  }
  const base = { e164: plan.e164, provider: plan.provider, fields, sideEffects };
  if (failures.length === 0) return { ...base, outcome: 'applied', message: null, exitCode: ExitCode.Ok };
  const first = failures[0]!;
  return { ...base, outcome: first.outcome, message: failures.map((f) => f.message).join('; '), exitCode: first.exitCode, ...(first.hint ? { hint: first.hint } : {}) };
}
