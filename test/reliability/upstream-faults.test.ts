import { beforeEach, describe, expect, it } from 'vitest';
import type { FaultPlan, SandboxState } from '../../src/sandbox/index.js';
import { useSandboxCli } from '../helpers/in-process.js';

/**
 * Upstream faults on every adapter, through `sync --provider P` in-process against the fakes: each
 * fault that never clears ends with the provider's exit code, a message naming the provider and
 * what went wrong, the provider's cached rows exactly as they were (although upstream changed, so
 * a completed sync would have changed them), and a bounded number of requests. Faults that clear
 * are retried and the new upstream state lands. Bounded by request counts, never by the clock.
 */

type Provider = 'retell' | 'vapi' | 'bland' | 'twilio' | 'elevenlabs';
const PROVIDERS: Provider[] = ['retell', 'vapi', 'bland', 'twilio', 'elevenlabs'];
// Long enough that a busy machine never mistakes a slow answer for a hang; the hang cases wait this twice.
const TIMEOUT_MS = 1500;
const MAX_ATTEMPTS = 2;
/** Lists a provider's sync reads at once; every chain of attempts ends after MAX_ATTEMPTS. */
const PARALLEL_LISTS: Record<Provider, number> = { retell: 2, vapi: 3, bland: 4, twilio: 2, elevenlabs: 2 };
const NEW_LABEL = 'changed upstream';
const NEW_AGENT = 'renamed upstream';

/** Rename one number and one agent of the provider upstream: a completed sync would show both. */
function changeUpstream(state: SandboxState, provider: Provider): void {
  switch (provider) {
    case 'retell':
      state.retell.numbers[0]!.nickname = NEW_LABEL;
      state.retell.agents[0]!.agent_name = NEW_AGENT;
      break;
    case 'vapi':
      state.vapi.phoneNumbers[0]!.name = NEW_LABEL;
      state.vapi.assistants[0]!.name = NEW_AGENT;
      break;
    case 'bland':
      state.bland.numbers[0]!.label = NEW_LABEL;
      state.bland.agents[0]!.name = NEW_AGENT;
      break;
    case 'twilio':
      // A number only Twilio holds: one imported into another platform is listed under that one.
      state.twilio.incomingPhoneNumbers.find((n) => !importedElsewhere(state, n.phone_number))!.friendly_name = NEW_LABEL;
      state.twilio.applications[0]!.friendly_name = NEW_AGENT;
      break;
    case 'elevenlabs':
      state.elevenlabs.phoneNumbers[0]!.label = NEW_LABEL;
      state.elevenlabs.agents[0]!.name = NEW_AGENT;
      break;
  }
}

function importedElsewhere(state: SandboxState, e164: string): boolean {
  return (
    state.retell.numbers.some((n) => n.phone_number === e164) ||
    state.vapi.phoneNumbers.some((n) => n.number === e164) ||
    state.bland.numbers.some((n) => n.phone_number === e164) ||
    state.elevenlabs.phoneNumbers.some((n) => n.phone_number === e164)
  );
}

const EXTRA = 1000;
const hex32 = (i: number) => i.toString(16).padStart(32, '0');
const iso = (base: string, i: number) => new Date(Date.parse(base) + (i + 1) * 60_000).toISOString();

