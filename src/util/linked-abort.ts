/**
 * A signal that aborts when any of its sources does (with that source's reason), or when `abort` is
 * called, and that lets go of its sources when released.
 *
 * AbortSignal.any does the first part, but a long-lived source (a sync's cancellation, followed by
 * each of its 5,500 requests) keeps a weak reference to every signal made from it until the garbage
 * collector clears them, and each one costs a finalization: measurably more work per request than
 * the request's own bookkeeping. Here a source has one listener however many signals follow it, and a
 * released signal leaves its sources' sets at once.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** Stop following the sources; call when the work the signal guards is over. */
  release(): void;
}

const followers = new WeakMap<AbortSignal, Set<AbortController>>();

function follow(source: AbortSignal, controller: AbortController): () => void {
  let set = followers.get(source);
  if (!set) {
    const members = new Set<AbortController>();
    set = members;
    followers.set(source, members);
    source.addEventListener(
      'abort',
      () => {
        followers.delete(source);
        for (const member of members) member.abort(source.reason);
        members.clear();
      },
      { once: true },
    );
  }
  set.add(controller);
  const members = set;
  return () => void members.delete(controller);
}

export function linkedSignal(sources: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const releases: (() => void)[] = [];
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    releases.push(follow(source, controller));
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    release: () => {
      for (const release of releases.splice(0)) release();
    },
  };
}
