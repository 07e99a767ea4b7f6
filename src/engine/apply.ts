import { ExitCode, VoicenumError, type ExitCodeValue } from '../domain/errors.js';
import type { ProviderName, RemoteNumber, Slot, SlotAgent } from '../domain/model.js';
import { describeSlot, sameAgents, type NumberFacts, type NumberPlan, type PlannedAgent } from '../domain/rules.js';
import { versionText } from '../domain/field-values.js';
import type { ProviderAdapter, SlotWrite } from '../providers/types.js';
import type { Store } from '../store/index.js';
import { auditEntry, push, type AuditSource, type PushOperation, type PushOptions, type PushResult } from './push.js';

export interface ApplyPorts extends AuditSource {
  adapter(provider: ProviderName): Promise<ProviderAdapter>;
  store: Store;
  /** Agent names and kinds for what upstream answers. */
  agentInfo(provider: ProviderName, agentId: string): { name: string | null; kind: string };
  /** True once the operator asked to stop (Ctrl-C, SIGTERM): no new step starts. */
  interrupted?(): boolean;
}

/**
 * `uncertain`: the write's answer was lost and nobody can yet say whether it landed (the journal keeps
 * it open). `unrecorded`: applied upstream, but the cache could not record it (the journal entry stays
 * pending). `skipped`: never started, because the operator interrupted the run (or, for a policy side
 * effect, because an earlier step failed).
 */
export type Outcome = 'applied' | 'unchanged' | 'refused' | 'conflict' | 'failed' | 'uncertain' | 'unrecorded' | 'skipped' | 'rolled-back' | 'needs-attention';

export interface ApplyResult {
  e164: string;
  provider: ProviderName;
  outcome: Outcome;
  changes: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[];
  message: string | null;
  exitCode: ExitCodeValue;
  /** What to do next, for failures that have one (conflicts). */
  hint?: string;
  /** Other numbers the change wrote too (policy moves), each with what happened to it. */
  sideEffects?: SideEffectResult[];
}

export interface SideEffectResult {
  e164: string;
  provider: ProviderName;
  reason: string;
  /** applied; rolled-back or needs-attention when a later step failed; failed/conflict for the step that failed; skipped when never reached. */
  outcome: Outcome;
  changes: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[];
}

function key(number: NumberFacts) {
  // The cached slots travel as a hint: some adapters (Bland) skip lookups with it.
  const known = Object.fromEntries(Object.entries(number.slots).map(([slot, agents]) => [slot, agents.map((a) => ({ agentId: a.agentId, weight: a.weight, version: a.version }))]));
  return { providerId: number.providerId, e164: number.e164, known };
}

function normalize(agents: readonly SlotAgent[], provider: ProviderName, ports: ApplyPorts): PlannedAgent[] {
  return agents.map((a) => {
    const info = ports.agentInfo(provider, a.agentId);
    return { agentId: a.agentId, name: info.name, kind: info.kind, weight: a.weight, version: versionText(a.version) };
  });
}

function toWrite(agents: readonly PlannedAgent[]): SlotWrite[Slot] {
  return agents.map((a) => ({ agentId: a.agentId, weight: a.weight, version: a.version, kind: a.kind }));
}

const auditAgents = (agents: PlannedAgent[]) => agents.map(({ agentId, name, weight, version }) => ({ agentId, name, weight, version }));

/** The slot writes of one number as a push: freshness read, write, verify, record. */
export function slotOperation(number: NumberFacts, adapter: ProviderAdapter, changes: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[], ports: ApplyPorts): PushOperation<PlannedAgent[], RemoteNumber> {
  return {
    provider: number.provider,
    e164: number.e164,
    providerId: number.providerId,
    changes: changes.map((c) => ({ field: c.slot, before: c.before, after: c.after })),
    read: () => adapter.readNumber(key(number)),
    valueOf: (state, field) => normalize(state.slots[field as Slot], number.provider, ports),
    same: sameAgents,
    describe: describeSlot,
    write: (fresh) => adapter.writeSlots(key(number), Object.fromEntries(changes.map((c) => [c.slot, toWrite(c.after)])), fresh),
    save: (answer, entries) => ports.store.applyRemoteNumber(answer, ports.now().toISOString(), entries),
    log: (entries) => ports.store.appendAudit(entries),
    // The fix a half-done write asks for: every slot back as it was.
    flag: (message, entries) => ports.store.markNeedsAttention(number.provider, number.providerId, message, entries, Object.fromEntries(changes.map((c) => [c.slot, auditAgents(c.before)]))),
    auditValue: auditAgents,
  };
}

/**
 * Push one checked plan through the shared path (freshness read, write, verify, record). Policy
 * side effects run after, each through the same path; if one fails, every earlier step is undone
 * newest first, and a step whose undo fails leaves its number needs-attention with the fix.
 */
