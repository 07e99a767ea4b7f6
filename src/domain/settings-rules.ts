import type { ProviderCapabilities } from './capabilities.js';
import type { ProviderName } from './model.js';
import { isStrictE164 } from './phone.js';

/**
 * What a provider accepts as a label, a fallback and a region (its descriptor says), checked before any call. Pure.
 */

export function labelRefusals(capabilities: ProviderCapabilities, label: string | null): string[] {
  if (label === null) return [];
  const refusals: string[] = [];
  const { field, limit } = capabilities.label;
  if (limit !== null && [...label].length > limit) refusals.push(`a ${capabilities.name} label (${field}) holds at most ${limit} characters; this one has ${[...label].length}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) refusals.push('a label cannot hold control characters (newlines, tabs, escapes)');
  return refusals;
}

/** Check a fallback for a number; `value` is E.164 (already parsed), a URL, or null to clear. */
export function fallbackRefusals(capabilities: ProviderCapabilities, e164: string, value: string | null, target?: { fallback: string | null; provider: ProviderName } | null): string[] {
  const fallback = capabilities.fallback;
  if (fallback.kind === 'none') return [fallback.reason];
  if (value === null) return [];
  if (fallback.kind === 'url') {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return [`${fallback.describe}, not "${value}"`];
    return [];
  }
  if (!isStrictE164(value)) return [`a ${capabilities.name} fallback is a phone number in E.164, not "${value}"`];
  if (value === e164) return [`a number cannot fall back to itself (${e164})`];
  if (fallback.noChaining && target?.provider === capabilities.name && target.fallback) return [`${value} has a fallback of its own (${target.fallback}); ${fallback.noChaining}`];
  return [];
}

/** A region is one of the provider's (the carrier's) inbound processing regions. */
export function regionRefusals(capabilities: ProviderCapabilities, region: string): string[] {
  const valid = capabilities.regions ?? [];
  return valid.includes(region) ? [] : [`"${region}" is not a ${capabilities.displayName} inbound processing region; valid: ${valid.join(', ')}`];
}
