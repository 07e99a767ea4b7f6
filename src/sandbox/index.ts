import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentProcess, ownerGone, type ProcessIdentity } from '../store/process-identity.js';
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

export interface FileSandboxStoreOptions {
  /** How long to wait for a live holder of the lock file before taking it over anyway. */
  lockDeadlineMs?: number;
  /** Blocks for `ms` between tries (injected in tests to count the waits). */
  pause?: (ms: number) => void;
}

/** What a lock file holds: who took it, so a waiter can tell a dead holder at once. */
interface LockFileOwner extends ProcessIdentity {
  /** Random per hold: a release or takeover removes only the file it judged. */
  hold: string;
}

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Sandbox state kept in a JSON file, shared by every voicenum process of the sandbox profile.
 * A process reloads the file when another one changed it, and writes under a lock file, so two
 * processes never lose each other's changes.
 */
export class FileSandboxStore {
  private state: SandboxState;
  private loadedStamp = '';
  private readonly lockDeadlineMs: number;
  private readonly pause: (ms: number) => void;

  constructor(
    private readonly file: string,
    options: FileSandboxStoreOptions = {},
  ) {
    // Generous: a live holder of a large sandbox (100k numbers) can take seconds to rewrite the file.
    this.lockDeadlineMs = options.lockDeadlineMs ?? 10_000;
    this.pause = options.pause ?? blockFor;
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

  /**
   * Run `fn` holding `<file>.lock`. The lock file names its holder, so a waiter takes over at once
   * the lock of a holder that died (its pid gone, or reused by another process). A live holder only
   * keeps it for one synchronous read-modify-write, so the deadline for it is a backstop.
   *
   * The wait blocks the event loop (the fakes' request handlers mutate synchronously), but it now
   * only ever waits for a live holder in the middle of a write.
   */
  private withLock<T>(fn: () => T): T {
    const lock = `${this.file}.lock`;
    const owner: LockFileOwner = { ...currentProcess(), hold: randomUUID() };
    const deadline = Date.now() + this.lockDeadlineMs;
    for (;;) {
      try {
        writeFileSync(lock, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readLockOwner(lock);
      if (holder === null) continue; // released meanwhile: try again at once
      // A file that names nobody is being written this instant, or was left by an older voicenum.
      const expired = Date.now() > deadline;
      if (holder === undefined ? expired : expired || ownerGone(holder)) removeLockOf(lock, holder?.hold ?? null);
      else this.pause(5);
    }
    try {
      return fn();
    } finally {
      removeLockOf(lock, owner.hold);
    }
  }
}

/** The lock file's holder; null when there is no file, undefined when it names nobody readable. */
function readLockOwner(lock: string): LockFileOwner | null | undefined {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8');
  } catch {
    return null;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockFileOwner>;
    if (typeof owner.pid !== 'number' || typeof owner.hold !== 'string' || typeof owner.token !== 'string') return undefined;
    return { pid: owner.pid, startTime: owner.startTime ?? null, scope: owner.scope ?? null, token: owner.token, hold: owner.hold };
  } catch {
    return undefined;
  }
}

/**
 * Remove the lock file only if it still is the one that was judged (by its hold; null for a file
 * that names nobody). It is renamed aside first, which only one process can do, then checked, and
 * put back if another process locked in between; so two waiters that both saw a dead holder never
 * remove each other's fresh lock.
 */
function removeLockOf(lock: string, hold: string | null): void {
  const aside = `${lock}.${randomUUID()}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // already gone
  }
  if ((readLockOwner(aside)?.hold ?? null) !== hold) {
    try {
      linkSync(aside, lock);
    } catch {
      // Yet another process locked meanwhile; nothing better can be done without blocking it.
    }
  }
  rmSync(aside, { force: true });
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
