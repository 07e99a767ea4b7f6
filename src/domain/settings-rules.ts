import type { ProviderName } from './model.js';
import { REGIONS } from './model.js';
import { isStrictE164 } from './phone.js';

/**
 * What each provider accepts as a label and a fallback, checked before any call. Pure.
 */

/** Longest label each provider stores; null where it publishes no limit. */
export const LABEL_LIMITS: Record<ProviderName, number | null> = {
  retell: null,
  vapi: 40,
  bland: null,
  twilio: 64,
};

const LABEL_FIELDS: Record<ProviderName, string> = { retell: 'nickname', vapi: 'name', bland: 'label', twilio: 'friendly_name' };

export function labelRefusals(provider: ProviderName, label: string | null): string[] {
  if (label === null) return [];
  const refusals: string[] = [];
  const limit = LABEL_LIMITS[provider];
  if (limit !== null && [...label].length > limit) refusals.push(`a ${provider} label (${LABEL_FIELDS[provider]}) holds at most ${limit} characters; this one has ${[...label].length}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) refusals.push('a label cannot hold control characters (newlines, tabs, escapes)');
  return refusals;
}

export type FallbackKind = 'number' | 'url';

/** What a provider's fallback is, or why it has none. */
export function fallbackKind(provider: ProviderName): { kind: FallbackKind } | { none: string } {
  switch (provider) {
    case 'retell':
      return { kind: 'number' };
    case 'vapi':
      return { kind: 'number' };
    case 'twilio':
      return { kind: 'url' };
    case 'bland':
      return { none: 'Bland numbers have no fallback destination (transfer_phone_number transfers a live call; it is not a fallback)' };
  }
}

/** Check a fallback for a number; `value` is E.164 (already parsed), a URL, or null to clear. */
export function fallbackRefusals(provider: ProviderName, e164: string, value: string | null, target?: { fallback: string | null; provider: ProviderName } | null): string[] {
  const kind = fallbackKind(provider);
  if ('none' in kind) return [kind.none];
  if (value === null) return [];
  if (kind.kind === 'url') {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return [`a Twilio fallback is a URL (voice_fallback_url) that Twilio fetches TwiML from, not "${value}"`];
    return [];
  }
  if (!isStrictE164(value)) return [`a ${provider} fallback is a phone number in E.164, not "${value}"`];
  if (value === e164) return [`a number cannot fall back to itself (${e164})`];
  if (provider === 'retell' && target?.provider === 'retell' && target.fallback) return [`${value} has a fallback of its own (${target.fallback}); Retell does not chain fallbacks`];
  return [];
}

export function regionRefusals(region: string): string[] {
  return (REGIONS as readonly string[]).includes(region) ? [] : [`"${region}" is not a Twilio inbound processing region; valid: ${REGIONS.join(', ')}`];
}