/** Lists that page, each grown past one full page (1000, the largest the adapters ask for). */
const PAGED_LISTS: { provider: Provider; list: string; pathContains: string; grow: (state: SandboxState) => void; requests: number }[] = [
  {
    provider: 'retell',
    list: 'phone numbers',
    pathContains: '/v2/list-phone-numbers',
    grow: (state) => {
      const template = state.retell.numbers[0]!;
      for (let i = 0; i < EXTRA; i++) state.retell.numbers.push({ ...structuredClone(template), phone_number: `+1415900${String(i).padStart(4, '0')}`, nickname: `extra ${i}` });
    },
    requests: 2,
  },
  {
    provider: 'vapi',
    list: 'phone numbers (v2 pages)',
    pathContains: '/v2/phone-number',
    grow: (state) => {
      const template = state.vapi.phoneNumbers.find((n) => n.provider === 'vapi' && n.number) ?? state.vapi.phoneNumbers[0]!;
      const latest = state.vapi.phoneNumbers.map((n) => n.createdAt).sort().at(-1)!;
      for (let i = 0; i < EXTRA; i++) {
        state.vapi.phoneNumbers.push({ ...structuredClone(template), id: `00000000-0000-4000-8000-${hex32(i).slice(-12)}`, number: `+1415901${String(i).padStart(4, '0')}`, name: `extra ${i}`, createdAt: iso(latest, i), updatedAt: iso(latest, i) });
      }
    },
    requests: 2,
  },
  {
    provider: 'vapi',
    list: 'assistants (createdAt windows)',
    pathContains: '/assistant',
    grow: (state) => {
      const template = state.vapi.assistants[0]!;
      const latest = state.vapi.assistants.map((a) => a.createdAt).sort().at(-1)!;
      for (let i = 0; i < EXTRA; i++) {
        state.vapi.assistants.push({ ...structuredClone(template), id: `00000000-0000-4000-9000-${hex32(i).slice(-12)}`, name: `extra ${i}`, createdAt: iso(latest, i), updatedAt: iso(latest, i) });
      }
    },
    // The first window, the same page at createdAtLe, the same page again strictly older: stop.
    requests: 3,
  },
  {
    provider: 'elevenlabs',
    list: 'agents (cursor pages)',
    pathContains: '/v1/convai/agents',
    grow: (state) => {
      const template = state.elevenlabs.agents[0]!;
      const latest = Math.max(...state.elevenlabs.agents.map((a) => a.created_at_unix_secs));
      for (let i = 0; i < EXTRA; i++) state.elevenlabs.agents.push({ ...structuredClone(template), agent_id: `extra${String(i).padStart(15, '0')}`, name: `extra ${i}`, created_at_unix_secs: latest + i + 1 });
    },
    // The second page answers the first page's cursor again: stopped there.
    requests: 2,
  },
  {
    provider: 'twilio',
    list: 'incoming phone numbers',
    pathContains: '/IncomingPhoneNumbers',
    grow: (state) => {
      const template = state.twilio.incomingPhoneNumbers[0]!;
      for (let i = 0; i < EXTRA; i++) {
        const sid = `PN${hex32(i)}`;
        state.twilio.incomingPhoneNumbers.push({ ...structuredClone(template), sid, phone_number: `+1415902${String(i).padStart(4, '0')}`, friendly_name: `extra ${i}`, uri: template.uri.replace(template.sid, sid) });
      }
    },
    requests: 2,
  },
];

const PERMANENT: { fault: string; plan: FaultPlan; message: RegExp }[] = [
  { fault: '429 with Retry-After', plan: { rateLimit: { count: -1, retryAfterSeconds: 1 } }, message: /HTTP 429/ },
  { fault: '429 without Retry-After', plan: { rateLimit: { count: -1, retryAfterSeconds: null } }, message: /HTTP 429/ },
  { fault: '500', plan: { serverError: { count: -1, status: 500 } }, message: /HTTP 500/ },
  { fault: '502', plan: { serverError: { count: -1, status: 502 } }, message: /HTTP 502/ },
  { fault: '503', plan: { serverError: { count: -1, status: 503 } }, message: /HTTP 503/ },
  { fault: 'a hang past the timeout', plan: { hang: { count: -1 } }, message: new RegExp(`no answer within ${TIMEOUT_MS} ms`) },
  { fault: 'a connection reset', plan: { reset: { count: -1 } }, message: /network error \((ECONNRESET|socket hang up)\)/ },
  { fault: 'a body that is not JSON', plan: { malformed: { count: -1 } }, message: /not JSON/ },
];

const TRANSIENT: { fault: string; plan: FaultPlan; status: number | 'hang' | 'reset' }[] = [
  { fault: 'one 429 with Retry-After: 1', plan: { rateLimit: { count: 1, retryAfterSeconds: 1 } }, status: 429 },
  { fault: 'one 503', plan: { serverError: { count: 1, status: 503 } }, status: 503 },
  { fault: 'one connection reset', plan: { reset: { count: 1 } }, status: 'reset' },
  { fault: 'one hang past the timeout', plan: { hang: { count: 1 } }, status: 'hang' },
];

