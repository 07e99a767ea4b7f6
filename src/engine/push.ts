import { randomUUID } from '../util/lazy-builtins.js';
import { ConflictError, ExitCode, PartialWriteError, ProviderError, VoicenumError, type ExitCodeValue } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import { isSqliteError } from '../config/local-state.js';
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
  /** The intent journal: where a write's `pending` entries are committed before it is sent. */
  journal: { beginIntent(intent: string, entries: readonly AuditEntry[]): void };
  /** Holds the record against other voicenum processes while it is read and written. */
  lock?<T>(provider: ProviderName, providerId: string, e164: string, work: () => Promise<T>): Promise<T>;
}

/**
 * How a push ended. `uncertain`: the write's answer was lost and a re-read could not tell whether it
 * landed (the journal keeps it open for the next command). `unrecorded`: it landed upstream but the
 * cache could not record it (the journal entry stays pending and the next command records it).
 * `needs-attention`: the adapter's own step-by-step write failed half way and its undo failed too.
 */
export type PushFailure = { ok: false; outcome: 'conflict' | 'failed' | 'uncertain' | 'needs-attention'; message: string; exitCode: ExitCodeValue; hint?: string };

export type PushResult<V, S> =
  | { ok: true; fresh: S; answer: S; actualBefore: Map<string, V>; intent: string; unrecorded?: { message: string; hint: string } }
  | PushFailure;

export function auditEntry<V>(source: AuditSource, op: Pick<PushOperation<V, unknown>, 'provider' | 'providerId' | 'e164' | 'auditValue'>, field: string, before: V, after: V, outcome: AuditEntry['outcome'], error: string | null, intent: string | null = null): AuditEntry {
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
    intent,
  };
}

export const CONFLICT_HINT = 'run `voicenum sync` and look again, or pass --force to overwrite';
export const RECOVERY_HINT = 'the next voicenum command checks it upstream and records the truth; run `voicenum sync` to do it now';

export interface PushOptions {
  force: boolean;
  /** How a successful write is recorded: `rolled-back` for the undo of an earlier step. */
  applied?: { outcome: 'applied' | 'rolled-back'; note: string | null };
}

export async function push<V, S>(op: PushOperation<V, S>, source: AuditSource, options: PushOptions): Promise<PushResult<V, S>> {
  // Audit entries of writes that changed nothing are best effort: a failing cache must not hide the
  // outcome. What did change upstream is in the journal before the write is sent.
  const logged: PushOperation<V, S> = {
    ...op,
    log: (entries) => {
      try {
        op.log(entries);
      } catch (error) {
        if (!isSqliteError(error)) throw error;
      }
    },
  };
  if (!source.lock) return pushLocked(logged, source, options);
  let started = false;
  try {
    return await source.lock(op.provider, op.providerId, op.e164, () => {
      started = true;
      return pushLocked(logged, source, options);
    });
  } catch (error) {
    if (started || !isSqliteError(error)) throw error;
    const message = `${op.e164}: nothing was pushed, because the local cache could not be locked for it (${errorText(error)})`;
    return { ok: false, outcome: 'failed', message, exitCode: ExitCode.LocalState, hint: LOCAL_STATE_HINT };
  }
}

/** A write error after which the change may still have landed: the request left, the answer did not come back. */
function mayHaveLanded(error: VoicenumError): boolean {
  return error instanceof ProviderError && (error.retryable || error.status === null || error.status >= 500);
}

/** A cache error (locked past the busy timeout, disk full, read-only) as the words an operator can act on. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The write path: freshness read, conflict check, `pending` journal entry, write, verification, and
 * the answer plus the settled journal entries in one transaction. Whatever happens after the
 * journal entry is committed, the journal tells the truth or stays open for the next command.
 */
