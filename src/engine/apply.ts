import { ConflictError, ExitCode, VoicenumError } from '../domain/errors.js';
import type { ProviderName, RemoteNumber, Slot, SlotAgent } from '../domain/model.js';
import { describeSlot, sameAgents, type NumberFacts, type NumberPlan, type PlannedAgent } from '../domain/rules.js';
import type { ProviderAdapter, SlotWrite } from '../providers/types.js';
import type { AuditEntry, Store } from '../store/index.js';

export interface ApplyPorts {
  adapter(provider: ProviderName): Promise<ProviderAdapter>;
  store: Store;
  now(): Date;
  audit: { osUser: string; profile: string; batch: string };
  /** Agent names and kinds for what upstream answers. */
  agentInfo(provider: ProviderName, agentId: string): { name: string | null; kind: string };
}

export type Outcome = 'applied' | 'unchanged' | 'refused' | 'conflict' | 'failed' | 'rolled-back' | 'needs-attention';

export interface ApplyResult {
  e164: string;
  provider: ProviderName;
  outcome: Outcome;
  changes: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[];
  message: string | null;
  exitCode: number;
}

function key(number: NumberFacts) {
  return { providerId: number.providerId, e164: number.e164 };
}

function normalize(agents: readonly SlotAgent[], provider: ProviderName, ports: ApplyPorts): PlannedAgent[] {
  return agents.map((a) => {
    const info = ports.agentInfo(provider, a.agentId);
    return { agentId: a.agentId, name: info.name, kind: info.kind, weight: a.weight, version: a.version === undefined || a.version === null ? null : String(a.version) };
  });
}

function toWrite(agents: readonly PlannedAgent[]): SlotWrite[Slot] {
  return agents.map((a) => ({ agentId: a.agentId, weight: a.weight, version: a.version, kind: a.kind }));
}

function entry(ports: ApplyPorts, number: NumberFacts, slot: string, before: PlannedAgent[], after: PlannedAgent[], outcome: AuditEntry['outcome'], error: string | null): AuditEntry {
  return {
    at: ports.now().toISOString(),
    ...ports.audit,
    provider: number.provider,
    providerId: number.providerId,
    e164: number.e164,
    field: slot,
    before: JSON.stringify(before.map(({ agentId, name, weight, version }) => ({ agentId, name, weight, version }))),
    after: JSON.stringify(after.map(({ agentId, name, weight, version }) => ({ agentId, name, weight, version }))),
    outcome,
    error,
  };
}

/**
 * Push one checked plan: read the number upstream again (a changed slot stops with a conflict
 * unless forced), write, compare the answer with what was asked, and record the answer and the
 * audit entries in one transaction. Policy side effects run after; if one fails, the number's own
 * change is undone, and if the undo fails too the number is flagged needs-attention with the fix.
 */
