import { describe, expect, it } from 'vitest';
import type { CapabilityCatalog, ProviderCapabilities } from '../../src/domain/capabilities.js';
import type { ProviderName, Slot } from '../../src/domain/model.js';
import { planNumber, slotUnavailable, type KnownAgent, type NumberFacts, type PlanContext, type SlotRequest } from '../../src/domain/rules.js';
import { fallbackRefusals, labelRefusals, regionRefusals } from '../../src/domain/settings-rules.js';
import { CAPABILITIES, capabilitiesOf } from '../../src/providers/registry.js';
import { createTwilioAdapter } from '../../src/providers/twilio/index.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { regionsOf } from '../../src/providers/types.js';
import { PROVIDER_SLOTS } from '../../src/store/index.js';

/**
 * The rules read what a provider can do from its descriptor. The messages below are the ones the
 * provider-name checks produced before the descriptors existed, byte for byte; and a descriptor
 * changed in a test changes what the rules allow, which proves they ask it rather than the name.
 */

const agents: KnownAgent[] = [
  { provider: 'vapi', id: 'asst-1', name: 'booking', kind: 'assistant', live: true, removed: false },
  { provider: 'vapi', id: 'asst-2', name: 'survey', kind: 'assistant', live: true, removed: false },
  { provider: 'retell', id: 'agent-1', name: 'sales', kind: 'voice', live: true, removed: false },
  { provider: 'retell', id: 'agent-2', name: 'support', kind: 'voice', live: true, removed: false },
];

function facts(provider: ProviderName, overrides: Partial<NumberFacts> = {}): NumberFacts {
  return {
    e164: '+14155550100',
    provider,
    providerId: `${provider}-1`,
    status: null,
    removed: false,
    needsAttention: null,
    origin: null,
    capabilities: { voice: true, sms: true },
    slots: { inbound: [], outbound: [], sms: [] },
    ...overrides,
  };
}

function context(catalog: CapabilityCatalog = CAPABILITIES): PlanContext {
  return { capabilities: catalog, agents, policies: { oneAgentPerNumber: false, oneNumberPerAgent: false }, allowDraft: false, force: false, holders: () => [] };
}

const assign = (...keys: string[]): SlotRequest => ({
  action: 'assign',
  agents: keys.map((key) => {
    const [name, version] = key.split('@') as [string, string | undefined];
    return { ref: { provider: null, key: name }, weight: 1 / keys.length, version: version ?? null, text: key };
  }),
});

const refusals = (number: NumberFacts, requests: Partial<Record<Slot, SlotRequest>>, catalog?: CapabilityCatalog) => planNumber(number, requests, context(catalog)).refusals;

/** The real catalog with one provider's descriptor changed. */
function catalogWith(provider: ProviderName, change: Partial<ProviderCapabilities>): CapabilityCatalog {
  const changed = { ...capabilitiesOf(provider), ...change };
  const all = CAPABILITIES.all.map((c) => (c.name === provider ? changed : c));
  return { all, of: (name) => all.find((c) => c.name === name)! };
}

