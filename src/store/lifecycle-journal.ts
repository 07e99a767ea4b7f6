import type Database from 'better-sqlite3';
import type { ProviderName } from '../domain/model.js';
import { appendAudit, type AuditEntry } from './number-writer.js';
import { currentProcess, ownerGone } from './process-identity.js';

/**
 * The journal of the life of a number (buy, import, release): one row per operation, one per step.
 * A step is committed `pending` before its upstream call and settled after, so a crash leaves the
 * next command what it needs to finish or undo the operation. Steps hold SIDs and voice routings,
 * never a generated secret.
 */

export type LifecycleKind = 'buy' | 'import' | 'release';
export type LifecycleOpState = 'running' | 'done' | 'rolled-back' | 'corrupted';
export type LifecycleStepOutcome = 'pending' | 'done' | 'failed' | 'undone' | 'undo-failed';
/** What list and show say about a number while an operation runs on it or after its undo failed. */
export type LifecycleState = 'importing' | 'deleting' | 'buying' | 'corrupted';

export interface LifecycleOpRow {
  id: string;
  kind: LifecycleKind;
  e164: string;
  /** The platform the number is bought on, imported into or released from. */
  provider: ProviderName;
  /** The carrier the number comes from (imports) and its record there (the PN sid). */
  carrier: ProviderName | null;
  carrierId: string | null;
  state: LifecycleOpState;
  /** What a resume needs besides the steps (no secrets): JSON. */
  detail: Record<string, unknown>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** For a running op: whether the process running it is known to have ended (a crash). */
  ownerGone: boolean;
  /** Whether this very process started (or adopted) it. */
  ownedHere: boolean;
}

export interface LifecycleStepRow {
  opId: string;
  seq: number;
  kind: string;
  /** What the step created (parsed JSON), null until known. */
  resource: Record<string, unknown> | null;
  /** The voice routing the step saved (parsed JSON), for the steps that read it. */
  routing: Record<string, unknown> | null;
  outcome: LifecycleStepOutcome;
  error: string | null;
  startedAt: string;
  settledAt: string | null;
}

export interface BeginOp {
  id: string;
  kind: LifecycleKind;
  e164: string;
  provider: ProviderName;
  carrier?: ProviderName | null;
  carrierId?: string | null;
  detail?: Record<string, unknown>;
  at: string;
}

interface OpRecord {
  id: string;
  kind: LifecycleKind;
  e164: string;
  provider: ProviderName;
  carrier: ProviderName | null;
  carrier_id: string | null;
  state: LifecycleOpState;
  detail: string;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  process_token: string;
  pid: number;
  pid_start_time: string | null;
  pid_scope: string | null;
}

interface StepRecord {
  op_id: string;
  seq: number;
  kind: string;
  resource: string | null;
  routing: string | null;
  outcome: LifecycleStepOutcome;
  error: string | null;
  started_at: string;
  settled_at: string | null;
}

const json = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));

function opRow(record: OpRecord): LifecycleOpRow {
  return {
    id: record.id,
    kind: record.kind,
    e164: record.e164,
    provider: record.provider,
    carrier: record.carrier,
    carrierId: record.carrier_id,
    state: record.state,
    detail: json(record.detail) ?? {},
    error: record.error,
    startedAt: record.started_at,
    finishedAt: record.finished_at,
    ownerGone: record.state === 'running' && ownerGone({ pid: record.pid, startTime: record.pid_start_time, scope: record.pid_scope, token: record.process_token }),
    ownedHere: record.process_token === currentProcess().token,
  };
}

function stepRow(record: StepRecord): LifecycleStepRow {
  return {
    opId: record.op_id,
    seq: record.seq,
    kind: record.kind,
    resource: json(record.resource),
    routing: json(record.routing),
    outcome: record.outcome,
    error: record.error,
    startedAt: record.started_at,
    settledAt: record.settled_at,
  };
}

