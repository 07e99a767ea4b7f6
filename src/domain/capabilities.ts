import type { ProviderName, Slot } from './model.js';
import { SLOTS } from './model.js';

/**
 * What one provider can do, as data: the rules, the cache queries, the views and the wizard read
 * these answers instead of asking "is this provider X?". The domain defines the shape only; each
 * provider folder (src/providers/<name>/capabilities.ts) fills it in, and the provider registry is
 * the one place that lists them.
 */

/** A slot the provider stores, and the agent kinds it takes (as the adapter names them). */
export interface SlotOffered {
  offered: true;
  kinds: readonly string[];
}

/** A slot the provider has no such thing as; `reason` is shown to the operator as is. */
export interface SlotMissing {
  offered: false;
  reason: string;
}

export type SlotSupport = SlotOffered | SlotMissing;

/**
 * How texts are routed:
 * - `own-slot`: the sms slot holds its own agent;
 * - `inbound-on-imported`: texts go to the inbound agent, and only on numbers whose origin says they
 *   were imported from a carrier (Vapi on Twilio numbers), so the two slots must name the same agent;
 * - `none`: the provider does not route texts (its sms slot is missing).
 */
export type SmsModel =
  | { model: 'own-slot' }
  | {
      model: 'inbound-on-imported';
      /** The number's origin value that makes texting possible. */
      origin: string;
      /** Why a number of another origin has no sms slot. */
      notImported: string;
      /** Why sms and inbound must not differ (the refusal, without the `sms: ` prefix). */
      mismatch: string;
    }
  | { model: 'none' };

/** What a number falls back to when its agent cannot answer. */
export type FallbackSupport =
  | {
      kind: 'number';
      /** Set where a fallback number may not have a fallback of its own: how the provider puts it. */
      noChaining?: string;
    }
  | {
      kind: 'url';
      /** What the URL is, for the refusal of something that is not one (followed by `, not "VALUE"`). */
      describe: string;
    }
  | { kind: 'none'; reason: string };

/** The label the provider stores on a number. */
export interface LabelSupport {
  /** The provider's field name, e.g. `nickname`, `friendly_name`. */
  field: string;
  /** Longest label it stores, in characters; null where it publishes no limit. */
  limit: number | null;
}

/**
 * Number lifecycle operations the provider's API offers: the adapter's `lifecycle` capability has
 * exactly these (test/providers/lifecycle.test.ts), and the engine picks the import path from
 * `importVia`.
 */
export interface LifecycleSupport {
  buy: boolean;
  import: boolean;
  release: boolean;
  /**
   * How the platform takes a number of the carrier's account: over an Elastic SIP trunk voicenum
   * builds on the carrier (`sip-trunk`), with the carrier credentials in one platform call
   * (`credentials`), or not at all (null).
   */
  importVia: 'sip-trunk' | 'credentials' | null;
  /** For `sip-trunk`: the platform's SIP server, set as the trunk's origination URL. */
  originationSipUrl?: string;
}

export interface ProviderCapabilities {
  name: ProviderName;
  /** The name as people write it: `Retell`, `Twilio`. */
  displayName: string;
  slots: Record<Slot, SlotSupport>;
  sms: SmsModel;
  /** Several agents with weights in one slot. */
  weightedSplits: boolean;
  /** Agent version pins in a slot (`sales@3`). */
  versionPins: boolean;
  label: LabelSupport;
  fallback: FallbackSupport;
  /**
   * Inbound processing regions the provider lets a number be moved between, or null. The adapter of
   * a provider with regions exposes the `regions` capability (see src/providers/types.ts).
   */
  regions: readonly string[] | null;
  /**
   * Set for the carrier: the provider whose numbers the agent platforms import. Its record of an
   * imported number is joined to the platform's as the carrier; `trunkKind` is the agent kind that
   * hands its calls on to a platform.
   */
  carrier: { trunkKind: string; /** The domain every SIP trunk of the carrier ends in (a trunk's DomainName). */ trunkDomain?: string } | null;
  lifecycle: LifecycleSupport;
  /** How `auth login` asks: one API key, or an account SID with a token or an API key and secret. */
  credentials: 'api-key' | 'account';
  /** The colour its name is shown in on a terminal. */
  colour: ProviderColour;
  /** Where an operator fixes by hand what voicenum cannot (`doctor` names it); optional for new providers. */
  dashboard?: { name: string; url: string };
  /**
   * How the carrier must route a number this platform imported for its calls to arrive: over a SIP
   * trunk the carrier hands calls to, or to a voice webhook on one of these hosts. Null (or absent)
   * where the platform does not import carrier numbers. `doctor` compares the carrier's record with it.
   */
  carrierRouting?: { via: 'sip-trunk' } | { via: 'voice-url'; hosts: readonly string[] } | null;
}

export type ProviderColour = 'magenta' | 'cyan' | 'yellow' | 'red' | 'green' | 'blue';

/** The descriptors as the rules see them: one per provider, and the carrier among them. */
export interface CapabilityCatalog {
  of(provider: ProviderName): ProviderCapabilities;
  readonly all: readonly ProviderCapabilities[];
}

/** The slots a provider really stores. */
export function offeredSlots(capabilities: ProviderCapabilities): Slot[] {
  return SLOTS.filter((slot) => capabilities.slots[slot].offered);
}

/** The display names of the providers that have a feature, for messages like "a Retell feature". */
export function featureOwners(catalog: CapabilityCatalog, has: (capabilities: ProviderCapabilities) => boolean): string {
  return catalog.all
    .filter(has)
    .map((c) => c.displayName)
    .join(' and ');
}
