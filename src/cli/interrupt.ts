/**
 * What Ctrl-C and SIGTERM do. Outside a write phase the first signal ends the command at once
 * (exit 130): reads and the cache's transactions are safe to abandon. Inside one (a push, a batch),
 * the first signal only asks to stop: no new number or step starts, the writes in flight finish and
 * are recorded, an unfinished multi-step change is undone, and the command prints what was done and
 * what was not before it exits 130. A second signal ends it at once; whatever it leaves open is in
 * the intent journal, which the next command reconciles.
 */
export class Interrupt {
  private stopRequested = false;
  private writing = 0;
  private readonly listeners = new Set<() => void>();
  private readonly waiters = new Set<() => void>();
  private readonly stopReads = new AbortController();

  constructor(private readonly exitNow: () => void, private readonly notice: (text: string) => void) {}

  /** True once a signal asked the command to stop. */
  get requested(): boolean {
    return this.stopRequested;
  }

  /**
   * Aborted by the first signal, in a write phase or not: for reads (sync's), which are safe to
   * abandon. Never hand it to a write: a write in flight finishes and is recorded.
   */
  get readSignal(): AbortSignal {
    return this.stopReads.signal;
  }

  /** Called for every SIGINT / SIGTERM the process receives. */
  signal(): void {
    this.stopReads.abort();
    if (this.waiters.size && !this.stopRequested) {
      // A server waiting for its stop: it shuts down in order; a second signal still quits at once.
      this.stopRequested = true;
      for (const wake of this.waiters) wake();
      return;
    }
    if (this.stopRequested || this.writing === 0) {
      this.exitNow();
      return;
    }
    this.stopRequested = true;
    this.notice('stopping: letting the changes in flight finish and be recorded (press Ctrl-C again to quit at once)\n');
    for (const listener of this.listeners) listener();
  }

  /** Run a write phase: signals during it stop new work instead of ending the process. */
  async writePhase<T>(work: () => Promise<T>): Promise<T> {
    this.writing++;
    try {
      return await work();
    } finally {
      this.writing--;
    }
  }

  /** Resolves at the first signal, which then ends nothing by itself (`sandbox serve` closes its servers). */
  untilSignal(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  onStop(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
