import type { ProviderCapabilities } from './capabilities.js';
import type { ProviderName } from './model.js';
import { isStrictE164 } from './phone.js';
import { withArticle } from './wording.js';

/**
 * What a provider accepts as a label, a fallback and a region (its descriptor says), checked before any call. Pure.
 */

export function labelRefusals(capabilities: ProviderCapabilities, label: string | null): string[] {
  if (label === null) return [];
  const refusals: string[] = [];
  const { field, limit } = capabilities.label;
  if (limit !== null && [...label].length > limit) refusals.push(`${withArticle(capabilities.name)} label (${field}) holds at most ${limit} characters; this one has ${[...label].length}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(label)) refusals.push('a label cannot hold control characters (newlines, tabs, escapes)');
  return refusals;
}

/**
 * The longest fallback URL taken. Twilio's API description gives voice_fallback_url no maximum (a
 * string of format uri); 2048 characters is the limit URLs are commonly held to, far beyond any
 * real TwiML endpoint, and keeps a pasted document out of the request and the audit log.
 */
export const MAX_FALLBACK_URL = 2048;

/**
 * A fallback URL is checked as typed, like a label: the URL parser silently drops tabs and newlines
 * and trims spaces, so `https://ex<newline>ample.test` would otherwise reach the provider as
 * another address than the one shown. http and https only: the provider fetches it.
 */
function urlRefusals(describe: string, value: string): string[] {
  const refusals: string[] = [];
  const length = [...value].length;
  if (length > MAX_FALLBACK_URL) refusals.push(`a fallback URL holds at most ${MAX_FALLBACK_URL} characters; this one has ${length}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) refusals.push('a fallback URL cannot hold control characters (newlines, tabs, escapes)');
  else if (/\s/.test(value)) refusals.push('a fallback URL cannot hold spaces; write them as %20');
  else if (!isWebAddress(value)) refusals.push(`${describe}, not "${length > 80 ? `${[...value].slice(0, 80).join('')}…` : value}"`);
  return refusals;
}

/** An http or https URL with a host, as typed: the parser alone reads `http:/host` and `https:///host` as http://host/. */
function isWebAddress(value: string): boolean {
  if (!/^https?:\/\/[^/?#]/i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Check a fallback for a number; `value` is E.164 (already parsed), a URL, or null to clear. */
export function fallbackRefusals(capabilities: ProviderCapabilities, e164: string, value: string | null, target?: { fallback: string | null; provider: ProviderName } | null): string[] {
  const fallback = capabilities.fallback;
  if (fallback.kind === 'none') return [fallback.reason];
  if (value === null) return [];
  if (fallback.kind === 'url') return urlRefusals(fallback.describe, value);
  if (!isStrictE164(value)) return [`${withArticle(capabilities.name)} fallback is a phone number in E.164, not "${value}"`];
  if (value === e164) return [`a number cannot fall back to itself (${e164})`];
  if (fallback.noChaining && target?.provider === capabilities.name && target.fallback) return [`${value} has a fallback of its own (${target.fallback}); ${fallback.noChaining}`];
  return [];
}

/** A region is one of the provider's (the carrier's) inbound processing regions. */
export function regionRefusals(capabilities: ProviderCapabilities, region: string): string[] {
  const valid = capabilities.regions ?? [];
  return valid.includes(region) ? [] : [`"${region}" is not a ${capabilities.displayName} inbound processing region; valid: ${valid.join(', ')}`];
}
