import { describe, expect, it } from 'vitest';
import { featureOwners } from '../../src/domain/capabilities.js';
import { PROVIDERS } from '../../src/domain/model.js';
import { HELP } from '../../src/providers/help-text.js';
import { CAPABILITIES, CARRIER, REGION_PROVIDER } from '../../src/providers/registry.js';

/** `a, b, c and d` (or `or`). */
function series(items: readonly string[], last: 'and' | 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

/** What the help says of the providers, derived from their descriptors. */
function helpFromCapabilities() {
  const all = CAPABILITIES.all;

  const regions = REGION_PROVIDER?.regions ?? [];
  const regionName = REGION_PROVIDER?.displayName ?? '';
  const fallbackOwners = (kind: 'number' | 'url') => featureOwners(CAPABILITIES, (c) => c.fallback.kind === kind).replaceAll(' and ', ', ');
  const accountProviders = featureOwners(CAPABILITIES, (c) => c.credentials === 'account');
  const carrierName = CARRIER?.displayName ?? '';
  const importers = (via: 'sip-trunk' | 'credentials') => series(all.filter((c) => c.lifecycle.importVia === via).map((c) => c.displayName), 'and');
  return {
  program: `See and change which agent answers, calls from and texts from every phone number across ${series(all.map((c) => c.displayName), 'and')}.`,
  regionFilter: `only this ${regionName} inbound processing region (${regions.join(', ')})`,
  inbound: `agent that answers calls: name, id or provider:name; ${featureOwners(CAPABILITIES, (c) => c.weightedSplits)} splits as sales=0.7,support=0.3; pins as sales@3`,
  outbound: `agent that places calls from the number (${featureOwners(CAPABILITIES, (c) => c.slots.outbound.offered)} only)`,
  region: `show or set the ${regionName} inbound processing region of a number (${regions.join(', ')})`,
  regionNumber: `a number bought in, or imported from, a configured ${regionName} account`,
  regionValue: `${series(regions, 'or')}; without it, show the current region and the valid ones`,
  label: `set the label: ${all.map((c) => `${c.displayName} ${c.label.field.replaceAll('_', ' ')}${c.label.limit === null ? '' : ` (≤ ${c.label.limit})`}`).join(', ')}; "" clears it`,
  fallback: `set where calls go when the agent cannot answer: a number (${fallbackOwners('number')}), a URL (${fallbackOwners('url')}), or none`,
  fallbackTarget: `a phone number, a URL for ${fallbackOwners('url')} numbers, or none to clear`,
  provider: series(PROVIDERS, 'or'),
  loginStdin: `read the key (${accountProviders}: the token or API key secret) from standard input instead of asking`,
  loginAccountSid: `${accountProviders} account SID (with --stdin)`,
  loginApiKey: `${accountProviders} API key SID, when the secret is an API key secret (with --stdin)`,
  importCommand: `make a number of the configured ${carrierName} account a number of a voice-AI platform (a SIP trunk for ${importers('sip-trunk')}; ${carrierName} credentials for ${importers('credentials')})`,
  };
}

describe('the help text', () => {
  it("says what the providers' descriptors say (a new provider: paste the expected text into src/providers/help-text.ts)", () => {
    expect(HELP).toEqual(helpFromCapabilities());
  });
});