export async function applyPlan(plan: NumberPlan, ports: ApplyPorts, options: Pick<PushOptions, 'force' | 'applied'>): Promise<ApplyResult> {
  const { number } = plan;
  const changes = plan.changes.filter((change) => change.kind !== 'unchanged');
  const sideSteps = plan.sideEffects.map((side) => ({ number: side.number, changes: side.changes.filter((c) => c.kind !== 'unchanged').map(({ slot, before, after }) => ({ slot, before, after })) }));
  // Every other number the change touches is reported with its own outcome, never silently.
  const sideEffects: SideEffectResult[] = plan.sideEffects.map((side, i) => ({ e164: side.number.e164, provider: side.number.provider, reason: side.reason, outcome: 'skipped', changes: sideSteps[i]!.changes }));
  const base = { e164: number.e164, provider: number.provider, ...(sideEffects.length ? { sideEffects } : {}) };
  if (changes.length === 0 && sideSteps.every((step) => step.changes.length === 0)) {
    return { ...base, outcome: 'unchanged', changes: [], message: 'already applied; nothing to push', exitCode: ExitCode.Ok };
  }
  const done: Step[] = [];
  const unrecorded: { message: string; hint: string }[] = [];
  const steps = [{ number, changes }, ...sideSteps];
  for (const [index, step] of steps.entries()) {
    if (step.changes.length === 0) continue;
    if (ports.interrupted?.()) {
      // Stop between steps: nothing new starts, and what this change already did is undone.
      if (done.length === 0) return { ...base, outcome: 'skipped', changes, message: 'not started: interrupted', exitCode: ExitCode.Cancelled };
      return rollback(base, changes, done, ports, step.number, 'interrupted before this step', ExitCode.Cancelled);
    }
    let adapter: ProviderAdapter | undefined;
    let result: PushResult<PlannedAgent[], RemoteNumber>;
    try {
      adapter = await ports.adapter(step.number.provider);
      result = await push(slotOperation(step.number, adapter, step.changes, ports), ports, options);
    } catch (error) {
      // No adapter for the provider (credentials): the step fails like an upstream failure.
      if (!(error instanceof VoicenumError)) throw error;
      result = { ok: false, outcome: 'failed', message: error.message, exitCode: error.exitCode };
    }
    if (!result.ok || !adapter) {
      const failure = result.ok ? { outcome: 'failed' as const, message: 'no adapter', exitCode: ExitCode.Internal } : result;
      if (index === 0) return { ...base, outcome: failure.outcome, changes, message: failure.message, exitCode: failure.exitCode, hint: 'hint' in failure ? failure.hint : undefined };
      sideEffects[index - 1]!.outcome = failure.outcome;
      return rollback(base, changes, done, ports, step.number, failure.message, failure.exitCode);
    }
    const { actualBefore } = result;
    if (result.unrecorded) unrecorded.push(result.unrecorded);
    done.push({ number: step.number, adapter, slots: step.changes.map((c) => ({ slot: c.slot, before: actualBefore.get(c.slot)!, after: c.after })), side: index === 0 ? undefined : sideEffects[index - 1] });
    if (index > 0) sideEffects[index - 1]!.outcome = result.unrecorded ? 'unrecorded' : 'applied';
  }
  if (unrecorded.length) {
    return { ...base, outcome: 'unrecorded', changes, message: unrecorded.map((u) => u.message).join('; '), exitCode: ExitCode.LocalState, hint: unrecorded[0]!.hint };
  }
  return { ...base, outcome: 'applied', changes, message: null, exitCode: ExitCode.Ok };
}

/** One pushed write and how to take it back. */
interface Step {
  number: NumberFacts;
  adapter: ProviderAdapter;
  slots: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[];
  /** The result entry of a policy side effect, whose outcome the undo updates. */
  side?: SideEffectResult;
}

/**
 * A later step failed: write every earlier step back, newest first. A step whose undo fails
 * leaves its number flagged needs-attention, with the exact fix in the message.
 */
async function rollback(base: { e164: string; provider: ProviderName; sideEffects?: SideEffectResult[] }, changes: NumberPlan['changes'], done: Step[], ports: ApplyPorts, failedAt: NumberFacts, reason: string, exitCode: ExitCodeValue): Promise<ApplyResult> {
  const stuck: string[] = [];
  const rolledBack = `the step on ${failedAt.e164} failed (${reason}); this change was undone`;
  for (const step of [...done].reverse()) {
    // The undo takes the same path as any write (lock, journal, verification), recorded as rolled-back;
    // it overrides the freshness check, since what is upstream now is this run's own write.
    const undo = step.slots.map((s) => ({ slot: s.slot, before: s.after, after: s.before }));
    const op = slotOperation(step.number, step.adapter, undo, ports);
    let failure: string | null = null;
    try {
      const result = await push(op, ports, { force: true, applied: { outcome: 'rolled-back', note: rolledBack } });
      if (!result.ok) failure = result.message;
    } catch (undoError) {
      if (!(undoError instanceof VoicenumError)) throw undoError;
      failure = undoError.message;
    }
    if (failure === null) {
      if (step.side) step.side.outcome = 'rolled-back';
      continue;
    }
    const fix = step.slots.map((s) => `set ${s.slot} of ${step.number.e164} at ${step.number.provider} back to ${describeSlot(s.before)}`).join(', and ');
    const message = `undoing ${step.number.e164} failed (${failure}); fix by hand: ${fix}, then run \`voicenum sync\``;
    stuck.push(message);
    const expect = Object.fromEntries(step.slots.map((s) => [s.slot, auditAgents(s.before)]));
    ports.store.markNeedsAttention(step.number.provider, step.number.providerId, message, step.slots.map((s) => auditEntry(ports, op, s.slot, s.before, s.after, 'needs-attention', message)), expect);
    if (step.side) step.side.outcome = 'needs-attention';
  }
  if (stuck.length) {
    return { ...base, outcome: 'needs-attention', changes, message: `the step on ${failedAt.e164} failed (${reason}), and ${stuck.join('; ')}`, exitCode: ExitCode.Provider };
  }
  return { ...base, outcome: 'rolled-back', changes, message: `the step on ${failedAt.e164} failed (${reason}); every earlier step was undone`, exitCode };
}
