/**
 * The provider-neutral domain: what voicenum knows about numbers, agents and their slots,
 * whichever platform they live on. Adapters map each provider's wire format into these shapes.
 */

export const PROVIDERS = ['retell', 'vapi', 'bland', 'twilio', 'elevenlabs'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const SLOTS = ['inbound', 'outbound', 'sms'] as const;
export type Slot = (typeof SLOTS)[number];

/** Twilio inbound processing regions accepted by Routes v2. */
export const REGIONS = ['us1', 'ie1', 'au1'] as const;
export type Region = (typeof REGIONS)[number];

/**
 * The upstream statuses of a number voicenum knows: the platforms' `active`, `activating` and
 * `blocked`, and the carrier's `in-use` (its status field is a free string; the values a cache holds
 * are valid too). Then the two voicenum keeps itself: `removed` (gone upstream at the last sync) and
 * `needs-attention` (a failed change left the number for a person to fix).
 */
export const UPSTREAM_STATUSES = ['active', 'activating', 'blocked', 'in-use'] as const;
export const LOCAL_STATUSES = ['removed', 'needs-attention'] as const;
/** A number's lifecycle state other than `active`: an operation running on it, or one whose undo failed. */
export const LIFECYCLE_STATUSES = ['importing', 'deleting', 'buying', 'corrupted'] as const;

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}

export function isSlot(value: string): value is Slot {
  return (SLOTS as readonly string[]).includes(value);
}

/** One agent held by a slot. Retell slots hold weighted lists; every other provider holds one entry. */
export interface SlotAgent {
  agentId: string;
  /** Share of calls in (0, 1]; 1 for single-agent slots. */
  weight: number;
  /** Retell version pin: a number, a tag, `latest` or `latest_published`. */
  version?: string | null;
}

export type SlotMap = Record<Slot, SlotAgent[]>;

export function emptySlots(): SlotMap {
  return { inbound: [], outbound: [], sms: [] };
}

/** Whether the number can do something; `null` where the platform does not say. */
export interface Capabilities {
  voice: boolean | null;
  sms: boolean | null;
}

/** A phone number as one provider account reports it. */
export interface RemoteNumber {
  provider: ProviderName;
  /** The provider's key for the record: the E.164 at Retell and Bland, a UUID at Vapi, a PN sid at Twilio. */
  providerId: string;
  e164: string;
  label: string | null;
  /** Vapi `active`/`activating`/`blocked`, Twilio `status`; null where the platform has none. */
  status: string | null;
  capabilities: Capabilities;
  /** Twilio inbound processing region (Twilio records only). */
  region: string | null;
  /** Fallback destination: a number or URL. */
  fallback: string | null;
  /** Where the platform says the number comes from (Retell `phone_number_type`, Vapi `provider`, ...). */
  origin: string | null;
  /**
   * The carrier's voice webhook (Twilio `voice_url`): null when it has none. Absent on records of
   * platforms, which have no such thing. `doctor` reads it to tell a number routed nowhere from one
   * whose calls go to a webhook (a platform's, for numbers imported with credentials).
   */
  voiceUrl?: string | null;
  slots: SlotMap;
}

/** Whatever answers or places calls on a platform. */
export interface RemoteAgent {
  provider: ProviderName;
  id: string;
  name: string;
  /** e.g. `voice`, `chat`, `assistant`, `squad`, `agent`, `pathway`, `twiml-app`, `sip-trunk`. */
  kind: string;
  /** Published / has a production version; null where the platform does not say. */
  live: boolean | null;
}

/** A record the adapter could not use; reported, never cached. */
export interface SkippedRecord {
  provider: ProviderName;
  kind: 'number' | 'agent';
  id: string;
  reason: string;
}

/** Everything one provider account holds, read in one sync. */
export interface ProviderSnapshot {
  provider: ProviderName;
  numbers: RemoteNumber[];
  agents: RemoteAgent[];
  skipped: SkippedRecord[];
  /** Upstream round trips spent reading it. */
  requests: number;
}
