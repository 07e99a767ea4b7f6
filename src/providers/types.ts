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
  /** Where the descriptor lists lifecycle operations: buy, import, release (see below). */
  readonly lifecycle?: LifecycleCapability;
  /** Only the carrier: SIP trunks and credential lists, for importing its numbers elsewhere. */
  readonly trunking?: TrunkingCapability;
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

// --- the life of a number (buy, import, release) ------------------------------------------------

/** What `numbers buy` asks a platform for: a number, or one in an area code or country. */
export interface PurchaseRequest {
  /** An exact number to buy (E.164). */
  e164?: string;
  /** A three-digit area code (US/CA). */
  areaCode?: string;
  country?: 'US' | 'CA';
  tollFree?: boolean;
  label?: string;
}

/** A number a platform offers for sale (Twilio's AvailablePhoneNumbers). */
export interface AvailableNumber {
  e164: string;
  locality: string | null;
  region: string | null;
  capabilities: { voice: boolean | null; sms: boolean | null };
}

/** The Twilio account a platform imports a number from, and the number's record there. */
export interface CarrierSource {
  accountSid: string;
  /** The auth token, or an API key and its secret. */
  authToken?: string;
  apiKey?: string;
  apiSecret?: string;
  /** The number's IncomingPhoneNumber SID (PN…). */
  phoneNumberSid: string;
}

/** How a platform's import reaches the number's calls: a SIP trunk voicenum made (Retell). */
export interface SipTrunkAccess {
  /** The trunk's termination URI (`<name>.pstn.twilio.com`). */
  terminationUri: string;
  username: string;
  /** Generated; never printed, logged or stored. */
  password: string;
}

/**
 * An optional capability: a platform number's life. Each operation is one upstream call (the
 * engine journals it and knows its undo); which exist is said by the descriptor's `lifecycle` and
 * detected here, never by provider name.
 */
export interface LifecycleCapability {
  /** Numbers on offer (only where the platform lets one choose). */
  searchAvailable?(request: PurchaseRequest): Promise<AvailableNumber[]>;
  /** Buy a number; returns its record. */
  buy?(request: PurchaseRequest): Promise<RemoteNumber>;
  /**
   * Take a number of the operator's Twilio account: over a SIP trunk (`trunk` given: Retell) or
   * with the Twilio credentials (Vapi, Bland). Returns the platform's new record.
   */
  importFromCarrier?(request: { e164: string; label?: string; source: CarrierSource; trunk?: SipTrunkAccess }): Promise<RemoteNumber>;
  /**
   * Remove the number from the platform (for the carrier: give it back, which is irreversible). A
   * number already gone counts as released, so an undo or a resumed release may run it again.
   * `twilio`: the account an imported number came from, where the platform's delete needs it
   * (Bland's `encrypted_key` for bring-your-own-Twilio numbers).
   */
  release?(number: NumberKey, options?: { source?: CarrierSource }): Promise<void>;
}

/** A Twilio number's voice routing: what an import replaces and an undo puts back. */
export interface VoiceRouting {
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
}

/** A resource voicenum creates on the carrier for an import; `sid` is what its undo needs. */
export interface CreatedResource {
  kind: 'trunk' | 'origination-url' | 'credential-list' | 'credential' | 'trunk-credential-list' | 'trunk-phone-number';
  sid: string;
  /** The resource it belongs to (the trunk of an origination URL, the list of a credential). */
  parentSid?: string;
}

/**
 * An optional capability of the carrier: Elastic SIP trunks and credential lists, the pieces of
 * a trunk import. Every create returns the resource to undo it with `remove`.
 */
export interface TrunkingCapability {
  /** Trunks voicenum made earlier (by friendly-name prefix), for reuse. */
  listTrunks(prefix: string): Promise<{ sid: string; domainName: string; friendlyName: string; phoneNumberSids: string[] }[]>;
  createTrunk(request: { friendlyName: string; domainName: string }): Promise<CreatedResource & { domainName: string }>;
  addOriginationUrl(trunkSid: string, request: { friendlyName: string; sipUrl: string; priority: number; weight: number; enabled: boolean }): Promise<CreatedResource>;
  createCredentialList(friendlyName: string): Promise<CreatedResource>;
  addCredential(listSid: string, username: string, password: string): Promise<CreatedResource>;
  attachCredentialList(trunkSid: string, listSid: string): Promise<CreatedResource>;
  attachPhoneNumber(trunkSid: string, phoneNumberSid: string): Promise<CreatedResource>;
  /** Undo one create. Removing what is already gone succeeds (an undo may be retried). */
  remove(resource: CreatedResource): Promise<void>;
  readVoiceRouting(phoneNumberSid: string): Promise<VoiceRouting>;
  /**
   * After a crash, what a create whose answer was lost made: a credential list by its (unique)
   * friendly name, and whether a list is attached to a trunk. Optional: without them a resume takes
   * those steps as not done.
   */
  findCredentialList?(friendlyName: string): Promise<CreatedResource | null>;
  trunkCredentialListSids?(trunkSid: string): Promise<string[]>;
  restoreVoiceRouting(phoneNumberSid: string, routing: VoiceRouting): Promise<void>;
}
