import { SANDBOX_KEYS } from './credentials.js';
import { startFakeServer, memoryState, type FaultPlan, type RunningFake, type StateAccess } from './fake-server.js';
import { buildSeedPlan, DEFAULT_SEED_NUMBERS, type SeedPlan } from './seed.js';
import { SqliteSandboxStore } from './store.js';
import { blandStateFromSeed, createBlandFake, type BlandState } from './fakes/bland.js';
import { createElevenLabsFake, elevenlabsStateFromSeed, type ElevenLabsState } from './fakes/elevenlabs.js';
import { createRetellFake, retellStateFromSeed, type RetellState } from './fakes/retell.js';
import { carrierLinkOf, createTwilioFake, twilioStateFromSeed, type TwilioState } from './fakes/twilio.js';
import { createVapiFake, vapiStateFromSeed, type VapiState } from './fakes/vapi.js';

export { SANDBOX_KEYS } from './credentials.js';
export { SqliteSandboxStore } from './store.js';
export type { FaultPlan } from './fake-server.js';

/** The whole sandbox account: each fake's state in its own wire format. */
export interface SandboxState {
  version: 1;
  twilioAccountSid: string;
  retell: RetellState;
  vapi: VapiState;
  bland: BlandState;
  twilio: TwilioState;
  elevenlabs: ElevenLabsState;
}

/** The fakes, one per provider. */
export type FakeName = 'retell' | 'vapi' | 'bland' | 'twilio' | 'elevenlabs';

export type SandboxFaults = Partial<Record<FakeName, FaultPlan>>;

export interface SandboxEnvironment {
  /** Environment variables that point voicenum at the fakes, credentials included. */
  env: Record<string, string>;
  fakes: Record<FakeName, RunningFake>;
  state(): SandboxState;
  /** True when this start moved the state of an earlier voicenum's JSON file into the database. */
  migratedFromJson: boolean;
  close(): Promise<void>;
}

export function seedSandboxState(numbers: number = DEFAULT_SEED_NUMBERS): SandboxState {
  return stateFromPlan(buildSeedPlan(numbers));
}

function stateFromPlan(plan: SeedPlan): SandboxState {
  return {
    version: 1,
    twilioAccountSid: plan.twilioAccountSid,
    retell: retellStateFromSeed(plan),
    vapi: vapiStateFromSeed(plan),
    bland: blandStateFromSeed(plan),
    twilio: twilioStateFromSeed(plan),
    elevenlabs: elevenlabsStateFromSeed(plan),
  };
}

/** The JSON file an earlier voicenum kept the state in, beside the database that replaces it. */
function legacyJsonFileOf(file: string): string | undefined {
  return file.endsWith('.db') ? `${file.slice(0, -'.db'.length)}.json` : undefined;
}

/** Open the persisted sandbox state (creating and seeding it, or importing an earlier JSON file). */
export function openSandboxStore(file: string, options: { busyTimeoutMs?: number } = {}): SqliteSandboxStore {
  return new SqliteSandboxStore(file, { ...options, seed: () => seedSandboxState(), legacyJsonFile: legacyJsonFileOf(file) });
}

/** The whole persisted state, read once: for tests and tools that look at what the fakes hold. */
export function readSandboxState(file: string): SandboxState {
  const store = openSandboxStore(file);
  try {
    return store.current();
  } finally {
    store.close();
  }
}

/**
 * Replace the whole persisted state (what a reset does; tests use it as a dashboard edit). Every
 * process that has the state open reads it all again on its next request.
 */
export function writeSandboxState(file: string, state: SandboxState): void {
  const store = openSandboxStore(file);
  try {
    store.replace(state);
  } finally {
    store.close();
  }
}

export interface StartSandboxOptions {
  /** Persist state in this SQLite file; without it the state lives in memory (tests, `sandbox serve`). */
  stateFile?: string;
  /** In-memory initial state (ignored with stateFile). */
  state?: SandboxState;
  faults?: SandboxFaults;
}

/** Start the fake providers on 127.0.0.1 and return the environment that points voicenum at them. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxEnvironment> {
  let accessFor: <K extends FakeName>(key: K) => StateAccess<SandboxState[K]>;
  let readAll: () => SandboxState;
  let accountSid: string;
  let store: SqliteSandboxStore | undefined;
  if (options.stateFile) {
    const opened = openSandboxStore(options.stateFile);
    store = opened;
    accessFor = (key) => opened.access(key);
    readAll = () => opened.current();
    accountSid = opened.twilioAccountSid();
  } else {
    const whole = options.state ?? seedSandboxState();
    accessFor = (key) => {
      const access = memoryState(whole[key]);
      return access;
    };
    readAll = () => whole;
    accountSid = whole.twilioAccountSid;
  }
  const faults = options.faults ?? {};
  // The platforms that import with the Twilio credentials rewrite the Twilio number's voice webhook.
  const carrier = carrierLinkOf(accessFor('twilio'));
  const [retell, vapi, bland, twilio, elevenlabs] = await Promise.all([
    startFakeServer(createRetellFake(), accessFor('retell'), faults.retell),
    startFakeServer(createVapiFake(carrier), accessFor('vapi'), faults.vapi),
    startFakeServer(createBlandFake(carrier), accessFor('bland'), faults.bland),
    startFakeServer(createTwilioFake(), accessFor('twilio'), faults.twilio),
    startFakeServer(createElevenLabsFake(carrier), accessFor('elevenlabs'), faults.elevenlabs),
  ]);
  return {
    env: {
      VOICENUM_RETELL_BASE_URL: retell.url,
      VOICENUM_VAPI_BASE_URL: vapi.url,
      VOICENUM_BLAND_BASE_URL: bland.url,
      VOICENUM_TWILIO_API_BASE_URL: twilio.url,
      VOICENUM_TWILIO_ROUTES_BASE_URL: twilio.url,
      VOICENUM_TWILIO_TRUNKING_BASE_URL: twilio.url,
      VOICENUM_ELEVENLABS_BASE_URL: elevenlabs.url,
      RETELL_API_KEY: SANDBOX_KEYS.retell,
      VAPI_API_KEY: SANDBOX_KEYS.vapi,
      BLAND_API_KEY: SANDBOX_KEYS.bland,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: SANDBOX_KEYS.twilioAuthToken,
      ELEVENLABS_API_KEY: SANDBOX_KEYS.elevenlabs,
    },
    fakes: { retell, vapi, bland, twilio, elevenlabs },
    state: readAll,
    migratedFromJson: store?.migratedFromJson ?? false,
    close: async () => {
      await Promise.all([retell.close(), vapi.close(), bland.close(), twilio.close(), elevenlabs.close()]);
      store?.close();
    },
  };
}

/** Throw away the sandbox's state and seed it again (optionally at another size); returns the number records seeded. */
export function resetSandbox(file: string, numbers: number = DEFAULT_SEED_NUMBERS): number {
  const plan = buildSeedPlan(numbers);
  writeSandboxState(file, stateFromPlan(plan));
  return plan.numbers.length;
}
