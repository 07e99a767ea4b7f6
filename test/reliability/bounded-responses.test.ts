import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/domain/errors.js';
import { HttpClient } from '../../src/providers/http.js';
import { memoryState, startFakeServer, type FaultPlan, type RunningFake } from '../../src/sandbox/fake-server.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A provider (or something in its place) answering with a body that never ends: the request fails
 * once the body passes the limit, without a retry, naming the provider and the limit. Every run here
 * would otherwise never end (the body is endless and the per-request timeout is raised far beyond
 * the test's), or end by running out of memory; so a run that ends with the expected message is the
 * proof that memory stayed bounded. Nothing is timed.
 */
const MiB = 1024 * 1024;

describe('HttpClient against an endless body', () => {
  let fake: RunningFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const start = (faults: FaultPlan) =>
    startFakeServer(
      {
        name: 'tiny',
        routes: [{ method: 'GET', path: '/items', handler: () => ({ status: 200, body: [{ id: 1 }] }) }],
        authorize: () => null,
        errorBody: (_status, message) => ({ message }),
      },
      memoryState({}),
      faults,
    );
  const client = (url: string, maxBodyBytes?: number) =>
    new HttpClient({ provider: 'vapi', baseUrl: url, headers: {}, secrets: [], errorMessage: () => undefined, authHint: '', maxAttempts: 4, baseDelayMs: 1, timeoutMs: 600_000, maxBodyBytes });

  it('fails the request at the limit, once, with a provider error naming the limit', async () => {
    fake = await start({ hugeBody: { count: -1 } });
    const error = await client(fake.url, MiB)
      .request({ method: 'GET', path: '/items' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe("vapi: GET /items failed: the answer is larger than voicenum's limit of 1 MiB; stopped reading it");
    expect((error as ProviderError).retryable).toBe(false);
    expect(fake.log).toHaveLength(1);
  });

  it('bounds a body at 50 MiB by default', async () => {
    fake = await start({ hugeBody: { count: -1 } });
    await expect(client(fake.url).request({ method: 'GET', path: '/items' })).rejects.toThrow(/limit of 50 MiB/);
  });

  it('reads a large body under the limit as usual', async () => {
    fake = await start({ hugeBody: { count: 1, bytes: MiB / 2 } });
    const response = await client(fake.url, MiB).request<unknown[]>({ method: 'GET', path: '/items' });
    expect(response.data.length).toBeGreaterThan(1);
  });
});

describe('sync when providers answer with an endless body', () => {
  const dir = tempDir();
  const cli = (args: string[], env: Record<string, string>) => runCli(args, { home: dir.path, env: { VOICENUM_HTTP_TIMEOUT_MS: '600000', ...env }, timeoutMs: 120_000 });

  beforeAll(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('fails Vapi (HTTP layer) and Twilio (through the twilio SDK) cleanly; the others land; exit 7', { timeout: 150_000 }, async () => {
    const faults = { vapi: { hugeBody: { count: -1 } }, twilio: { hugeBody: { count: -1 } } };
    const sync = await cli(['--sandbox', 'sync'], { VOICENUM_SANDBOX_FAULTS: JSON.stringify(faults), VOICENUM_HTTP_MAX_BODY_BYTES: String(MiB) });
    expect(sync.code, sync.stderr).toBe(7);
    expect(sync.stderr).toMatch(/✗ vapi: GET \/\S+ failed: the answer is larger than voicenum's limit of 1 MiB; stopped reading it; its cached rows are unchanged/);
    expect(sync.stderr).toMatch(/✗ twilio: GET \/2010-04-01\/Accounts\/AC\w+\/\w+\.json failed: the answer is larger than voicenum's limit of 1 MiB/);
    expect(sync.stderr).toMatch(/✓ retell: \d+ numbers/);
    expect(sync.stderr).toMatch(/✓ bland: \d+ numbers/);
  });

  it('fails a one-provider sync with the provider exit code (5) at the default limit', { timeout: 150_000 }, async () => {
    const sync = await cli(['--sandbox', 'sync', '--provider', 'vapi'], { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ vapi: { hugeBody: { count: -1 } } }) });
    expect(sync.code, sync.stderr).toBe(5);
    expect(sync.stderr).toMatch(/vapi: GET \/\S+ failed: the answer is larger than voicenum's limit of 50 MiB/);
  });
});
