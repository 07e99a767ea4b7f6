/**
 * Bounded concurrency: the one implementation behind every fan-out (a batch of pushes, the
 * freshness reads before it, an adapter's per-record reads, Twilio's region look-ups during sync).
 *
 * Kept here rather than taken from p-limit / p-map: neither has a stop predicate (a batch stops
 * taking new numbers on the first Ctrl-C while the ones in flight finish and are recorded), and
 * p-limit's clearQueue leaves the promises it drops pending for ever, so a caller awaiting them
 * would hang. Every task queued here settles: it runs, or it is skipped.
 *
 * Rules shared by all callers: at most `limit` tasks run at once, in the order they were queued;
 * once `stop()` is true, or a task has failed, no further task starts (the queued ones are
 * skipped), and the tasks already running are left to finish.
 */

export interface StopOptions {
  /** Asked before each task starts; once true, no further task starts. */
  stop?: () => boolean;
}

export interface Limiter {
  /** Queue a task: resolves true once it ran, false when it was skipped; rejects with its error. */
  run(task: () => Promise<void>): Promise<boolean>;
  /** Start no further task; the queued ones settle as skipped. */
  stop(): void;
}

export function createLimiter(limit: number, options: StopOptions = {}): Limiter {
  // NaN, 0 and negatives would start nothing and leave every caller waiting for ever.
  if (!(limit >= 1)) throw new RangeError(`a concurrency limit is 1 or more, not ${limit}`);
  let active = 0;
  let stopped = false;
  // A queue read from `head` on: shifting a 10,000-task array one by one would be quadratic.
  let queue: (() => void)[] = [];
  let head = 0;
  const halted = () => stopped || (options.stop?.() ?? false);
  const pump = () => {
    while (active < limit && head < queue.length) {
      const start = queue[head++]!;
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      start();
    }
  };
  return {
    run(task) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push(() => {
          if (halted()) {
            resolve(false);
            return;
          }
          active++;
          let running: Promise<void>;
          try {
            running = task();
          } catch (error) {
            running = Promise.reject(error);
          }
          running
            .then(
              () => resolve(true),
              (error: unknown) => {
                // A failed task stops the rest: a broken upstream is not hammered by what is queued.
                stopped = true;
                reject(error);
              },
            )
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
    },
    stop() {
      stopped = true;
    },
  };
}

/**
 * Run `work` over the items, at most `limit` at once. Resolves once every started item has
 * finished; items never started (a stop, or a failure) are simply not run. When an item failed,
 * rejects with the first failure, after the items in flight have finished.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>, options: StopOptions = {}): Promise<void> {
  if (items.length === 0) return;
  const limiter = createLimiter(limit, options);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item, index) =>
      limiter.run(() => work(item, index)).catch((error: unknown) => {
        failure ??= { error };
        return false;
      }),
    ),
  );
  if (failure) throw failure.error;
}

/** `fn` over every item, at most `limit` at once, results in the input order; the first failure rejects. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachConcurrently(items, limit, async (item, index) => {
    results[index] = await fn(item);
  });
  return results;
}
