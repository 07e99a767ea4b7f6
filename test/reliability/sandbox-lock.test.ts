import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileSandboxStore } from '../../src/sandbox/index.js';
import { currentProcess, processStartTime } from '../../src/store/process-identity.js';
import { tempDir } from '../helpers/tmp.js';
import { exitedPid, spawnSleeper } from '../helpers/await.js';

/**
 * The sandbox state file's lock, as a crashed `--sandbox` command leaves it. The deadline for a live
 * holder is set to ten minutes, and every wait is counted (and bounded: a store that waits more than
 * a few hundred times throws), so a dead holder's lock must be taken over without waiting at all.
 */
const TEN_MINUTES = 600_000;

describe('the sandbox lock file', () => {
  let dir: ReturnType<typeof tempDir>;
  let stateFile: string;
  let waits: number;
  let sleeper: ChildProcess;
  const pause = () => {
    waits++;
    if (waits > 400) throw new Error('still waiting for the lock file');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  };
  const relabel = (store: FileSandboxStore, label: string) =>
    store.mutate(
      (state) => (state.retell.numbers[0]!.nickname = label),
      () => true,
    );
  const leaveLock = (owner: object) => writeFileSync(`${stateFile}.lock`, JSON.stringify(owner));

  beforeAll(() => {
    sleeper = spawnSleeper();
  });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });
  beforeEach(() => {
    dir = tempDir();
    stateFile = join(dir.path, 'sandbox-state.json');
    waits = 0;
  });
  afterEach(() => dir.cleanup());

  it('takes over at once the lock of a holder whose process exited', async () => {
    leaveLock({ pid: await exitedPid(), startTime: '12345', scope: currentProcess().scope, token: 'dead', hold: 'dead' });
    const store = new FileSandboxStore(stateFile, { lockDeadlineMs: TEN_MINUTES, pause });
    relabel(store, 'after the crash');
    expect(waits).toBe(0);
    expect(new FileSandboxStore(stateFile).current().retell.numbers[0]!.nickname).toBe('after the crash');
    // No lock file, and nothing set aside, is left behind.
    expect(readdirSync(dir.path)).toEqual(['sandbox-state.json']);
  });

  it('takes over at once the lock of a holder whose pid (1) now belongs to another process', () => {
    leaveLock({ pid: 1, startTime: '12345', scope: currentProcess().scope, token: 'dead', hold: 'dead' });
    const store = new FileSandboxStore(stateFile, { lockDeadlineMs: TEN_MINUTES, pause });
    relabel(store, 'pid reused');
    expect(waits).toBe(0);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it('waits for a live holder, and takes over only at the deadline', () => {
    leaveLock({ pid: sleeper.pid, startTime: processStartTime(sleeper.pid!), scope: currentProcess().scope, token: 'live', hold: 'live' });
    const store = new FileSandboxStore(stateFile, { lockDeadlineMs: 50, pause });
    relabel(store, 'after waiting');
    expect(waits).toBeGreaterThan(0);
    expect(store.current().retell.numbers[0]!.nickname).toBe('after waiting');
  });

  it('treats a lock file that names nobody (an older voicenum) as live until the deadline', () => {
    writeFileSync(`${stateFile}.lock`, '');
    const store = new FileSandboxStore(stateFile, { lockDeadlineMs: 50, pause });
    relabel(store, 'after waiting');
    expect(waits).toBeGreaterThan(0);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });
});
