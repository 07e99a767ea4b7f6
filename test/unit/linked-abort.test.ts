import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkedSignal } from '../../src/util/linked-abort.js';

describe('linkedSignal', () => {
  it('aborts with the reason of whichever source aborts', () => {
    const first = new AbortController();
    const second = new AbortController();
    const linked = linkedSignal([first.signal, undefined, second.signal]);
    expect(linked.signal.aborted).toBe(false);
    second.abort(new Error('second stopped'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('second stopped');
  });

  it('is aborted at once when a source already is', () => {
    const done = new AbortController();
    done.abort('gone');
    const linked = linkedSignal([new AbortController().signal, done.signal]);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('gone');
  });

  it('aborts on its own without touching its sources', () => {
    const source = new AbortController();
    const linked = linkedSignal([source.signal]);
    linked.abort('deadline');
    expect(linked.signal.reason).toBe('deadline');
    expect(source.signal.aborted).toBe(false);
  });

  it('no longer follows its sources once released', () => {
    const source = new AbortController();
    const kept = linkedSignal([source.signal]);
    const released = linkedSignal([source.signal]);
    released.release();
    source.abort('stop');
    expect(kept.signal.aborted).toBe(true);
    expect(released.signal.aborted).toBe(false);
  });

  it('puts one listener on a source however many signals follow it', () => {
    const source = new AbortController();
    const linked = Array.from({ length: 500 }, () => linkedSignal([source.signal]));
    expect(getEventListeners(source.signal, 'abort')).toHaveLength(1);
    for (const signal of linked.slice(0, 499)) signal.release();
    source.abort('stop');
    expect(linked.filter((signal) => signal.signal.aborted)).toHaveLength(1);
    expect(getEventListeners(source.signal, 'abort')).toHaveLength(0);
  });
});
