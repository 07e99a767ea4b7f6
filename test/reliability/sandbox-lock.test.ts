import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSandboxStore, readSandboxState, type SqliteSandboxStore } from '../../src/sandbox/index.js';
import { startSandboxWriter } from '../helpers/sandbox-writer.js';
import { tempDir } from '../helpers/tmp.js';

describe('the sandbox state shared by several processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let stateFile: string;
  const opened: SqliteSandboxStore[] = [];
  const open = (busyTimeoutMs?: number) => {
    const store = openSandboxStore(stateFile, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
    opened.push(store);
    return store;
  };
  const relabel = (store: SqliteSandboxStore, label: string) =>
    store.access('retell').mutate(
      (state, changes) => {
        const number = state.numbers[0]!;
        number.nickname = label;
        changes.put('numbers', number);
        return true;
      },
      (ok) => ok,
    );

  beforeEach(() => {
    dir = tempDir();
    stateFile = join(dir.path, 'sandbox-state.db');
    open().close();
  });
  afterEach(() => {
    for (const store of opened.splice(0)) {
      try {
        store.close();
      } catch {
        // closed by the test already
      }
    }
    dir.cleanup();
  });

  it('a writer that was killed holding the write lock blocks nobody, and its uncommitted change is gone', async () => {
    const holder = startSandboxWriter(stateFile);
    await holder.said('holding');
    holder.child.kill('SIGKILL');
    await new Promise((resolve) => holder.child.once('exit', resolve));
    // No busy timeout at all: the write must not have to wait for anything the dead process held.
    const store = open(0);
    relabel(store, 'after the crash');
    const after = readSandboxState(stateFile);
    expect(after.retell.numbers[0]!.nickname).toBe('after the crash');
    expect(after.retell.numbers[1]!.nickname).not.toBe('from the other process');
    // Nothing but the database and SQLite's own files is left behind: no lock files to clean.
    expect(readdirSync(dir.path).filter((name) => !/^sandbox-state\.db(-wal|-shm)?$/.test(name))).toEqual([]);
  });

  it('a write never runs beside a live writer (it never takes the lock over), and after that one commits keeps both changes', async () => {
    const store = open(0);
    expect(store.current().retell.numbers[1]!.nickname).not.toBe('from the other process');
    const holder = startSandboxWriter(stateFile);
    try {
      await holder.said('holding');
      // With no time to wait, the write is refused rather than run beside the live writer.
      expect(() => relabel(store, 'second')).toThrow(/locked|busy/i);
      holder.child.stdin!.write('commit\n');
      await holder.said('committed');
      relabel(store, 'second');
    } finally {
      holder.child.kill('SIGKILL');
    }
    // This process sees the other one's change, and the file holds both.
    expect(store.current().retell.numbers[1]!.nickname).toBe('from the other process');
    const after = readSandboxState(stateFile);
    expect(after.retell.numbers[0]!.nickname).toBe('second');
    expect(after.retell.numbers[1]!.nickname).toBe('from the other process');
  });

  it('two stores on one file, each writing the same number from what it last read, lose neither change', () => {
    const first = open();
    const second = open();
    // Both have read the number before either writes.
    expect(first.current().retell.numbers[0]!.fallback_number).toBe(second.current().retell.numbers[0]!.fallback_number);
    relabel(first, 'set by the first');
    second.access('retell').mutate(
      (state, changes) => {
        const number = state.numbers[0]!;
        number.fallback_number = '+14155550100';
        changes.put('numbers', number);
        return true;
      },
      (ok) => ok,
    );
    const after = readSandboxState(stateFile).retell.numbers[0]!;
    expect(after.nickname).toBe('set by the first');
    expect(after.fallback_number).toBe('+14155550100');
    expect(first.current().retell.numbers[0]).toEqual(after);
  });
});
