import { ConflictError, ExitCode, PartialWriteError, VoicenumError, type ExitCodeValue } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import type { AuditEntry } from '../store/index.js';

/**
 * The one path every change takes upstream, whatever it changes (slots, label, fallback, region):
 * read the record again right before writing, stop with a conflict when a field no longer holds what
 * the cache said (unless forced), write, compare the answer with what was asked, and hand the answer
 * and its audit entries to the cache in one transaction.
 */

export interface FieldChange<V> {
  /** The audit field: a slot (`inbound`), or `label`, `fallback`, `region`. */
  field: string;
  before: V;
  after: V;
}

/** How to read, compare, write and record one record's fields at one provider. */
export interface PushOperation<V, S> {
  provider: ProviderName;
  e164: string;
  providerId: string;
  changes: FieldChange<V>[];
  read(): Promise<S>;
  valueOf(state: S, field: string): V;
  same(a: V, b: V): boolean;
  describe(value: V): string;
  write(fresh: S): Promise<S>;
  /** Write the answer into the cache together with the audit entries, in one transaction. */
  save(answer: S, entries: AuditEntry[]): void;
  /** Append audit entries alone (conflicts, failures). */
  log(entries: AuditEntry[]): void;
  /** Flag the record needs-attention with its audit entries (a write that left it half done). */
  flag?(message: string, entries: AuditEntry[]): void;
  /** What the audit log stores for a value. */
  auditValue(value: V): unknown;
}

export interface AuditSource {
  now(): Date;
  audit: { osUser: string; profile: string; batch: string };
  /** Holds the record against other voicenum processes while it is read and written. */
  lock?<T>(provider: ProviderName, providerId: string, e164: string, work: () => Promise<T>): Promise<T>;
}

export type PushResult<V, S> =
  | { ok: true; fresh: S; answer: S; actualBefore: Map<string, V> }
  | { ok: false; outcome: 'conflict' | 'failed' | 'needs-attention'; message: string; exitCode: ExitCodeValue; hint?: string };

export function auditEntry<V>(source: AuditSource, op: Pick<PushOperation<V, unknown>, 'provider' | 'providerId' | 'e164' | 'auditValue'>, field: string, before: V, after: V, outcome: AuditEntry['outcome'], error: string | null): AuditEntry {
  return {
    at: source.now().toISOString(),
    ...source.audit,
    provider: op.provider,
    providerId: op.providerId,
    e164: op.e164,
    field,
    before: JSON.stringify(op.auditValue(before)),
    after: JSON.stringify(op.auditValue(after)),
    outcome,
    error,
  };
}

export const CONFLICT_HINT = 'run `voicenum sync` and look again, or pass --force to overwrite';

export async function push<V, S>(op: PushOperation<V, S>, source: AuditSource, options: { force: boolean }): Promise<PushResult<V, S>> {
  if (source.lock) return source.lock(op.provider, op.providerId, op.e164, () => pushLocked(op, source, options));
  return pushLocked(op, source, options);
}

async function pushLocked<V, S>(op: PushOperation<V, S>, source: AuditSource, options: { force: boolean }): Promise<PushResult<V, S>> {
  const fail = (error: unknown, outcome: 'failed'): PushResult<V, S> => {
    if (!(error instanceof VoicenumError)) throw error;
    op.log(op.changes.map((c) => auditEntry(source, op, c.field, c.before, c.after, outcome, error.message)));
    return { ok: false, outcome, message: error.message, exitCode: error.exitCode, hint: error.hint };
  };
  let fresh: S;
  try {
    fresh = await op.read();
  } catch (error) {
    return fail(error, 'failed');
  }
  const conflicts = op.changes.filter((c) => !op.same(op.valueOf(fresh, c.field), c.before));
  if (conflicts.length && !options.force) {
    const detail = conflicts.map((c) => `${c.field} is ${op.describe(op.valueOf(fresh, c.field))} upstream but ${op.describe(c.before)} in the cache`).join('; ');
    const error = new ConflictError(`${op.e164}: changed upstream since the last sync: ${detail}`, CONFLICT_HINT);
    op.log(op.changes.map((c) => auditEntry(source, op, c.field, c.before, c.after, 'conflict', error.message)));
    return { ok: false, outcome: 'conflict', message: error.message, exitCode: error.exitCode, hint: error.hint };
  }
  const actualBefore = new Map(op.changes.map((c) => [c.field, op.valueOf(fresh, c.field)]));
  let answer: S;
  try {
    answer = await op.write(fresh);
  } catch (error) {
    // The adapter's own step-by-step undo failed: upstream is half written, the record needs a hand.
    if (error instanceof PartialWriteError && op.flag) {
      op.flag(error.needsAttention, op.changes.map((c) => auditEntry(source, op, c.field, c.before, c.after, 'needs-attention', error.message)));
      return { ok: false, outcome: 'needs-attention', message: error.message, exitCode: error.exitCode, hint: error.hint };
    }
    return fail(error, 'failed');
  }
  const mismatched = op.changes.filter((c) => !op.same(op.valueOf(answer, c.field), c.after));
  if (mismatched.length) {
    const message = `${op.provider} answered ${mismatched.map((c) => `${c.field} = ${op.describe(op.valueOf(answer, c.field))} (asked ${op.describe(c.after)})`).join('; ')}`;
    op.save(answer, op.changes.map((c) => auditEntry(source, op, c.field, actualBefore.get(c.field)!, op.valueOf(answer, c.field), 'failed', message)));
    return { ok: false, outcome: 'failed', message, exitCode: ExitCode.Provider };
  }
  op.save(answer, op.changes.map((c) => auditEntry(source, op, c.field, actualBefore.get(c.field)!, c.after, 'applied', null)));
  return { ok: true, fresh, answer, actualBefore };
}