describe('the rules read the descriptors', () => {
  it('keeps the refusal messages of the provider-name checks, byte for byte', () => {
    expect(refusals(facts('vapi'), { inbound: assign('booking', 'survey') })).toEqual(['inbound: vapi takes one agent per slot; weighted splits are a Retell feature']);
    expect(refusals(facts('vapi'), { inbound: assign('booking@3') })).toEqual(['inbound: version pins (booking@3) are a Retell feature']);
    expect(refusals(facts('vapi'), { outbound: assign('booking') })).toEqual(['outbound: Vapi numbers have no outbound assignment: Vapi picks the assistant per call']);
    expect(refusals(facts('vapi'), { sms: assign('booking') })).toEqual(['sms: Vapi routes texts only on numbers imported from Twilio (smsEnabled); this one is not']);
    expect(refusals(facts('vapi', { origin: 'twilio' }), { inbound: assign('booking'), sms: assign('survey') })).toEqual(['sms: Vapi answers texts with the inbound assistant; assign the same agent to inbound and sms']);
    expect(refusals(facts('bland'), { outbound: { action: 'clear' } })).toEqual(['outbound: Bland numbers have no outbound assignment: Bland picks the agent per call']);
    expect(refusals(facts('twilio'), { outbound: { action: 'clear' } })).toEqual(['outbound: Twilio numbers have no outbound assignment: the caller ID is chosen per call']);
    expect(refusals(facts('retell', { capabilities: { voice: true, sms: false } }), { sms: assign('sales') })).toEqual([
      'sms: +14155550100 cannot send or receive texts (its Twilio carrier record says so)',
      'sms: sales is a voice agent; a retell sms slot takes a chat agent',
    ]);
    expect(refusals(facts('twilio', { capabilities: { voice: true, sms: false } }), { sms: { action: 'assign', agents: [] } })).toEqual(['sms: +14155550100 cannot send or receive texts (its record says so)']);
    expect(refusals(facts('retell'), { inbound: assign('sales', 'support') })).toEqual([]);
  });

  it('lets through what a descriptor allows, whatever the provider is called', () => {
    const splitting = catalogWith('vapi', { weightedSplits: true, versionPins: true });
    expect(refusals(facts('vapi'), { inbound: assign('booking', 'survey@2') }, splitting)).toEqual([]);
    const noOutbound = catalogWith('retell', { slots: { ...capabilitiesOf('retell').slots, outbound: { offered: false, reason: 'no outbound here' } } });
    expect(refusals(facts('retell'), { outbound: assign('sales') }, noOutbound)).toEqual(['outbound: no outbound here']);
    expect(slotUnavailable(noOutbound.of('retell'), facts('retell'), 'outbound')).toBe('no outbound here');
    // The owners named in "a … feature" come from the descriptors too.
    const bothSplit = catalogWith('bland', { weightedSplits: true });
    expect(refusals(facts('vapi'), { inbound: assign('booking', 'survey') }, bothSplit)).toEqual(['inbound: vapi takes one agent per slot; weighted splits are a Retell and Bland feature']);
  });

  it('keeps the label, fallback and region messages, byte for byte', () => {
    expect(labelRefusals(capabilitiesOf('vapi'), 'x'.repeat(41))).toEqual(['a vapi label (name) holds at most 40 characters; this one has 41']);
    expect(labelRefusals(capabilitiesOf('twilio'), 'x'.repeat(65))).toEqual(['a twilio label (friendly_name) holds at most 64 characters; this one has 65']);
    expect(labelRefusals(capabilitiesOf('retell'), 'x'.repeat(500))).toEqual([]);
    expect(fallbackRefusals(capabilitiesOf('bland'), '+14155550100', '+14155550101')).toEqual(['Bland numbers have no fallback destination (transfer_phone_number transfers a live call; it is not a fallback)']);
    expect(fallbackRefusals(capabilitiesOf('twilio'), '+14155550100', 'ftp://x')).toEqual(['a Twilio fallback is a URL (voice_fallback_url) that Twilio fetches TwiML from, not "ftp://x"']);
    expect(fallbackRefusals(capabilitiesOf('twilio'), '+14155550100', 'https://example.com/twiml')).toEqual([]);
    expect(fallbackRefusals(capabilitiesOf('vapi'), '+14155550100', 'nope')).toEqual(['a vapi fallback is a phone number in E.164, not "nope"']);
    expect(fallbackRefusals(capabilitiesOf('retell'), '+14155550100', '+14155550101', { provider: 'retell', fallback: '+14155550102' })).toEqual(['+14155550101 has a fallback of its own (+14155550102); Retell does not chain fallbacks']);
    expect(fallbackRefusals(capabilitiesOf('vapi'), '+14155550100', '+14155550101', { provider: 'vapi', fallback: '+14155550102' })).toEqual([]);
    expect(regionRefusals(capabilitiesOf('twilio'), 'de1')).toEqual(['"de1" is not a Twilio inbound processing region; valid: us1, ie1, au1']);
    expect(regionRefusals(capabilitiesOf('twilio'), 'ie1')).toEqual([]);
  });

  it('gives the cache the same slots per provider as before', () => {
    expect(PROVIDER_SLOTS).toEqual({ retell: ['inbound', 'outbound', 'sms'], vapi: ['inbound', 'sms'], bland: ['inbound', 'sms'], twilio: ['inbound', 'sms'], elevenlabs: ['inbound'] });
  });
});

describe('optional adapter capabilities', () => {
  it('finds the region capability on the adapter that has one, without a downcast', () => {
    const twilio = createTwilioAdapter({ accountSid: 'AC00000000000000000000000000000000', username: 'u', password: 'p', apiBaseUrl: 'http://127.0.0.1:9', routesBaseUrl: 'http://127.0.0.1:9' });
    expect(regionsOf(twilio)).toBe(twilio.regions);
    const vapi = createVapiAdapter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    expect(() => regionsOf(vapi)).toThrow('vapi: has no region to read');
  });
});