export async function applyPlan(plan: NumberPlan, ports: ApplyPorts, options: { force: boolean }): Promise<ApplyResult> {
  const { number } = plan;
  const changes = plan.changes.filter((change) => change.kind !== 'unchanged');
  const base = { e164: number.e164, provider: number.provider };
  if (changes.length === 0 && plan.sideEffects.length === 0) {
    return { ...base, outcome: 'unchanged', changes: [], message: 'already so; nothing to push', exitCode: ExitCode.Ok };
  }
  const adapter = await ports.adapter(number.provider);
  let fresh: RemoteNumber;
  try {
    fresh = await adapter.readNumber(key(number));
  } catch (error) {
    return failure(base, plan, ports, error, 'failed');
  }
  const conflicts = changes.filter((change) => !sameAgents(normalize(fresh.slots[change.slot], number.provider, ports), change.before));
  if (conflicts.length && !options.force) {
    const message = conflicts
      .map((change) => `${change.slot} is ${describeSlot(normalize(fresh.slots[change.slot], number.provider, ports))} upstream but ${describeSlot(change.before)} in the cache`)
      .join('; ');
    const error = new ConflictError(`${number.e164}: changed upstream since the last sync: ${message}`, 'run `voicenum sync` and look again, or pass --force to overwrite');
    ports.store.appendAudit(changes.map((change) => entry(ports, number, change.slot, change.before, change.after, 'conflict', error.message)));
    return { ...base, outcome: 'conflict', changes, message: error.message, exitCode: error.exitCode };
  }
  const actualBefore = new Map(changes.map((change) => [change.slot, normalize(fresh.slots[change.slot], number.provider, ports)]));
  const write: SlotWrite = {};
  for (const change of changes) write[change.slot] = toWrite(change.after);
  let answer: RemoteNumber;
  try {
    answer = Object.keys(write).length ? await adapter.writeSlots(key(number), write, fresh) : fresh;
  } catch (error) {
    return failure(base, plan, ports, error, 'failed');
  }
  const mismatched = changes.filter((change) => !sameAgents(normalize(answer.slots[change.slot], number.provider, ports), change.after));
  const at = ports.now().toISOString();
  if (mismatched.length) {
    const message = `${number.provider} answered ${mismatched.map((c) => `${c.slot} = ${describeSlot(normalize(answer.slots[c.slot], number.provider, ports))} (asked ${describeSlot(c.after)})`).join('; ')}`;
    ports.store.applyRemoteNumber(answer, at, changes.map((c) => entry(ports, number, c.slot, actualBefore.get(c.slot)!, normalize(answer.slots[c.slot], number.provider, ports), 'failed', message)));
    return { ...base, outcome: 'failed', changes, message, exitCode: ExitCode.Provider };
  }
  ports.store.applyRemoteNumber(answer, at, changes.map((c) => entry(ports, number, c.slot, actualBefore.get(c.slot)!, c.after, 'applied', null)));

  // Steps already pushed, newest last: what to write back if a later step fails.
  const done: Step[] = [{ number, adapter, undo: Object.fromEntries(changes.map((c) => [c.slot, toWrite(actualBefore.get(c.slot)!)])), answer, slots: changes.map((c) => ({ slot: c.slot, before: actualBefore.get(c.slot)!, after: c.after })) }];
  for (const side of plan.sideEffects) {
    try {
      const otherAdapter = await ports.adapter(side.number.provider);
      const otherFresh = await otherAdapter.readNumber(key(side.number));
      const otherBefore = normalize(otherFresh.slots[side.slot], side.number.provider, ports);
      const otherAnswer = await otherAdapter.writeSlots(key(side.number), { [side.slot]: toWrite(side.after) }, otherFresh);
      ports.store.applyRemoteNumber(otherAnswer, ports.now().toISOString(), [entry(ports, side.number, side.slot, otherBefore, side.after, 'applied', null)]);
      done.push({ number: side.number, adapter: otherAdapter, undo: { [side.slot]: toWrite(otherBefore) }, answer: otherAnswer, slots: [{ slot: side.slot, before: otherBefore, after: side.after }] });
    } catch (error) {
      return rollback(base, changes, done, ports, side.number, error);
    }
  }
  return { ...base, outcome: 'applied', changes, message: null, exitCode: ExitCode.Ok };
}

/** One pushed write and how to take it back. */
interface Step {
  number: NumberFacts;
  adapter: ProviderAdapter;
  undo: SlotWrite;
  answer: RemoteNumber;
  slots: { slot: Slot; before: PlannedAgent[]; after: PlannedAgent[] }[];
}

/**
 * A later step failed: write every earlier step back, newest first. A step whose undo fails
 * leaves its number flagged needs-attention, with the exact fix in the message.
 */
async function rollback(base: { e164: string; provider: ProviderName }, changes: NumberPlan['changes'], done: Step[], ports: ApplyPorts, failedAt: NumberFacts, cause: unknown): Promise<ApplyResult> {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const stuck: string[] = [];
  for (const step of [...done].reverse()) {
    const rolledBack = `the step on ${failedAt.e164} failed (${reason}); this change was undone`;
    try {
      const restored = await step.adapter.writeSlots(key(step.number), step.undo, step.answer);
      ports.store.applyRemoteNumber(restored, ports.now().toISOString(), step.slots.map((s) => entry(ports, step.number, s.slot, s.after, s.before, 'rolled-back', rolledBack)));
    } catch (undoError) {
      const fix = step.slots.map((s) => `set ${s.slot} of ${step.number.e164} at ${step.number.provider} back to ${describeSlot(s.before)}`).join(', and ');
      const message = `undoing ${step.number.e164} failed (${undoError instanceof Error ? undoError.message : String(undoError)}); fix by hand: ${fix}, then run \`voicenum sync\``;
      stuck.push(message);
      ports.store.markNeedsAttention(step.number.provider, step.number.providerId, message, step.slots.map((s) => entry(ports, step.number, s.slot, s.before, s.after, 'needs-attention', message)));
    }
  }
  if (stuck.length) {
    return { ...base, outcome: 'needs-attention', changes, message: `the step on ${failedAt.e164} failed (${reason}), and ${stuck.join('; ')}`, exitCode: ExitCode.Provider };
  }
  return { ...base, outcome: 'rolled-back', changes, message: `the step on ${failedAt.e164} failed (${reason}); every earlier step was undone`, exitCode: cause instanceof VoicenumError ? cause.exitCode : ExitCode.Provider };
}

function failure(base: { e164: string; provider: ProviderName }, plan: NumberPlan, ports: ApplyPorts, error: unknown, outcome: 'failed'): ApplyResult {
  if (!(error instanceof VoicenumError)) throw error;
  const changes = plan.changes.filter((change) => change.kind !== 'unchanged');
  ports.store.appendAudit(changes.map((change) => entry(ports, plan.number, change.slot, change.before, change.after, outcome, error.message)));
  return { ...base, outcome, changes, message: error.message, exitCode: error.exitCode };
}
