import { describe, expect, it } from 'vitest';
import { ENTRY_SCHEMAS, entryKeys, passesEntrySchema } from '../../src/cli/fleet/schema.js';
import { PROVIDERS, SLOTS } from '../../src/domain/model.js';
import { capabilitiesOf, REGION_PROVIDER } from '../../src/providers/registry.js';

/**
 * `plan` checks a fleet file's entries by hand (passesEntrySchema) and only hands zod the entries
 * it does not vouch for. The hand check may turn down a valid entry (zod then passes it), but it
 * must never pass one zod refuses: over well-formed entries of every provider and thousands of
 * broken ones, a pass by hand is always a pass by zod.
 */

const AGENT_VALUES: unknown[] = [
  [],
  [{ agent: 'sales' }],
  [{ agent: 'retell:sales', id: 'agent_1' }],
  [{ agent: 'a', id: 'x', weight: 0.5 }, { agent: 'b', weight: 0.5, version: 3 }],
  [{ agent: 'a', version: 'latest' }],
  [{ agent: 'a', version: 0 }],
  [{ agent: '' }],
  [{ agent: 'a', id: '' }],
  [{ agent: 'a', weight: 0 }],
  [{ agent: 'a', weight: -0.5 }],
  [{ agent: 'a', weight: 1.0000001 }],
  [{ agent: 'a', weight: Number.NaN }],
  [{ agent: 'a', weight: Number.POSITIVE_INFINITY }],
  [{ agent: 'a', weight: '0.5' }],
  [{ agent: 'a', version: -1 }],
  [{ agent: 'a', version: -0 }],
  [{ agent: 'a', version: 1.5 }],
  [{ agent: 'a', version: '' }],
  [{ agent: 'a', version: 2 ** 53 }],
  [{ agent: 'a', version: null }],
  [{ agent: 'a', extra: 1 }],
  [{ agent: 'a', id: null }],
  [{ agent: 7 }],
  [{}],
  [null],
  [['a']],
  // A hole: JSON has none, but the check must not skip one.
  // eslint-disable-next-line no-sparse-arrays
  [, { agent: 'a' }],
  JSON.parse('[{"agent": "a", "__proto__": {"weight": 2}}]'),
];

const SCALARS: unknown[] = [undefined, null, '', 'x', '+14155550100', 0, 1, -0, Number.NaN, true, [], {}, ...(REGION_PROVIDER?.regions ?? []), 'US1'];

function entriesOf(provider: (typeof PROVIDERS)[number]): unknown[] {
  const keys = entryKeys(capabilitiesOf(provider));
  const base: Record<string, unknown> = { number: '+14155550100', provider };
  const entries: unknown[] = [base, { ...base, label: null }, { number: '+14155550100' }, { provider }];
  for (const key of [...keys, 'lable', 'inbound', 'outbound', 'sms', 'fallback', 'region', '__proto__']) {
    const values = (SLOTS as readonly string[]).includes(key) ? [...AGENT_VALUES, ...SCALARS] : [...SCALARS, ...AGENT_VALUES.slice(0, 3)];
    for (const value of values) {
      entries.push(key === '__proto__' ? JSON.parse(`{"number": "+14155550100", "provider": "${provider}", "__proto__": ${JSON.stringify(value ?? null)}}`) : { ...base, [key]: value });
      // Beside a well-formed slot, so a later key is checked after an earlier one passed.
      entries.push({ ...base, [keys[keys.length - 1]!]: [{ agent: 'a' }], [key]: value });
    }
  }
  return entries;
}

describe('the hand check of a fleet entry', () => {
  it('passes only entries the zod schema passes, and passes the well-formed ones export writes', () => {
    let passed = 0;
    let refused = 0;
    for (const provider of PROVIDERS) {
      for (const entry of entriesOf(provider)) {
        const record = entry as Record<string, unknown>;
        const byHand = passesEntrySchema(record, provider);
        const byZod = ENTRY_SCHEMAS[provider].safeParse(entry).success;
        if (byHand) expect(byZod, `${provider}: ${JSON.stringify(entry)}`).toBe(true);
        if (byHand) passed++;
        if (!byZod) refused++;
      }
      // What export writes: every key an entry of the provider may have, slots with agents.
      const full: Record<string, unknown> = { number: '+14155550100', provider, label: 'front desk' };
      for (const key of entryKeys(capabilitiesOf(provider))) if (!(key in full)) full[key] = key === 'fallback' ? null : key === 'region' ? REGION_PROVIDER!.regions![0] : [{ agent: `${provider}:sales`, id: 'agent_1', weight: 0.4, version: '2' }, { agent: `${provider}:support`, id: 'agent_2', weight: 0.6 }];
      expect(passesEntrySchema(full, provider), provider).toBe(true);
      expect(ENTRY_SCHEMAS[provider].safeParse(full).success).toBe(true);
    }
    // Both ways are exercised: many pass, many are refused.
    expect(passed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });

  it('turns down an entry of another provider and an entry without a number', () => {
    expect(passesEntrySchema({ number: '+14155550100', provider: 'vapi' }, 'retell')).toBe(false);
    expect(passesEntrySchema({ provider: 'retell' }, 'retell')).toBe(false);
    expect(passesEntrySchema({ number: '', provider: 'retell' }, 'retell')).toBe(false);
  });
});