/** Record an operation as running, owned by this process. */
export function beginLifecycleOp(db: Database.Database, op: BeginOp): void {
  const me = currentProcess();
  db.prepare(
    `INSERT INTO lifecycle_ops (id, kind, e164, provider, carrier, carrier_id, state, detail, started_at, process_token, pid, pid_start_time, pid_scope)
     VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
  ).run(op.id, op.kind, op.e164, op.provider, op.carrier ?? null, op.carrierId ?? null, JSON.stringify(op.detail ?? {}), op.at, me.token, me.pid, me.startTime, me.scope);
}

/** Take over a running operation (a resume or repair after the process that ran it ended). */
export function adoptLifecycleOp(db: Database.Database, opId: string): void {
  const me = currentProcess();
  db.prepare('UPDATE lifecycle_ops SET process_token = ?, pid = ?, pid_start_time = ?, pid_scope = ? WHERE id = ?').run(me.token, me.pid, me.startTime, me.scope, opId);
}

/** Merge facts into an operation's detail (the platform record an import made, the trunk it chose). */
export function updateLifecycleDetail(db: Database.Database, opId: string, detail: Record<string, unknown>): void {
  db.transaction(() => {
    const current = db.prepare('SELECT detail FROM lifecycle_ops WHERE id = ?').pluck().get(opId) as string | undefined;
    db.prepare('UPDATE lifecycle_ops SET detail = ? WHERE id = ?').run(JSON.stringify({ ...(json(current ?? null) ?? {}), ...detail }), opId);
  }).immediate();
}

/**
 * Commit a step as `pending` before its upstream call; returns its sequence number. `resource` may
 * already say what it will create where that is known beforehand (a trunk's domain name).
 */
export function beginLifecycleStep(db: Database.Database, opId: string, step: { kind: string; resource?: Record<string, unknown> | null; routing?: Record<string, unknown> | null }, at: string): number {
  return db
    .transaction(() => {
      const seq = ((db.prepare('SELECT max(seq) FROM lifecycle_steps WHERE op_id = ?').pluck().get(opId) as number | null) ?? 0) + 1;
      db.prepare(`INSERT INTO lifecycle_steps (op_id, seq, kind, resource, routing, outcome, started_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)`).run(
        opId,
        seq,
        step.kind,
        step.resource ? JSON.stringify(step.resource) : null,
        step.routing ? JSON.stringify(step.routing) : null,
        at,
      );
      return seq;
    })
    .immediate();
}

/** Settle a step after its upstream call (or its undo); audit entries go in the same transaction. */
export function settleLifecycleStep(
  db: Database.Database,
  opId: string,
  seq: number,
  settled: { outcome: LifecycleStepOutcome; resource?: Record<string, unknown> | null; routing?: Record<string, unknown> | null; error?: string | null },
  at: string,
  entries: readonly AuditEntry[] = [],
): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE lifecycle_steps SET outcome = @outcome, error = @error, settled_at = @at,
         resource = CASE WHEN @setResource THEN @resource ELSE resource END,
         routing = CASE WHEN @setRouting THEN @routing ELSE routing END
       WHERE op_id = @opId AND seq = @seq`,
    ).run({
      opId,
      seq,
      at,
      outcome: settled.outcome,
      error: settled.error ?? null,
      setResource: settled.resource !== undefined ? 1 : 0,
      resource: settled.resource ? JSON.stringify(settled.resource) : null,
      setRouting: settled.routing !== undefined ? 1 : 0,
      routing: settled.routing ? JSON.stringify(settled.routing) : null,
    });
    appendAudit(db, entries);
  }).immediate();
}

/** End an operation, with its audit entries, in one transaction. */
export function finishLifecycleOp(db: Database.Database, opId: string, state: Exclude<LifecycleOpState, 'running'>, error: string | null, at: string, entries: readonly AuditEntry[] = []): void {
  db.transaction(() => {
    db.prepare('UPDATE lifecycle_ops SET state = ?, error = ?, finished_at = ? WHERE id = ?').run(state, error, at, opId);
    appendAudit(db, entries);
  }).immediate();
}

export function lifecycleOp(db: Database.Database, opId: string): LifecycleOpRow | null {
  const record = db.prepare('SELECT * FROM lifecycle_ops WHERE id = ?').get(opId) as OpRecord | undefined;
  return record ? opRow(record) : null;
}

