import { randomUUID } from 'node:crypto';
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

/** A hold is over when it expired (its holder stopped renewing it) or its holder is known to be gone. */
function stale(row: LockRow, now: number): boolean {
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
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    db.prepare('DELETE FROM number_locks WHERE provider = ? AND provider_id = ? AND hold_token = ?').run(provider, providerId, hold);
  }
}
