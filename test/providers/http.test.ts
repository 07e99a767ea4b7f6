import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { CancelledError, ExitCode, ProviderError } from '../../src/domain/errors.js';
import { PROVIDERS, type ProviderName } from '../../src/domain/model.js';
import { HttpClient, type HttpSettings } from '../../src/providers/http.js';
import { memoryState, startFakeServer, type FakeProvider, type RunningFake } from '../../src/sandbox/fake-server.js';
import { startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { testIO } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { rejection } from '../helpers/await.js';

/**
 * Cancelling reads: a caller's AbortSignal through the HttpClient, and a failed read stopping its
 * own other requests. Real HTTP against the sandbox's fake server; the fake's request log says
 * what reached upstream. Nothing here measures time: where a test waits, it waits so that a
 * request that should have been cancelled would have had time to come back (time out and retry).
 */

/** A bare fake: `/ok` answers, `/bad` is refused (400, never retried), anything else 404. */
const bare: FakeProvider<object> = {
  name: 'bare',
  routes: [
    { method: 'GET', path: '/ok', handler: () => ({ status: 200, body: { ok: true } }) },
    { method: 'GET', path: '/slow', handler: () => ({ status: 200, body: { slow: true } }) },
    { method: 'GET', path: '/bad', handler: () => ({ status: 400, body: { message: 'refused' } }) },
  ],
  authorize: () => null,
  errorBody: (_status, message) => ({ message }),
};

let fake: RunningFake;
let sleeps: number[];

beforeEach(async () => {
  fake = await startFakeServer(bare, memoryState({}));
  sleeps = [];
});
afterEach(async () => {
  await fake.close();
});

function client(settings: HttpSettings = {}): HttpClient {
  return new HttpClient({
    provider: 'bare',
    baseUrl: fake.url,
    headers: {},
    secrets: [],
    errorMessage: (body) => (body as { message?: string } | null)?.message,
    authHint: '',
    maxAttempts: 4,
    baseDelayMs: 1,
    ...settings,
    sleep:
      settings.sleep ??
      (async (ms) => {
        sleeps.push(ms);
      }),
  });
}

/** Resolves once the fake has logged `count` requests. */
async function logged(count: number): Promise<void> {
  while (fake.log.length < count) await delay(5);
}

describe('a caller signal', () => {
  it('stops a hanging request at once with a CancelledError (exit 130), and nothing is retried', async () => {
    fake.setFaults({ hang: { count: -1 } });
    const controller = new AbortController();
    // A timeout far past the test's own: only the signal can end this request.
    const pending = client({ timeoutMs: 600_000 }).request({ method: 'GET', path: '/ok', signal: controller.signal });
    await logged(1);
    controller.abort();
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(ExitCode.Cancelled);
    expect(error.message).toBe('bare: GET /ok was cancelled');
    expect(fake.log).toEqual([{ method: 'GET', path: '/ok', status: 'hang' }]);
    expect(sleeps).toEqual([]);
  });

  it('ends a retry backoff at once, and no attempt follows it', async () => {
    fake.setFaults({ serverError: { count: -1, status: 503 } });
    const controller = new AbortController();
    const waits: number[] = [];
    // A backoff that would outlast the test unless the abort ends it.
    const http = client({ sleep: (ms) => (waits.push(ms), new Promise(() => {})) });
    const pending = http.request({ method: 'GET', path: '/ok', signal: controller.signal });
    while (waits.length === 0) await delay(5);
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(CancelledError);
    await delay(50);
    expect(fake.log.map((entry) => entry.status)).toEqual([503]);
    expect(http.requestCount).toBe(1);
  });

  it('sends nothing when already aborted', async () => {
    const error = await rejection(client().request({ method: 'GET', path: '/ok', signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(CancelledError);
    expect(fake.log).toEqual([]);
  });

  it('a timeout is still a provider failure, retried as before: only the caller cancels', async () => {
    fake.setFaults({ hang: { count: 1 } });
    const controller = new AbortController();
    const answer = await client({ timeoutMs: 200 }).request({ method: 'GET', path: '/ok', signal: controller.signal });
    expect(answer.data).toEqual({ ok: true });
    expect(fake.log.map((entry) => entry.status)).toEqual(['hang', 200]);
    expect(sleeps).toHaveLength(1);
  });
});

describe('cancellable reads', () => {
  it('a failed read cancels its other requests: the first failure is reported, the hung request is not retried', async () => {
    fake.setFaults({ pathContains: '/slow', hang: { count: -1 } });
    const http = client({ timeoutMs: 200 });
    let slow: Promise<unknown> | undefined;
    const error = await rejection(
      http.cancellableReads(undefined, async () => {
        slow = http.request({ method: 'GET', path: '/slow' });
        slow.catch(() => undefined);
        await logged(1);
        await Promise.all([slow, http.request({ method: 'GET', path: '/bad' })]);
      }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/^bare: GET \/bad failed with HTTP 400: refused/);
    expect(await rejection(slow!)).toBeInstanceOf(CancelledError);
    const after = fake.log.length;
    expect(fake.log).toEqual([
      { method: 'GET', path: '/slow', status: 'hang' },
      { method: 'GET', path: '/bad', status: 400 },
    ]);
    // Longer than the hung request's timeout: uncancelled, it would have come back as a retry.
    await delay(600);
    expect(fake.log.length).toBe(after);
  });

  it('the caller signal reaches every request the work makes, however deep', async () => {
    fake.setFaults({ hang: { count: -1 } });
    const controller = new AbortController();
    const http = client({ timeoutMs: 600_000 });
    const nested = async () => {
      await delay(1); // a later turn of the event loop, as a next page or a look-up would be
      return http.request({ method: 'GET', path: '/ok' });
    };
    const pending = http.cancellableReads(controller.signal, () => Promise.all([nested(), nested(), http.request({ method: 'GET', path: '/slow' })]));
    await logged(3);
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(CancelledError);
    expect(fake.log).toHaveLength(3);
  });

  it('a request outside the reads (a write) is not cancelled with them', async () => {
    const http = client();
    const controller = new AbortController();
    const reads = http.cancellableReads(controller.signal, () => delay(50));
    const outside = http.request({ method: 'GET', path: '/ok' });
    controller.abort();
    expect((await outside).data).toEqual({ ok: true });
    await reads;
  });
});

describe('sync with a failing provider', () => {
  let sandbox: SandboxEnvironment;
  let dir: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    dir = tempDir();
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    dir.cleanup();
  });

  it.each(PROVIDERS)('%s: once sync has reported the failure, no request of that provider is still running or retrying', async (provider: ProviderName) => {
    // The provider's first request hangs and its second answers a body that is not JSON: the read
    // fails at once while the first request is still open. Left alone, that request would time
    // out (300 ms here) and be retried, after sync has printed its result.
    sandbox.fakes[provider].setFaults({ hang: { count: 1 }, malformed: { count: 1 } });
    const io = testIO();
    const env = { ...sandbox.env, VOICENUM_HOME: dir.path, VOICENUM_HTTP_TIMEOUT_MS: '300', VOICENUM_HTTP_MAX_ATTEMPTS: '4', VOICENUM_HTTP_BASE_DELAY_MS: '1' };
    const code = await main(['sync'], { io, env });
    expect(code, io.err()).toBe(ExitCode.Partial);
    expect(io.err()).toMatch(new RegExp(`✗ ${provider}: .*not JSON`));
    const log = sandbox.fakes[provider].log;
    const hung = log.find((entry) => entry.status === 'hang')!;
    expect(hung).toBeDefined();
    // Cancelled, never retried: its path was asked for once (a retry may come before sync returns).
    expect(log.filter((entry) => entry.path === hung.path)).toHaveLength(1);
    const after = log.length;
    await delay(1000);
    expect(log.slice(after)).toEqual([]);
  });

  it('the first Ctrl-C cancels the reads of a sync: it ends with exit 130 at once, and nothing is retried', async () => {
    // Every Vapi request hangs, with a timeout far past the test's own: only the signal ends them.
    sandbox.fakes.vapi.setFaults({ hang: { count: -1 } });
    const signals = new EventEmitter();
    const io = testIO();
    const env = { ...sandbox.env, VOICENUM_HOME: dir.path, VOICENUM_HTTP_TIMEOUT_MS: '600000' };
    // No `exit`: the process is not ended by the signal, so only the cancelled reads can end the sync.
    const running = main(['sync'], { io, env, signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'> });
    const log = sandbox.fakes.vapi.log;
    while (log.length < 3) await delay(5);
    signals.emit('SIGINT');
    expect(await running).toBe(ExitCode.Cancelled);
    expect(io.err()).toMatch(/vapi: GET .* was cancelled/);
    const after = log.length;
    await delay(200);
    expect(log.slice(after)).toEqual([]);
    expect(log.every((entry) => entry.status === 'hang')).toBe(true);
  });
});
