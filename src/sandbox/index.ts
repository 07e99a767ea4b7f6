import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SANDBOX_KEYS } from './credentials.js';
import { startFakeServer, memoryState, type FaultPlan, type RunningFake, type StateAccess } from './fake-server.js';
import { buildSeedPlan, DEFAULT_SEED_NUMBERS, type SeedPlan } from './seed.js';
import { blandStateFromSeed, createBlandFake, type BlandState } from './fakes/bland.js';
import { createRetellFake, retellStateFromSeed, type RetellState } from './fakes/retell.js';
import { createTwilioFake, twilioStateFromSeed, type TwilioState } from './fakes/twilio.js';
import { createVapiFake, vapiStateFromSeed, type VapiState } from './fakes/vapi.js';

export { SANDBOX_KEYS } from './credentials.js';
export type { FaultPlan } from './fake-server.js';

/** The whole sandbox account: each fake's state in its own wire format. */
export interface SandboxState {
  version: 1;
  twilioAccountSid: string;
  retell: RetellState;
  vapi: VapiState;
  bland: BlandState;
  twilio: TwilioState;
}

export type SandboxFaults = Partial<Record<'retell' | 'vapi' | 'bland' | 'twilio', FaultPlan>>;

export interface SandboxEnvironment {
  /** Environment variables that point voicenum at the fakes, credentials included. */
  env: Record<string, string>;
  fakes: Record<'retell' | 'vapi' | 'bland' | 'twilio', RunningFake>;
  state(): SandboxState;
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
  };
}

/**
 * Sandbox state kept in a JSON file, shared by every voicenum process of the sandbox profile.
 * A process reloads the file when another one changed it, and writes under a lock file, so two
 * processes never lose each other's changes.
 */
export class FileSandboxStore {
  private state: SandboxState;
  private loadedStamp = '';

  constructor(private readonly file: string) {
    if (!existsSync(file)) writeSandboxState(file, seedSandboxState());
    this.state = this.load();
  }

  current(): SandboxState {
    if (this.stamp() !== this.loadedStamp) this.state = this.load();
    return this.state;
  }

  mutate<T>(fn: (state: SandboxState) => T, ok: (result: T) => boolean): T {
    return this.withLock(() => {
      const state = this.current();
      const result = fn(state);
      if (ok(result)) {
        writeSandboxState(this.file, state);
        this.loadedStamp = this.stamp();
      } else {
        // A refused request may have touched the objects before failing validation: reload.
        this.state = this.load();
      }
      return result;
    });
  }

  access<K extends 'retell' | 'vapi' | 'bland' | 'twilio'>(key: K): StateAccess<SandboxState[K]> {
    return {
      read: () => this.current()[key],
      mutate: (fn, ok) => this.mutate((state) => fn(state[key]), ok),
    };
  }

  private load(): SandboxState {
    this.loadedStamp = this.stamp();
    return JSON.parse(readFileSync(this.file, 'utf8')) as SandboxState;
  }

  private stamp(): string {
    try {
      const info = statSync(this.file);
      return `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch {
      return '';
    }
  }

  private withLock<T>(fn: () => T): T {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch {
        if (Date.now() > deadline) rmSync(lock, { force: true }); // a crashed holder left it behind
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

export function writeSandboxState(file: string, state: SandboxState): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    // A full disk must not also keep a half-written copy of the state.
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface StartSandboxOptions {
  /** Persist state in this file; without it the state lives in memory (tests). */
  stateFile?: string;
  /** In-memory initial state (ignored with stateFile). */
  state?: SandboxState;
  faults?: SandboxFaults;
}

/** Start the four fake providers on 127.0.0.1 and return the environment that points voicenum at them. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxEnvironment> {
  let accessFor: <K extends 'retell' | 'vapi' | 'bland' | 'twilio'>(key: K) => StateAccess<SandboxState[K]>;
  let readAll: () => SandboxState;
  if (options.stateFile) {
    const store = new FileSandboxStore(options.stateFile);
    accessFor = (key) => store.access(key);
    readAll = () => store.current();
  } else {
    const whole = options.state ?? seedSandboxState();
    accessFor = (key) => {
      const access = memoryState(whole[key]);
      return access;
    };
    readAll = () => whole;
  }
  const faults = options.faults ?? {};
  const [retell, vapi, bland, twilio] = await Promise.all([
    startFakeServer(createRetellFake(), accessFor('retell'), faults.retell),
    startFakeServer(createVapiFake(), accessFor('vapi'), faults.vapi),
    startFakeServer(createBlandFake(), accessFor('bland'), faults.bland),
    startFakeServer(createTwilioFake(), accessFor('twilio'), faults.twilio),
  ]);
  const accountSid = readAll().twilioAccountSid;
  return {
    env: {
      VOICENUM_RETELL_BASE_URL: retell.url,
      VOICENUM_VAPI_BASE_URL: vapi.url,
      VOICENUM_BLAND_BASE_URL: bland.url,
      VOICENUM_TWILIO_API_BASE_URL: twilio.url,
      VOICENUM_TWILIO_ROUTES_BASE_URL: twilio.url,
      RETELL_API_KEY: SANDBOX_KEYS.retell,
      VAPI_API_KEY: SANDBOX_KEYS.vapi,
      BLAND_API_KEY: SANDBOX_KEYS.bland,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: SANDBOX_KEYS.twilioAuthToken,
    },
    fakes: { retell, vapi, bland, twilio },
    state: readAll,
    close: async () => {
      await Promise.all([retell.close(), vapi.close(), bland.close(), twilio.close()]);
    },
  };
}

/** Throw away the sandbox's state and seed it again (optionally at another size); returns the number records seeded. */
export function resetSandbox(file: string, numbers: number = DEFAULT_SEED_NUMBERS): number {
  const plan = buildSeedPlan(numbers);
  writeSandboxState(file, stateFromPlan(plan));
  return plan.numbers.length;
}
