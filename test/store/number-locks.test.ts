import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/migrations/index.js';
import { withNumberLock } from '../../src/store/number-locks.js';
import { currentProcess, processStartTime } from '../../src/store/process-identity.js';
import { tempDir } from '../helpers/tmp.js';
import { exitedPid, spawnSleeper } from '../helpers/await.js';

/**
 * Number locks judged by who holds them: a real cache file, rows written as other processes would
 * leave them, and `timeoutMs: 0` wherever a lock must be taken at the first try (a wait would end
 * in the conflict error instead), so nothing here depends on the clock.
 */
const HOUR = 3_600_000;
const E164 = '+14155550100';

interface Holder {
  pid: number;
  startTime: string | null;
  scope?: string | null;
  processToken?: string;
  expiresAt?: number;
  hold?: string;
}

describe('number locks', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let sleeper: ChildProcess;
  const me = currentProcess();

  const plant = (providerId: string, holder: Holder) =>
    store.db
      .prepare('INSERT OR REPLACE INTO number_locks (provider, provider_id, hold_token, process_token, pid, pid_start_time, pid_scope, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run('retell', providerId, holder.hold ?? `hold-${providerId}`, holder.processToken ?? `process-${providerId}`, holder.pid, holder.startTime, holder.scope === undefined ? me.scope : holder.scope, Date.now(), holder.expiresAt ?? Date.now() + HOUR);
  const holders = () => (store.db.prepare('SELECT provider_id FROM number_locks ORDER BY provider_id').pluck().all() as string[]);
  /** Take the lock at the first try or fail with the lock's conflict; resolves with the rows seen while holding it. */
  const takeAtOnce = (providerId: string) => withNumberLock(store.db, 'retell', providerId, E164, async () => holders(), { timeoutMs: 0 });

  beforeAll(() => {
    // Another live process, to hold locks that must be respected.
    sleeper = spawnSleeper();
  });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 'cache.db'));
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('reads the start time of a process from /proc, and tells two processes apart by it', () => {
    expect(me.startTime).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(me.startTime);
    expect(processStartTime(sleeper.pid!)).toMatch(/^\d+$/);
    expect(processStartTime(1)).not.toBe(me.startTime);
  });

  it('takes over at once the lock of a dead holder whose pid (1) now belongs to another, live process', async () => {
    expect(processStartTime(1)).not.toBeNull();
    plant('a', { pid: 1, startTime: '12345', expiresAt: Date.now() + HOUR });
    expect(await takeAtOnce('a')).toEqual(['a']);
    expect(holders()).toEqual([]);
  });

  it('takes over at once the lock of a holder whose pid is gone', async () => {
    plant('a', { pid: await exitedPid(), startTime: '12345' });
    expect(await takeAtOnce('a')).toEqual(['a']);
  });

  it('takes over at once a lock left by an earlier process that had our pid', async () => {
    plant('a', { pid: process.pid, startTime: '12345', processToken: 'an earlier process' });
    expect(await takeAtOnce('a')).toEqual(['a']);
  });

  it('takes over an expired lock, even of a live holder', async () => {
    plant('a', { pid: sleeper.pid!, startTime: processStartTime(sleeper.pid!), expiresAt: Date.now() - 1 });
    expect(await takeAtOnce('a')).toEqual(['a']);
  });

  it('respects the live lock of another process, and of another hold in this process', async () => {
    plant('a', { pid: sleeper.pid!, startTime: processStartTime(sleeper.pid!) });
    // This process again (pid and start time), with another token: a worker thread of it.
    plant('c', { pid: process.pid, startTime: me.startTime, processToken: 'another thread' });
    await expect(takeAtOnce('a')).rejects.toThrow(ConflictError);
    await expect(takeAtOnce('c')).rejects.toThrow(ConflictError);
    // A hold this process really has right now.
    let release = () => {};
    const holding = withNumberLock(store.db, 'retell', 'b', E164, () => new Promise<void>((resolve) => (release = resolve)));
    await expect(withNumberLock(store.db, 'retell', 'b', E164, async () => 'held', { timeoutMs: 60, pollMs: 5 })).rejects.toThrow(/another voicenum process is changing \+14155550100/);
    expect(holders()).toEqual(['a', 'b', 'c']);
    release();
    await holding;
  });

  it('takes over a row of this process that it no longer holds (its release failed on a busy cache)', async () => {
    plant('b', { pid: process.pid, startTime: me.startTime, processToken: me.token });
    expect(await takeAtOnce('b')).toEqual(['b']);
  });

  it('leaves a holder of another pid namespace to its expiry: its pid 1 says nothing about ours', async () => {
    plant('a', { pid: 1, startTime: '12345', scope: 'another-boot/pid:[4026532000]' });
    await expect(takeAtOnce('a')).rejects.toThrow(ConflictError);
    plant('a', { pid: 1, startTime: '12345', scope: 'another-boot/pid:[4026532000]', expiresAt: Date.now() - 1 });
    expect(await takeAtOnce('a')).toEqual(['a']);
  });

  it('renews its hold while the work runs, so a slow push is not taken for a dead one', async () => {
    const leaseMs = 200;
    const result = await withNumberLock(
      store.db,
      'retell',
      'a',
      E164,
      async () => {
        const first = store.db.prepare('SELECT expires_at FROM number_locks').pluck().get() as number;
        // Wait until the heartbeat has moved the expiry on (a test timeout if it never does).
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const now = store.db.prepare('SELECT expires_at FROM number_locks').pluck().get() as number;
          if (now > first) break;
        }
        // Still held: another acquirer is refused.
        await expect(takeAtOnce('a')).rejects.toThrow(ConflictError);
        return 'done';
      },
      { leaseMs, heartbeatMs: 30 },
    );
    expect(result).toBe('done');
    expect(holders()).toEqual([]);
  });

  it('clears the rows of dead and expired holders, keeping live ones (what sync calls)', async () => {
    plant('dead-pid', { pid: await exitedPid(), startTime: null });
    plant('reused-pid', { pid: 1, startTime: '12345' });
    plant('expired', { pid: sleeper.pid!, startTime: processStartTime(sleeper.pid!), expiresAt: Date.now() - 1 });
    plant('live-other', { pid: sleeper.pid!, startTime: processStartTime(sleeper.pid!) });
    plant('live-thread', { pid: process.pid, startTime: me.startTime, processToken: 'another thread' });
    plant('left-mine', { pid: process.pid, startTime: me.startTime, processToken: me.token });
    expect(store.clearDeadLocks()).toBe(4);
    expect(holders()).toEqual(['live-other', 'live-thread']);
  });

  it('migrates a cache of schema 4: the old lock rows (pid only) are dropped with their table', async () => {
    const file = join(dir.path, 'old.db');
    const old = new Database(file);
    migrate(old, file, 4);
    old.prepare('INSERT INTO number_locks (provider, provider_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)').run('retell', 'a', 'x', 1, new Date().toISOString());
    old.close();
    const upgraded = Store.open(file);
    try {
      expect(upgraded.db.prepare('SELECT count(*) FROM number_locks').pluck().get()).toBe(0);
      expect(await withNumberLock(upgraded.db, 'retell', 'a', E164, async () => 'taken', { timeoutMs: 0 })).toBe('taken');
    } finally {
      upgraded.close();
    }
  });

  it('sweeps dead rows of other numbers when it takes a lock', async () => {
    const fresh = Store.open(join(dir.path, 'fresh.db'));
    try {
      fresh.db.prepare('INSERT INTO number_locks (provider, provider_id, hold_token, process_token, pid, pid_start_time, pid_scope, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run('vapi', 'other', 'h', 'p', 1, '12345', me.scope, Date.now(), Date.now() + HOUR);
      const seen = await withNumberLock(fresh.db, 'retell', 'a', E164, async () => fresh.db.prepare('SELECT provider_id FROM number_locks').pluck().all(), { timeoutMs: 0 });
      expect(seen).toEqual(['a']);
    } finally {
      fresh.close();
    }
  });
});