export function lifecycleSteps(db: Database.Database, opId: string): LifecycleStepRow[] {
  return (db.prepare('SELECT * FROM lifecycle_steps WHERE op_id = ? ORDER BY seq').all(opId) as StepRecord[]).map(stepRow);
}

/**
 * Operations a process that has ended left running (a crash, a SIGKILL): what every command warns
 * about. One read of the partial index on unfinished operations.
 */
export function abandonedLifecycleOps(db: Database.Database): LifecycleOpRow[] {
  return (db.prepare(ABANDONED_OPS_SQL).all() as OpRecord[]).map(opRow).filter((op) => op.ownerGone);
}

/** The partial index's own condition, repeated, lets SQLite use it (a bare `state = 'running'` scans). */
export const ABANDONED_OPS_SQL = "SELECT * FROM lifecycle_ops WHERE state IN ('running', 'corrupted') AND state = 'running' ORDER BY started_at, rowid";

/** Operations still running (a live process's, or one a crash left), oldest first. */
export function openLifecycleOps(db: Database.Database): LifecycleOpRow[] {
  return (db.prepare("SELECT * FROM lifecycle_ops WHERE state = 'running' ORDER BY started_at, rowid").all() as OpRecord[]).map(opRow);
}

/** The operations on a number at a platform (all kinds, or one), oldest first. */
export function lifecycleOpsOf(db: Database.Database, e164: string, provider?: ProviderName, kind?: LifecycleKind): LifecycleOpRow[] {
  return (
    db
      .prepare(
        `SELECT * FROM lifecycle_ops WHERE e164 = @e164 ${provider ? 'AND provider = @provider' : ''} ${kind ? 'AND kind = @kind' : ''} ORDER BY started_at, rowid`,
      )
      .all({ e164, provider, kind }) as OpRecord[]
  ).map(opRow);
}

/** Every import that ended done, oldest first: the trunks and lists voicenum made and still owns. */
export function doneImports(db: Database.Database): LifecycleOpRow[] {
  return (db.prepare("SELECT * FROM lifecycle_ops WHERE kind = 'import' AND state = 'done' ORDER BY started_at, rowid").all() as OpRecord[]).map(opRow);
}

/** The key of lifecycleStates(): a number at one platform. */
export const lifecycleKey = (e164: string, provider: ProviderName) => `${e164} ${provider}`;

/**
 * The lifecycle state of each number that has one, keyed by lifecycleKey(e164, provider): its latest
 * operation running (importing, deleting, buying) or corrupted. Numbers whose latest operation
 * ended well have none (they are simply active).
 */
export function lifecycleStates(db: Database.Database): Map<string, LifecycleState> {
  const rows = db
    .prepare(
      `SELECT e164, provider, carrier, kind, state FROM lifecycle_ops o
       WHERE rowid = (SELECT rowid FROM lifecycle_ops p WHERE p.e164 = o.e164 AND p.provider = o.provider ORDER BY started_at DESC, rowid DESC LIMIT 1)
         AND state IN ('running', 'corrupted')`,
    )
    .all() as { e164: string; provider: ProviderName; carrier: ProviderName | null; kind: LifecycleKind; state: LifecycleOpState }[];
  const states = new Map<string, LifecycleState>();
  for (const row of rows) {
    const state: LifecycleState = row.state === 'corrupted' ? 'corrupted' : row.kind === 'import' ? 'importing' : row.kind === 'release' ? 'deleting' : 'buying';
    states.set(lifecycleKey(row.e164, row.provider), state);
  }
  // An import or release that touches the carrier shows on the carrier's record too: until the
  // platform holds the number, that record is the only row `numbers list` has of it.
  for (const row of rows) {
    if (row.carrier === null) continue;
    const key = lifecycleKey(row.e164, row.carrier);
    if (!states.has(key)) states.set(key, row.state === 'corrupted' ? 'corrupted' : row.kind === 'import' ? 'importing' : 'deleting');
  }
  return states;
}
