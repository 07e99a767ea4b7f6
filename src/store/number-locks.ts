import { randomUUID } from '../util/lazy-builtins.js';
import type Database from 'better-sqlite3';
import { ConflictError } from '../domain/errors.js';
import { currentProcess, ownerGone } from './process-identity.js';

export interface NumberLockOptions {
  /** How long to wait for another holder before giving up with a conflict. */
  timeoutMs?: number;
  pollMs?: number;
  /** How far ahead a hold expires; the holder pushes it forward every `heartbeatMs` while it works. */
  leaseMs?: number;
  heartbeatMs?: number;
}

/**
 * A lease long enough that a busy but healthy holder always renews it in time, short enough that a
 * lock whose holder cannot be judged from here (another pid namespace) frees well within the wait.
 */
const LEASE_MS = 20_000;
const HEARTBEAT_MS = 5_000;

interface LockRow {
  provider: string;
  provider_id: string;
  hold_token: string;
  process_token: string;
  pid: number;
  pid_start_time: string | null;
  pid_scope: string | null;
  expires_at: number;
}

/** The holds this process has right now (their hold tokens). */
const active = new Set<string>();

/**
 * A hold is over when it expired (its holder stopped renewing it), its holder is known to be gone,
 * or it is this process's own and no longer held (its release failed on a busy cache).
 */
function stale(row: LockRow, now: number): boolean {
  if (row.process_token === currentProcess().token && !active.has(row.hold_token)) return true;
  return row.expires_at <= now || ownerGone({ pid: row.pid, startTime: row.pid_start_time, scope: row.pid_scope, token: row.process_token });
}

/** Delete the holds of processes that ended or stopped renewing them; returns how many. */
export function clearDeadLocks(db: Database.Database): number {
  const rows = db.prepare('SELECT * FROM number_locks').all() as LockRow[];
  const now = Date.now();
  const remove = db.prepare('DELETE FROM number_locks WHERE provider = ? AND provider_id = ? AND hold_token = ?');
  let cleared = 0;
  for (const row of rows) {
    if (stale(row, now)) cleared += remove.run(row.provider, row.provider_id, row.hold_token).changes;
  }
  return cleared;
}

/** Databases this process has already swept of dead holds: once per run is enough. */
const swept = new WeakSet<Database.Database>();

/**
 * Hold a number while it is read and written upstream, so a second voicenum process changing the
 * same number waits, then finds the first one's change at its freshness read (a conflict) instead of
 * silently overwriting it. The hold of a process that died, or that stopped renewing it, is taken
 * over at once.
 */
export async function withNumberLock<T>(db: Database.Database, provider: string, providerId: string, e164: string, work: () => Promise<T>, options: NumberLockOptions = {}): Promise<T> {
  const me = currentProcess();
  const hold = randomUUID();
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  if (!swept.has(db)) {
    swept.add(db);
    clearDeadLocks(db);
  }
  releaseLeftoverLocks(db);
  const tryAcquire = db.transaction((): boolean => {
    const now = Date.now();
    const held = db.prepare('SELECT * FROM number_locks WHERE provider = ? AND provider_id = ?').get(provider, providerId) as LockRow | undefined;
    if (held && !stale(held, now)) return false;
    db.prepare(
      `INSERT OR REPLACE INTO number_locks (provider, provider_id, hold_token, process_token, pid, pid_start_time, pid_scope, acquired_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(provider, providerId, hold, me.token, me.pid, me.startTime, me.scope, now, now + leaseMs);
    return true;
  });
  while (!tryAcquire.immediate()) {
    if (Date.now() > deadline) throw new ConflictError(`another voicenum process is changing ${e164} and has not finished`, 'try again in a moment');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
  const renew = db.prepare('UPDATE number_locks SET expires_at = ? WHERE provider = ? AND provider_id = ? AND hold_token = ?');
  const heartbeat = setInterval(() => {
    try {
      renew.run(Date.now() + leaseMs, provider, providerId, hold);
    } catch {
      // The cache is busy this instant; the next beat tries again well before the lease runs out.
    }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  // The heartbeat alone must not keep the process alive.
  heartbeat.unref();
  active.add(hold);
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    active.delete(hold);
    try {
      db.prepare('DELETE FROM number_locks WHERE provider = ? AND provider_id = ? AND hold_token = ?').run(provider, providerId, hold);
    } catch {
      // The cache is busy or failing: released later in this process (next lock, or close); if
      // this process ends first, the row is a dead holder's and is taken over.
      leftovers.set(db, [...(leftovers.get(db) ?? []), hold]);
    }
  }
}

/** Holds this process could not delete when it let go of them (the cache was busy). */
const leftovers = new WeakMap<Database.Database, string[]>();

/** Delete the holds this process failed to release earlier; leaves them quietly if the cache still fails. */
export function releaseLeftoverLocks(db: Database.Database): void {
  const holds = leftovers.get(db);
  if (!holds?.length) return;
  try {
    const remove = db.prepare('DELETE FROM number_locks WHERE hold_token = ?');
    db.transaction(() => holds.forEach((hold) => remove.run(hold)))();
    leftovers.delete(db);
  } catch {
    // Still failing: tried again on the next lock or close.
  }
}