async function pushLocked<V, S>(op: PushOperation<V, S>, source: AuditSource, options: PushOptions): Promise<PushResult<V, S>> {
  const entries = (outcome: AuditEntry['outcome'], error: string | null, values: (c: FieldChange<V>) => [V, V], intent: string | null = null) =>
    op.changes.map((c) => auditEntry(source, op, c.field, ...values(c), outcome, error, intent));
  const asked = (c: FieldChange<V>): [V, V] => [c.before, c.after];
  let fresh: S;
  try {
    fresh = await op.read();
  } catch (error) {
    if (!(error instanceof VoicenumError)) throw error;
    op.log(entries('failed', error.message, asked));
    return { ok: false, outcome: 'failed', message: error.message, exitCode: error.exitCode, hint: error.hint };
  }
  const conflicts = op.changes.filter((c) => !op.same(op.valueOf(fresh, c.field), c.before));
  if (conflicts.length && !options.force) {
    const detail = conflicts.map((c) => `${c.field} is ${op.describe(op.valueOf(fresh, c.field))} upstream but ${op.describe(c.before)} in the cache`).join('; ');
    const error = new ConflictError(`${op.e164}: changed upstream since the last sync: ${detail}`, CONFLICT_HINT);
    op.log(entries('conflict', error.message, asked));
    return { ok: false, outcome: 'conflict', message: error.message, exitCode: error.exitCode, hint: error.hint };
  }
  const actualBefore = new Map(op.changes.map((c) => [c.field, op.valueOf(fresh, c.field)]));
  const intended = (c: FieldChange<V>): [V, V] => [actualBefore.get(c.field)!, c.after];

  // The intent journal: committed before anything leaves, so a crash from here on is found later.
  const intent = randomUUID();
  try {
    source.journal.beginIntent(intent, entries('pending', null, intended));
  } catch (error) {
    const message = `${op.e164}: nothing was pushed, because the change could not be recorded first (${errorText(error)})`;
    return { ok: false, outcome: 'failed', message, exitCode: ExitCode.LocalState, hint: LOCAL_STATE_HINT };
  }

  let answer: S;
  try {
    answer = await op.write(fresh);
  } catch (error) {
    if (!(error instanceof VoicenumError)) throw error;
    // The adapter's own step-by-step undo failed: upstream is half written, the record needs a hand.
    if (error instanceof PartialWriteError && op.flag) {
      op.flag(error.needsAttention, op.changes.map((c) => auditEntry(source, op, c.field, c.before, c.after, 'needs-attention', error.message, intent)));
      return { ok: false, outcome: 'needs-attention', message: error.message, exitCode: error.exitCode, hint: error.hint };
    }
    if (!mayHaveLanded(error)) {
      op.log(entries('failed', error.message, intended, intent));
      return { ok: false, outcome: 'failed', message: error.message, exitCode: error.exitCode, hint: error.hint };
    }
    // The answer was lost: read once more and record what really happened.
    let reread: S;
    try {
      reread = await op.read();
    } catch (readError) {
      const message = `${op.e164}: the write may or may not have reached ${op.provider} (${error.message}), and reading it again failed (${readError instanceof Error ? readError.message : String(readError)})`;
      op.log(entries('uncertain', message, intended, intent));
      return { ok: false, outcome: 'uncertain', message, exitCode: ExitCode.Provider, hint: RECOVERY_HINT };
    }
    if (op.changes.every((c) => op.same(op.valueOf(reread, c.field), c.after))) {
      answer = reread;
    } else if (op.changes.every((c) => op.same(op.valueOf(reread, c.field), actualBefore.get(c.field)!))) {
      const message = `${error.message}; a read right after shows nothing changed upstream`;
      op.log(entries('failed', message, intended, intent));
      return { ok: false, outcome: 'failed', message, exitCode: error.exitCode, hint: error.hint };
    } else {
      const now = op.changes.map((c) => `${c.field} is ${op.describe(op.valueOf(reread, c.field))}`).join('; ');
      const message = `${op.e164}: the write's answer was lost (${error.message}) and upstream now holds neither the old nor the asked value: ${now}`;
      try {
        op.save(reread, op.changes.map((c) => auditEntry(source, op, c.field, actualBefore.get(c.field)!, op.valueOf(reread, c.field), 'conflict', message, intent)));
      } catch {
        // The journal entry stays pending; the next command reads the number again.
      }
      return { ok: false, outcome: 'conflict', message, exitCode: ExitCode.Conflict, hint: 'look at it with `voicenum numbers show`, then set it as it should be' };
    }
  }
  const mismatched = op.changes.filter((c) => !op.same(op.valueOf(answer, c.field), c.after));
  const outcome = mismatched.length ? ('failed' as const) : (options.applied?.outcome ?? 'applied');
  const message = mismatched.length ? `${op.provider} answered ${mismatched.map((c) => `${c.field} = ${op.describe(op.valueOf(answer, c.field))} (asked ${op.describe(c.after)})`).join('; ')}` : (options.applied?.note ?? null);
  try {
    op.save(answer, op.changes.map((c) => auditEntry(source, op, c.field, actualBefore.get(c.field)!, mismatched.length ? op.valueOf(answer, c.field) : c.after, outcome, message, intent)));
  } catch (error) {
    // Upstream holds the change; the cache could not take it. The pending entry keeps the truth.
    const unrecorded = `${op.e164}: ${outcome === 'failed' ? 'written' : 'applied'} at ${op.provider}, but the local cache could not record it (${errorText(error)}); the journal keeps it as pending`;
    if (outcome !== 'failed') return { ok: true, fresh, answer, actualBefore, intent, unrecorded: { message: unrecorded, hint: RECOVERY_HINT } };
    return { ok: false, outcome: 'uncertain', message: unrecorded, exitCode: ExitCode.LocalState, hint: RECOVERY_HINT };
  }
  if (mismatched.length) return { ok: false, outcome: 'failed', message: message!, exitCode: ExitCode.Provider };
  return { ok: true, fresh, answer, actualBefore, intent };
}

export const LOCAL_STATE_HINT = 'the cache is busy or cannot be written (another voicenum holding it, a full disk, a read-only folder); fix that and run the command again';
