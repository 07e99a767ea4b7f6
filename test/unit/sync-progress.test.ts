import { describe, expect, it } from 'vitest';
import { SyncProgress, type ProgressClock } from '../../src/output/sync-progress.js';

/** A clock that moves only when the test says, with the timers it holds. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; callback: () => void; id: number }[] = [];
  let ids = 0;
  const clock: ProgressClock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.push({ at: now + ms, callback, id: ++ids });
      return ids;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      timers = timers.filter((t) => t !== due);
      due.callback();
    }
    now = until;
  };
  return { clock, advance, pending: () => timers.length };
}

function rig(width = 200) {
  const writes: string[] = [];
  const time = fakeClock();
  const progress = new SyncProgress((text) => writes.push(text), width, { clock: time.clock, intervalMs: 100 });
  /** The lines drawn, without the clear-line prefix. */
  const frames = () => writes.filter((w) => w.includes('syncing')).map((w) => w.replace('\r\u001b[2K', ''));
  return { writes, time, progress, frames };
}

describe('the sync progress line (throttled, fake clock)', () => {
  it('draws 10,000 region reports in one second as at most 10 frames, the last one with the newest counts', () => {
    const { time, progress, frames } = rig();
    progress.start(['twilio']);
    expect(frames()).toEqual(['syncing  twilio 0 numbers']);
    for (let done = 1; done <= 10_000; done++) {
      progress.report('twilio', { numbers: 10_000, step: { name: 'regions', done, total: 10_000 } });
      if (done % 10 === 0) time.advance(1); // 10,000 reports over 1,000 ms
    }
    time.advance(100);
    // One frame per 100 ms at most: the start, then ten over the second (the last one trailing).
    expect(frames().length).toBeGreaterThanOrEqual(10);
    expect(frames().length).toBeLessThanOrEqual(11);
    expect(frames().at(-1)).toBe('syncing  twilio 10,000 numbers');
    expect(frames().slice(1, -1).every((frame) => /^syncing {2}twilio 10,000 numbers, regions [\d,]+\/10,000$/.test(frame))).toBe(true);
  });

  it('a burst shorter than the interval is drawn once, after it, with its last counts', () => {
    const { time, progress, frames } = rig();
    progress.start(['retell', 'twilio']);
    time.advance(500);
    progress.report('twilio', { numbers: 1, step: { name: 'regions', done: 0, total: 1 } }); // drawn at once: the line is old
    progress.report('retell', { numbers: 1000 });
    progress.report('retell', { numbers: 2000 });
    expect(frames()).toHaveLength(2);
    time.advance(99);
    expect(frames()).toHaveLength(2);
    time.advance(1);
    expect(frames()).toEqual(['syncing  retell 0 numbers · twilio 0 numbers', 'syncing  retell 0 numbers · twilio 1 numbers, regions 0/1', 'syncing  retell 2,000 numbers · twilio 1 numbers, regions 0/1']);
  });

  it('draws a change of phase at once (saving blocks the event loop), and clears the line for good', () => {
    const { time, progress, frames, writes } = rig();
    progress.start(['vapi', 'bland']);
    progress.report('vapi', { numbers: 880 });
    progress.phase('vapi', 'saving');
    expect(frames().at(-1)).toBe('syncing  vapi saving 880 numbers · bland 0 numbers');
    progress.phase('vapi', 'done');
    progress.report('bland', { numbers: 600, step: { name: 'agents', done: 1, total: 3 } });
    expect(time.pending()).toBe(1);
    progress.clear();
    // The pending redraw is cancelled and the line wiped; a provider that reports late draws nothing.
    expect(time.pending()).toBe(0);
    expect(writes.at(-1)).toBe('\r\u001b[2K');
    const count = writes.length;
    progress.phase('bland', 'failed');
    progress.report('bland', { numbers: 700 });
    time.advance(1000);
    expect(writes.length).toBe(count);
  });

  it('never wraps: too wide, it drops the word "numbers", then cuts the end', () => {
    const states = (progress: SyncProgress) => {
      progress.start(['retell', 'vapi', 'bland', 'twilio']);
      progress.report('retell', { numbers: 1200, step: { name: 'agents', done: 5, total: 6 } });
      progress.report('twilio', { numbers: 10_000, step: { name: 'regions', done: 4210, total: 10_000 } });
      return progress;
    };
    const wide = states(rig(200).progress).line();
    expect(wide).toBe('syncing  retell 1,200 numbers, agents 5/6 · vapi 0 numbers · bland 0 numbers · twilio 10,000 numbers, regions 4,210/10,000');
    const medium = states(rig(100).progress).line();
    expect(medium).toBe('syncing  retell 1,200, agents 5/6 · vapi 0 · bland 0 · twilio 10,000, regions 4,210/10,000');
    const narrow = states(rig(40).progress).line();
    expect(narrow.length).toBe(39);
    expect(narrow.endsWith('…')).toBe(true);
  });
});
