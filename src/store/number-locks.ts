import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ConflictError } from '../domain/errors.js';

/** A lock older than this is taken over even if its process still seems alive. */
const STALE_MS = 5 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Hold a number while it is read and written upstream, so a second voicenum process changing the
 * same number waits, then finds the first one's change at its freshness read (a conflict) instead of
 * silently overwriting it. Locks of processes that died are taken over.
 */
export async function withNumberLock<T>(db: Database.Database, provider: string, providerId: string, e164: string, work: () => Promise<T>, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  releaseLeftoverLocks(db);
  const owner = randomUUID();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const tryAcquire = db.transaction((): boolean => {
    const held = db.prepare('SELECT pid, acquired_at FROM number_locks WHERE provider = ? AND provider_id = ?').get(provider, providerId) as { owner: string; pid: number; acquired_at: string } | undefined;
    const ours = held?.pid === process.pid;
    // A row of this process that it does not hold any more (its release failed) is stale too.
    if (held && (ours ? active.has(held.owner) : alive(held.pid)) && Date.now() - Date.parse(held.acquired_at) < STALE_MS) return false;
    db.prepare('INSERT OR REPLACE INTO number_locks (provider, provider_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)').run(provider, providerId, owner, process.pid, new Date().toISOString());
    return true;
  });
  while (!tryAcquire.immediate()) {
    if (Date.now() > deadline) throw new ConflictError(`another voicenum process is changing ${e164} and has not finished`, 'try again in a moment');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
  active.add(owner);
  try {
    return await work();
  } finally {
    active.delete(owner);
    try {
      db.prepare('DELETE FROM number_locks WHERE provider = ? AND provider_id = ? AND owner = ?').run(provider, providerId, owner);
    } catch {
      // The cache is busy or failing: release it later in this process (next lock, or close);
      // if this process dies first, the row is taken over as a dead owner's.
      leftovers.set(db, [...(leftovers.get(db) ?? []), owner]);
    }
  }
}

/** The locks this process holds right now. */
const active = new Set<string>();

/** Lock rows this process could not delete when it let go of them (the cache was busy). */
const leftovers = new WeakMap<Database.Database, string[]>();

/** Delete the lock rows this process failed to release earlier; quietly leaves them if the cache still fails. */
export function releaseLeftoverLocks(db: Database.Database): void {
  const owners = leftovers.get(db);
  if (!owners?.length) return;
  try {
    const remove = db.prepare('DELETE FROM number_locks WHERE owner = ?');
    db.transaction(() => owners.forEach((owner) => remove.run(owner)))();
    leftovers.delete(db);
  } catch {
    // Still failing: tried again on the next lock or close.
  }
}