describe('upstream faults on every adapter', () => {
  const cli = useSandboxCli();

  beforeEach(() => {
    cli.env.VOICENUM_HTTP_TIMEOUT_MS = String(TIMEOUT_MS);
    cli.env.VOICENUM_HTTP_MAX_ATTEMPTS = String(MAX_ATTEMPTS);
    cli.env.VOICENUM_HTTP_BASE_DELAY_MS = '1';
  });

  /** The provider's cached rows as the CLI shows them, and the whole cache with its history. */
  const cached = async (provider: Provider) => ({
    numbers: (await cli.run(['numbers', 'list', '--provider', provider, '--json'])).stdout,
    agents: (await cli.run(['agents', 'list', '--provider', provider, '--json'])).stdout,
    all: await cli.cacheSnapshot(),
  });

  /** Sync one provider under `faults` after upstream changed; returns the result and the requests it made. */
  const syncUnder = async (provider: Provider, faults: FaultPlan) => {
    const fake = cli.sandbox.fakes[provider];
    fake.setFaults(faults);
    const from = fake.log.length;
    const result = await cli.run(['sync', '--provider', provider]);
    return { ...result, requests: fake.log.slice(from) };
  };

  const expectUnchanged = async (provider: Provider, before: Awaited<ReturnType<typeof cached>>) => {
    const after = await cached(provider);
    expect(after.numbers).toBe(before.numbers);
    expect(after.agents).toBe(before.agents);
    expect(after.all).toBe(before.all);
    expect(after.numbers).not.toContain(NEW_LABEL);
  };

  describe.each(PROVIDERS)('%s', (provider) => {
    it.each(PERMANENT)('gives up on $fault that never clears: exit 5, a clear error, the cache untouched', async ({ plan, message }) => {
      const before = await cached(provider);
      changeUpstream(cli.sandbox.state(), provider);

      const sync = await syncUnder(provider, plan);

      expect(sync.code, sync.stderr).toBe(5);
      expect(sync.stderr).toMatch(new RegExp(`✗ ${provider}: `));
      expect(sync.stderr).toMatch(message);
      expect(sync.stderr).toContain('its cached rows are unchanged');
      expect(sync.requests.length).toBeGreaterThan(0);
      expect(sync.requests.length).toBeLessThanOrEqual(PARALLEL_LISTS[provider] * MAX_ATTEMPTS);
      await expectUnchanged(provider, before);
    });

    it.each(TRANSIENT)('retries $fault and the sync lands the new upstream state', async ({ plan, status }) => {
      changeUpstream(cli.sandbox.state(), provider);

      const sync = await syncUnder(provider, plan);

      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.requests.filter((entry) => entry.status === status)).toHaveLength(1);
      expect((await cli.run(['numbers', 'list', '--provider', provider, '--json'])).stdout).toContain(NEW_LABEL);
      expect((await cli.run(['agents', 'list', '--provider', provider, '--json'])).stdout).toContain(NEW_AGENT);
    });
  });

  describe('a page whose cursor never advances', () => {
    it.each(PAGED_LISTS)('$provider $list: exit 5 "did not advance" after $requests requests, the cache untouched', async ({ provider, pathContains, grow, requests }) => {
      const before = await cached(provider);
      const state = cli.sandbox.state();
      changeUpstream(state, provider);
      grow(state);

      const sync = await syncUnder(provider, { stuckPaging: { pathContains } });

      expect(sync.code, sync.stderr).toBe(5);
      expect(sync.stderr).toMatch(new RegExp(`✗ ${provider}: .*paging did not advance`));
      expect(sync.requests.filter((entry) => entry.path.includes(pathContains))).toHaveLength(requests);
      // Twilio also reads the region of the numbers of the first page before the stuck second one answers.
      expect(sync.requests.length).toBeLessThan(200);
      await expectUnchanged(provider, before);
    });

    it('the same lists without the fault are read to the end (the stuck cases above really page)', async () => {
      const count = async (provider: Provider) => (JSON.parse((await cli.run(['numbers', 'list', '--provider', provider, '--json'])).stdout) as unknown[]).length;
      const before = { retell: await count('retell'), vapi: await count('vapi'), twilio: await count('twilio') };
      const agentsBefore = (JSON.parse((await cli.run(['agents', 'list', '--provider', 'elevenlabs', '--json'])).stdout) as unknown[]).length;
      const state = cli.sandbox.state();
      for (const { grow } of PAGED_LISTS) grow(state);
      const from = Object.fromEntries(PROVIDERS.map((p) => [p, cli.sandbox.fakes[p].log.length]));
      // No fault here: the short timeout the fault cases need only makes a loaded machine flaky.
      cli.env.VOICENUM_HTTP_TIMEOUT_MS = '15000';

      const sync = await cli.run(['sync', '--provider', 'retell', '--provider', 'vapi', '--provider', 'twilio', '--provider', 'elevenlabs']);

      expect(sync.code, sync.stderr).toBe(0);
      for (const { provider, pathContains } of PAGED_LISTS) {
        // Past one full page: ElevenLabs agents come 100 a page, the others 1000.
        const pages = provider === 'elevenlabs' ? Math.ceil((agentsBefore + EXTRA) / 100) : 2;
        expect(cli.sandbox.fakes[provider].log.slice(from[provider]).filter((entry) => entry.path.includes(pathContains)), `${provider} ${pathContains}`).toHaveLength(pages);
      }
      expect((JSON.parse((await cli.run(['agents', 'list', '--provider', 'elevenlabs', '--json'])).stdout) as unknown[]).length).toBe(agentsBefore + EXTRA);
      expect(await count('retell')).toBe(before.retell + EXTRA);
      expect(await count('vapi')).toBe(before.vapi + EXTRA);
      expect(await count('twilio')).toBe(before.twilio + EXTRA);
    });

    it('bland reads every list in one request (no cursor to follow), so a stuck page cannot loop', async () => {
      changeUpstream(cli.sandbox.state(), 'bland');

      const sync = await syncUnder('bland', { stuckPaging: { pathContains: '/' } });

      expect(sync.code, sync.stderr).toBe(0);
      const paths = sync.requests.map((entry) => entry.path);
      expect(new Set(paths).size).toBe(paths.length);
      expect((await cli.run(['numbers', 'list', '--provider', 'bland', '--json'])).stdout).toContain(NEW_LABEL);
    });
  });
});
