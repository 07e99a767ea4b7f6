import { ProviderError } from '../domain/errors.js';
import type { ProviderName, ProviderSnapshot, RemoteNumber, SlotAgent, SlotMap } from '../domain/model.js';
import type { HttpSettings } from './http.js';

/** How an adapter finds a number upstream. */
export interface NumberKey {
  providerId: string;
  e164: string;
  /**
   * What the cache believes the number's slots hold: a hint that lets an adapter skip lookups
   * (Bland's persona → agent binding). Never trusted as the answer.
   */
  known?: Partial<SlotMap>;
}

/** Label and fallback, where the provider has them; null clears. */
export interface SettingsWrite {
  label?: string | null;
  /** A number in E.164 (Retell, Vapi) or a URL (Twilio's voice_fallback_url). */
  fallback?: string | null;
}

/** An agent to put into a slot, with what the adapter needs to address it. */
export interface WriteSlotAgent extends SlotAgent {
  /** The agent's kind as cached (`assistant` vs `squad`, `agent` vs `pathway`, ...). */
  kind: string;
}

export type SlotWrite = Partial<Record<keyof SlotMap, WriteSlotAgent[]>>;

/** A version pin about to be written: an agent and the version it names (a number or a word). */
export interface VersionPin {
  agentId: string;
  version: string;
}

/** A pin that names no version its agent has; `reason` reads on from "agent NAME …". */
export interface MissingVersion extends VersionPin {
  reason: string;
}

export interface FetchOptions {
  /**
   * Called as records arrive, for progress on a terminal: counts so far, and during a step of known
   * size (Twilio's region read per number) how much of it is done. Called as often as counts change;
   * the caller throttles what it draws.
   */
  onProgress?: (event: { provider: ProviderName; numbers: number; agents: number; step?: { name: string; done: number; total: number } }) => void;
  /**
   * Cancels the read (sync passes the interrupt's): every request in flight or waiting to retry
   * fails at once with a CancelledError. fetchAll only reads, so it is safe to abandon anywhere.
   */
  signal?: AbortSignal;
}

/**
 * The port every provider adapter implements. Adapters speak one platform's wire format and return
 * provider-neutral records; they never touch the cache or the terminal.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Upstream round trips made so far by this adapter (retries included). */
  readonly requestCount: number;
  /** Read every number and agent in the account, following pagination to the end. */
  fetchAll(options?: FetchOptions): Promise<ProviderSnapshot>;
  /** One cheap call that proves the credentials work. Throws AuthError when they do not. */
  verifyCredentials(): Promise<void>;
  /** Read one number again, right before a write (freshness check). */
  readNumber(number: NumberKey): Promise<RemoteNumber>;
  /**
   * Set the given slots to exactly these agents (an empty list clears the slot) and return the
   * record as upstream answered it. `current` is the record as last read, for providers whose
   * write depends on what is there (Bland's attach replaces, detach needs the old agent).
   */
  writeSlots(number: NumberKey, slots: SlotWrite, current: RemoteNumber): Promise<RemoteNumber>;
  /**
   * Set the label and/or fallback and return the record as upstream answered it. Asking for a
   * setting the provider does not have is a programming error (the rules layer refuses it first).
   */
  writeSettings(number: NumberKey, settings: SettingsWrite, current: RemoteNumber): Promise<RemoteNumber>;
  /**
   * Only where bindings carry agent versions (Retell): the pins among `pins` that name a version
   * their agent does not have, read upstream (the cache keeps no versions) before anything is
   * written. Each agent's versions are read once per adapter, however many pins name it. Throws
   * when the versions cannot be read.
   */
  checkVersions?(pins: readonly VersionPin[]): Promise<MissingVersion[]>;
  /** Only where the provider's descriptor lists regions (the carrier): read and set a number's region. */
  readonly regions?: RegionCapability;
}

/** An optional capability: the inbound processing region of a number, keyed by its E.164. */
export interface RegionCapability {
  /** The number's region; null when the provider has no record of it. */
  read(e164: string): Promise<string | null>;
  /** Set the region; returns it as the provider answered. */
  set(e164: string, region: string): Promise<string | null>;
}

/** The adapter's region capability, or a ProviderError naming the provider that has none. */
export function regionsOf(adapter: ProviderAdapter): RegionCapability {
  if (!adapter.regions) throw new ProviderError(adapter.name, 'has no region to read');
  return adapter.regions;
}

/** What every adapter factory takes. */
export interface AdapterSettings {
  baseUrl: string;
  http?: HttpSettings;
}
