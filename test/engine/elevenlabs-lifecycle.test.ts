import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../src/domain/model.js';
import { importNumber, LifecycleFailure, releaseNumber, resumeOrRepair, type LifecyclePorts } from '../../src/engine/lifecycle/index.js';
import { createElevenLabsAdapter } from '../../src/providers/elevenlabs/index.js';
import { CAPABILITIES } from '../../src/providers/registry.js';
import { createTwilioAdapter } from '../../src/providers/twilio/index.js';
import type { CarrierSource, ProviderAdapter } from '../../src/providers/types.js';
import { SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The lifecycle engine's journal with the real ElevenLabs and Twilio adapters against the sandbox
 * fakes: an import is one journalled platform call after the routing is saved; a refused import is
 * undone; a process killed right after ElevenLabs took the number leaves the step pending, and
 * `repair` finds the number upstream and deletes it while `resume` adopts it; a release removes it.
 */

/** A crash: not a VoicenumError, so the engine leaves the step open as a killed process would. */
class Crash extends Error {}

describe('importing into ElevenLabs through the engine and its journal', () => {
  let dir: ReturnType<typeof tempDir>;
  let sandbox: SandboxEnvironment;
  let store: Store;
  let source: CarrierSource;
  let e164: string;
  /** Set to make the next import crash right after ElevenLabs answered. */
  let crashAfterImport = false;

  const platformHolds = (number: string) => sandbox.state().elevenlabs.phoneNumbers.filter((n) => n.phone_number === number);
  const imports = () => sandbox.fakes.elevenlabs.requests.filter((r) => r.method === 'POST' && r.path === '/v1/convai/phone-numbers');

  function ports(): LifecyclePorts {
    const twilio = createTwilioAdapter({
      accountSid: sandbox.env.TWILIO_ACCOUNT_SID!,
      username: sandbox.env.TWILIO_ACCOUNT_SID!,
      password: SANDBOX_KEYS.twilioAuthToken,
      apiBaseUrl: sandbox.fakes.twilio.url,
      routesBaseUrl: sandbox.fakes.twilio.url,
      trunkingBaseUrl: sandbox.fakes.twilio.url,
      http: { maxAttempts: 1 },
    });
    const real = createElevenLabsAdapter({ apiKey: SANDBOX_KEYS.elevenlabs, baseUrl: sandbox.fakes.elevenlabs.url, http: { maxAttempts: 1 } });
    const eleven: ProviderAdapter = {
      ...real,
      fetchAll: (options) => real.fetchAll(options),
      get requestCount() {
        return real.requestCount;
      },
      lifecycle: {
        ...real.lifecycle,
        async importFromCarrier(request) {
          const number = await real.lifecycle!.importFromCarrier!(request);
          if (crashAfterImport) throw new Crash('killed after ElevenLabs took the number');
          return number;
        },
      },
    };
    const adapters: Partial<Record<ProviderName, ProviderAdapter>> = { twilio, elevenlabs: eleven };
    return {
      store,
      now: () => new Date('2026-11-28T12:00:00.000Z'),
      audit: { osUser: 'ops', profile: 'sandbox', batch: 'batch-1' },
      capabilities: CAPABILITIES,
      adapter: async (provider) => adapters[provider]!,
    };
  }

  beforeEach(async () => {
    dir = tempDir();
    sandbox = await startSandbox();
    store = Store.open(join(dir.path, 'cache.db'));
    const state = sandbox.state();
    // A Twilio number no platform holds.
    const held = new Set([...state.retell.numbers.map((n) => n.phone_number), ...state.vapi.phoneNumbers.map((n) => n.number), ...state.bland.numbers.map((n) => n.phone_number), ...state.elevenlabs.phoneNumbers.map((n) => n.phone_number)]);
    const free = state.twilio.incomingPhoneNumbers.find((n) => !held.has(n.phone_number))!;
    e164 = free.phone_number;
    source = { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: free.sid };
    crashAfterImport = false;
  });
  afterEach(async () => {
    store.close();
    await sandbox.close();
    dir.cleanup();
  });

  it('is the saved routing and one import, journalled; the release deletes it', async () => {
    const result = await importNumber(ports(), { e164, into: 'elevenlabs', source, label: 'journalled' });
    expect(result).toMatchObject({ state: 'done', number: { provider: 'elevenlabs', e164, label: 'journalled' } });
    expect(store.lifecycleSteps(result.opId).map((s) => `${s.kind}:${s.outcome}`)).toEqual(['save-routing:done', 'platform-import:done']);
    expect(platformHolds(e164)).toHaveLength(1);
    const released = await releaseNumber(ports(), { e164, provider: 'elevenlabs' });
    expect(released.state).toBe('done');
    expect(platformHolds(e164)).toEqual([]);
  });

  it('an import ElevenLabs refuses is recorded failed and leaves nothing', async () => {
    const error = await importNumber(ports(), { e164, into: 'elevenlabs', source: { ...source, authToken: 'wrong-token' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LifecycleFailure);
    expect((error as LifecycleFailure).state).toBe('rolled-back');
    expect((error as LifecycleFailure).message).toContain('Twilio rejected the account SID and auth token');
    expect(platformHolds(e164)).toEqual([]);
  });

  it.each(['repair', 'resume'] as const)('killed right after ElevenLabs took the number, then %s: found upstream, never imported twice', async (mode) => {
    crashAfterImport = true;
    await expect(importNumber(ports(), { e164, into: 'elevenlabs', source })).rejects.toBeInstanceOf(Crash);
    const op = store.openLifecycleOps()[0]!;
    expect(store.lifecycleSteps(op.id).at(-1)).toMatchObject({ kind: 'platform-import', outcome: 'pending' });
    expect(platformHolds(e164)).toHaveLength(1);
    crashAfterImport = false;
    const result = await resumeOrRepair(ports(), op.id, mode, { source });
    expect(imports()).toHaveLength(1);
    if (mode === 'repair') {
      expect(result.state).toBe('rolled-back');
      expect(platformHolds(e164)).toEqual([]);
    } else {
      expect(result).toMatchObject({ state: 'done', number: { provider: 'elevenlabs', e164 } });
      expect(platformHolds(e164)).toHaveLength(1);
    }
  });
});
