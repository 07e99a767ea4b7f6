import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, randomBytes } from '../util/lazy-builtins.js';
import { LocalStateError } from '../domain/errors.js';

/**
 * A lock file beside a file that several voicenum processes rewrite (the config file), so that each
 * read-modify-write runs alone and no process writes back a copy that misses another's change.
 *
 * The lock is `<file>.lock`, holding its owner's pid, host and a random token. It is created whole
 * with link(2), which fails when the name exists (an O_EXCL create with the content already in
 * place, so nobody ever sees an empty lock). A lock whose owner is dead (same host, no such pid), or
 * which is older than `staleMs` (an owner on another host, a pid reused), is taken over.
 */
export interface LockOptions {
  /**
   * A lock older than this is stale whoever holds it: the critical section lasts milliseconds, so
   * only a dead owner (whose pid may have been reused) or one on another host leaves it this long.
   */
  staleMs?: number;
  /** Give up waiting after this long; longer than staleMs, so a stale lock is always taken over first. */
  timeoutMs?: number;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

export async function withFileLock<T>(file: string, work: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const owner: Owner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
  await acquire(lock, owner, options.staleMs ?? 10_000, options.timeoutMs ?? 20_000, file);
  try {
    return await work();
  } finally {
    release(lock, owner);
  }
}

async function acquire(lock: string, owner: Owner, staleMs: number, timeoutMs: number, file: string): Promise<void> {
  const started = Date.now();
  const draft = `${lock}.${owner.pid}.${owner.token}`;
  writeWhole(draft, JSON.stringify(owner));
  try {
    for (;;) {
      try {
        linkSync(draft, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lock);
      if (holder === 'gone') continue;
      if (isStale(holder, staleMs)) {
        takeOver(lock, holder, owner);
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        const who = holder.owner ? `process ${holder.owner.pid} on ${holder.owner.host}` : 'another process';
        throw new LocalStateError(lock, `the configuration ${file} is being changed by ${who}, which has held its lock ${lock} for ${Math.round((Date.now() - holder.mtimeMs) / 1000)} s`, `wait for that voicenum to finish; if none is running, remove ${lock}`);
      }
      // A short random wait: a dozen processes queueing on a lock held for milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  } finally {
    removeQuietly(draft);
  }
}

interface Holder {
  /** Undefined when the content cannot be read as an owner (a foreign or damaged lock file). */
  owner: Owner | undefined;
  text: string;
  mtimeMs: number;
}

function readHolder(lock: string): Holder | 'gone' {
  try {
    const mtimeMs = statSync(lock).mtimeMs;
    const text = readFileSync(lock, 'utf8');
    let owner: Owner | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Owner>;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') owner = parsed as Owner;
    } catch {
      owner = undefined;
    }
    return { owner, text, mtimeMs };
  } catch (error) {
    // Released between our attempt and this read: try again at once.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (Date.now() - holder.mtimeMs > staleMs) return true;
  if (!holder.owner || holder.owner.host !== hostname()) return false;
  try {
    process.kill(holder.owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid is alive under another user. Only ESRCH says nobody owns it.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Remove a stale lock, but only the one judged stale: it is first renamed away (atomic), then
 * checked. If a rival had meanwhile replaced it with a fresh lock of its own, that lock is put back
 * (link fails rather than overwrite a third process's lock).
 */
function takeOver(lock: string, stale: Holder, owner: Owner): void {
  const moved = `${lock}.stale.${owner.token}`;
  try {
    renameSync(lock, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let text = '';
  try {
    text = readFileSync(moved, 'utf8');
  } catch {
    text = stale.text;
  }
  if (text !== stale.text) {
    try {
      linkSync(moved, lock);
    } catch {
      // A third process holds the lock now; the one we moved was not ours to keep.
    }
  }
  removeQuietly(moved);
}

function release(lock: string, owner: Owner): void {
  const holder = readHolderQuietly(lock);
  // Taken over while we were stopped for longer than staleMs: the lock is someone else's now.
  if (holder?.owner?.token === owner.token) removeQuietly(lock);
}

function readHolderQuietly(lock: string): Holder | undefined {
  try {
    const holder = readHolder(lock);
    return holder === 'gone' ? undefined : holder;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Create `path` (it must not exist) with `text`, owner-only, flushed to disk. */
function writeWhole(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

