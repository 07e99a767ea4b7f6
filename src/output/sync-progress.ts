/**
 * The live line `sync` keeps on a terminal's stderr: every provider's counts, redrawn in place.
 * Adapters report counts as often as they like (Twilio once per region read, thousands a second);
 * the line is redrawn at most once per interval, with the newest counts, so watching costs nothing
 * measurable. A change of phase (a provider saving, done or failed) is drawn at once: saving is a
 * synchronous write to the cache during which no timer can fire.
 */

/** A step whose size is known, e.g. Twilio's one region read per number. */
export interface ProgressStep {
  name: string;
  done: number;
  total: number;
}

export interface ProviderProgress {
  /** Numbers read so far. */
  numbers: number;
  step?: ProgressStep;
}

type Phase = 'reading' | 'saving' | 'done' | 'failed';

/** Time and timers, injected so tests drive the throttle with a fake clock. */
export interface ProgressClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: ProgressClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    // A pending redraw never keeps the process alive (a sync that fails ends at once).
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** At most 10 redraws a second. */
export const PROGRESS_INTERVAL_MS = 100;

const CLEAR_LINE = '\r\u001b[2K';
const count = (n: number) => n.toLocaleString('en-US');

export class SyncProgress {
  private readonly states = new Map<string, { phase: Phase; counts: ProviderProgress }>();
  private readonly clock: ProgressClock;
  private readonly interval: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private shown = false;
  /** Cleared for good: a provider still finishing after another failed draws nothing more. */
  private closed = false;
  /** How many times the line was drawn: what the throttle saves is counted, never timed. */
  frames = 0;

  constructor(
    private readonly write: (text: string) => void,
    /** The terminal's width; 0 when unknown. The line never wraps: `\r` only returns along one row. */
    private readonly width: number,
    options: { clock?: ProgressClock; intervalMs?: number } = {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  /** The providers being read, in the order the line names them; drawn at once. */
  start(providers: readonly string[]): void {
    for (const provider of providers) this.states.set(provider, { phase: 'reading', counts: { numbers: 0 } });
    this.draw();
  }

  /** New counts from an adapter: drawn within the interval, never more often. */
  report(provider: string, counts: ProviderProgress): void {
    const state = this.states.get(provider);
    if (!state || state.phase !== 'reading') return;
    state.counts = counts;
    this.schedule();
  }

  /** A provider moved on (saving into the cache, done, failed): drawn at once. */
  phase(provider: string, phase: Exclude<Phase, 'reading'>): void {
    const state = this.states.get(provider);
    if (!state) return;
    state.phase = phase;
    this.draw();
  }

  /** Remove the line: what follows is printed where it stood. */
  clear(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.shown) this.write(CLEAR_LINE);
    this.shown = false;
  }

  /**
   * The line as it would be drawn now: per provider the numbers read so far and, during a step of
   * known size, its done/total. Too wide for the terminal, the word "numbers" goes first, then the
   * end of the line (cut with "…"): the line must never wrap, or the next redraw would leave a copy.
   */
  line(): string {
    const room = (this.width > 0 ? this.width : 80) - 1;
    let text = '';
    for (const words of [true, false]) {
      const parts = [...this.states].map(([provider, { phase, counts }]) => {
        if (phase === 'done' || phase === 'failed') return `${provider} ${phase}`;
        const numbers = `${count(counts.numbers)}${words ? ' numbers' : ''}`;
        if (phase === 'saving') return `${provider} saving ${numbers}`;
        const step = counts.step && counts.step.done < counts.step.total ? `, ${counts.step.name} ${count(counts.step.done)}/${count(counts.step.total)}` : '';
        return `${provider} ${numbers}${step}`;
      });
      text = `syncing  ${parts.join(' · ')}`;
      if (text.length <= room) return text;
    }
    return `${text.slice(0, Math.max(0, room - 1))}…`;
  }

  private schedule(): void {
    if (this.timer !== undefined) return; // a redraw is due already; it will take the newest counts
    const wait = this.lastDraw + this.interval - this.clock.now();
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    this.lastDraw = this.clock.now();
    this.frames++;
    this.shown = true;
    this.write(`${CLEAR_LINE}${this.line()}`);
  }
}
