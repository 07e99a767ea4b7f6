import { RefusedError, UsageError } from '../domain/errors.js';
import { sameFieldValue } from '../domain/field-values.js';
import { isSlot, type ProviderName } from '../domain/model.js';
import type { AuditRow, NumberRow, Store } from '../store/index.js';

/**
 * Undo: which audit-log changes to take back, and what each record's fields must be set back to.
 * The writes themselves go through the ordinary plan and push (rules, confirmation, freshness read,
 * journal, verification), recorded as a batch of their own, so an undo can be undone in turn.
 */

/** The fields an undo can set back: what `assign`, `unassign`, `label`, `fallback` and `region` change. */
export const UNDOABLE_FIELDS = ['inbound', 'outbound', 'sms', 'label', 'fallback', 'region'] as const;

export type UndoSelector = { change: number } | { batch: string } | { last: true };

export interface Selection {
  /** How the operator named it, for messages: `change 12`, `batch 3f2a…`, `the last command`. */
  what: string;
  batch: string;
  rows: AuditRow[];
}

/** The audit entries an undo selector names; an id or batch the log does not hold is a usage error (exit 2). */
export function selectChanges(store: Store, selector: UndoSelector): Selection {
  if ('change' in selector) {
    const row = store.auditById(selector.change);
    if (!row) throw new UsageError(`no change ${selector.change} in the audit log`, 'see the change ids with `voicenum history`');
    return { what: `change ${row.id}`, batch: row.batch, rows: [row] };
  }
  if ('batch' in selector) {
    const prefix = selector.batch.trim().toLowerCase();
    if (prefix.length < 4) throw new UsageError(`--batch "${selector.batch}" is too short: give at least 4 characters of a batch id`, 'see the batch ids with `voicenum history`');
    const batches = store.batchesMatching(prefix);
    if (batches.length === 0) throw new UsageError(`no batch ${selector.batch} in the audit log`, 'see the batch ids with `voicenum history`');
    if (batches.length > 1) throw new UsageError(`--batch ${selector.batch} is ambiguous: ${batches.join(', ')}`, 'give more characters of the id');
    return { what: `batch ${batches[0]}`, batch: batches[0]!, rows: store.auditOfBatch(batches[0]!) };
  }
  const batch = store.lastChangingBatch();
  if (!batch) throw new UsageError('nothing to undo: the audit log holds no change that reached upstream', 'see `voicenum history`');
  return { what: `the last command (batch ${batch})`, batch, rows: store.auditOfBatch(batch) };
}

/** One field of one record to set back: from what the changes left to what they replaced. */
export interface UndoStep {
  provider: ProviderName;
  providerId: string;
  e164: string;
  field: (typeof UNDOABLE_FIELDS)[number];
  /** What the changes left (the audit value): the record must still hold it, unless --force. */
  from: unknown;
  /** What they replaced: what the undo writes. */
  to: unknown;
  changeIds: number[];
}

const parse = (text: string): unknown => JSON.parse(text) as unknown;

/**
 * The net effect of the selected entries per record and field, to take back. Only entries that
 * changed something upstream count (`applied`, and `rolled-back`, which took an earlier step of the
 * same run back); a field whose run ended where it began needs nothing. Changes voicenum has no
 * undo for (buying, importing, releasing) are refusals: the whole undo stops, nothing is pushed.
 */
export function undoSteps(selection: Selection): UndoStep[] {
  const refusals: string[] = [];
  const steps = new Map<string, UndoStep>();
  const lifecycle = new Set<string>();
  for (const row of selection.rows) {
    if (row.outcome !== 'applied' && row.outcome !== 'rolled-back') continue;
    if (!(UNDOABLE_FIELDS as readonly string[]).includes(row.field)) {
      lifecycle.add(row.field.replace(/^lifecycle:.*/, 'lifecycle'));
      continue;
    }
    const key = `${row.provider}:${row.providerId}:${row.field}`;
    const step = steps.get(key);
    if (step) {
      step.from = parse(row.after);
      step.changeIds.push(row.id);
    } else {
      steps.set(key, { provider: row.provider, providerId: row.providerId, e164: row.e164, field: row.field as UndoStep['field'], from: parse(row.after), to: parse(row.before), changeIds: [row.id] });
    }
  }
  if (lifecycle.size) {
    refusals.push(`${selection.what} includes ${[...lifecycle].join(', ')}: buying, importing and releasing a number have no undo; use \`voicenum numbers release\` or \`voicenum numbers import\` (or \`numbers repair\` for one left half done)`);
  }
  const netted = [...steps.values()].filter((step) => !sameFieldValue(step.field, step.from, step.to));
  if (refusals.length) throw new RefusedError(refusals);
  if (netted.length === 0) {
    const outcomes = [...new Set(selection.rows.map((row) => row.outcome))].join(', ');
    throw new RefusedError([`nothing to undo: ${selection.what} changed nothing upstream (${outcomes || 'no entries'})`]);
  }
  return netted;
}

/** A cached record's field in the audit log's form (agents with their names), to compare with what a change left. */
export function cachedValue(row: NumberRow, field: UndoStep['field']): unknown {
  if (isSlot(field)) return row.slots[field].map((a) => ({ agentId: a.agentId, name: a.name, weight: a.weight, version: a.version }));
  if (field === 'label') return row.label === '' ? null : row.label;
  if (field === 'fallback') return row.fallback === '' ? null : row.fallback;
  return row.region;
}

/**
 * Whether the record changed since the change, as far as the cache knows (the push's freshness read
 * then checks upstream): null when it still holds what the change left, or already holds what the
 * undo puts back (an undo killed half way is finished by running it again); else what it holds now.
 */
export function changedSince(row: NumberRow, step: UndoStep): { now: unknown } | null {
  const now = cachedValue(row, step.field);
  return sameFieldValue(step.field, now, step.from) || sameFieldValue(step.field, now, step.to) ? null : { now };
}
