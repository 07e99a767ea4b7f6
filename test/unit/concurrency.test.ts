import { describe, expect, it } from 'vitest';
import { createLimiter, forEachConcurrently, mapConcurrently } from '../../src/util/concurrency.js';

/** Tasks that finish only when the test says so, with a record of which ones started. */
function controlledTasks() {
  const started: number[] = [];
  const finished: number[] = [];
  const release = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  let active = 0;
  let mostActive = 0;
  const task = (index: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(index);
      active++;
      mostActive = Math.max(mostActive, active);
      const done = () => {
        active--;
        finished.push(index);
      };
      release.set(index, {
        resolve: () => {
          done();
          resolve();
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  return { started, finished, release, task, mostActive: () => mostActive };
}

/** Let every pending promise callback run (no clock involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('bounded concurrency', () => {
  it('never runs more than the limit at once, and starts the items in order as slots free up', async () => {
    const tasks = controlledTasks();
    const items = Array.from({ length: 10 }, (_, i) => i);
    const run = forEachConcurrently(items, 3, (i) => tasks.task(i));
    await settle();
    expect(tasks.started).toEqual([0, 1, 2]);
    tasks.release.get(1)!.resolve();
    await settle();
    expect(tasks.started).toEqual([0, 1, 2, 3]);
    // Release the rest one at a time, oldest first, until all ten have run.
    for (let i = 0; i < 10; i++) {
      if (!tasks.finished.includes(i)) tasks.release.get(i)!.resolve();
      await settle();
    }
    await run;
    expect(tasks.started).toEqual(items);
    expect(tasks.finished.sort((a, b) => a - b)).toEqual(items);
    expect(tasks.mostActive()).toBe(3);
  });

  it('starts nothing new once the stop predicate is true, lets the items in flight finish, and resolves', async () => {
    const tasks = controlledTasks();
    let stop = false;
    let resolved = false;
    const run = forEachConcurrently(Array.from({ length: 10 }, (_, i) => i), 2, (i) => tasks.task(i), { stop: () => stop }).then(() => {
      resolved = true;
    });
    await settle();
    expect(tasks.started).toEqual([0, 1]);
    stop = true; // Ctrl-C: the batch stops taking numbers
    tasks.release.get(0)!.resolve();
    await settle();
    expect(tasks.started).toEqual([0, 1]);
    expect(resolved).toBe(false); // item 1 is still in flight: the run waits for it
    tasks.release.get(1)!.resolve();
    await run;
    expect(tasks.finished).toEqual([0, 1]);
  });

  it('rejects with the first failure after the items in flight finish, and starts nothing after it', async () => {
    const tasks = controlledTasks();
    let outcome: unknown;
    const run = mapConcurrently(Array.from({ length: 8 }, (_, i) => i), 2, async (i) => {
      await tasks.task(i);
      return i;
    }).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await settle();
    tasks.release.get(0)!.reject(new Error('upstream broke'));
    await settle();
    expect(tasks.started).toEqual([0, 1]);
    expect(outcome).toBeUndefined(); // item 1 still runs
    tasks.release.get(1)!.reject(new Error('second failure'));
    await run;
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('upstream broke');
    expect(tasks.started).toEqual([0, 1]);
  });

  it('a task that throws before returning a promise is a failure like any other', async () => {
    await expect(forEachConcurrently([1, 2, 3], 1, () => {
      throw new Error('synchronous');
    })).rejects.toThrow('synchronous');
  });

  it('keeps the input order of the results, whatever order the items finish in', async () => {
    const tasks = controlledTasks();
    const run = mapConcurrently(['a', 'b', 'c', 'd'], 4, async (letter) => {
      await tasks.task(letter.charCodeAt(0));
      return letter.toUpperCase();
    });
    await settle();
    for (const code of ['d', 'b', 'c', 'a'].map((l) => l.charCodeAt(0))) {
      tasks.release.get(code)!.resolve();
      await settle();
    }
    expect(await run).toEqual(['A', 'B', 'C', 'D']);
  });

  it('settles every queued task of a stopped limiter as skipped, so nobody awaiting one hangs', async () => {
    const tasks = controlledTasks();
    const limiter = createLimiter(1);
    const first = limiter.run(() => tasks.task(0));
    const queued = [limiter.run(() => tasks.task(1)), limiter.run(() => tasks.task(2))];
    limiter.stop();
    tasks.release.get(0)!.resolve();
    expect(await first).toBe(true);
    expect(await Promise.all(queued)).toEqual([false, false]);
    expect(await limiter.run(() => tasks.task(3))).toBe(false);
    expect(tasks.started).toEqual([0]);
  });

  it('does nothing for no items, and refuses a limit that would start nothing', async () => {
    await expect(forEachConcurrently([], 4, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(Number.NaN)).toThrow(RangeError);
  });

  it('runs every one of 10,000 items (the largest batch), through the compaction of its queue', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const seen = await mapConcurrently(items, 8, async (i) => i * 2);
    expect(seen).toHaveLength(10_000);
    expect(seen[9_999]).toBe(19_998);
  });
});
