import type { ProviderCapabilities } from '../../domain/capabilities.js';
import { REGIONS } from '../../domain/model.js';

/**
 * Twilio: the carrier. Its own numbers answer with a TwiML app or a SIP trunk (the trunk is how a
 * voice-AI platform gets the calls of an imported number), text through a TwiML app, fall back to a
 * URL, and carry the inbound processing region (Routes v2).
 */
export const twilioCapabilities: ProviderCapabilities = {
  name: 'twilio',
  displayName: 'Twilio',
  slots: {
    inbound: { offered: true, kinds: ['twiml-app', 'sip-trunk'] },
    outbound: { offered: false, reason: 'Twilio numbers have no outbound assignment: the caller ID is chosen per call' },
    sms: { offered: true, kinds: ['twiml-app'] },
  },
  sms: { model: 'own-slot' },
  weightedSplits: false,
  versionPins: false,
  label: { field: 'friendly_name', limit: 64 },
  fallback: { kind: 'url', describe: 'a Twilio fallback is a URL (voice_fallback_url) that Twilio fetches TwiML from' },
  regions: REGIONS,
  carrier: { trunkKind: 'sip-trunk', trunkDomain: 'pstn.twilio.com' },
  // POST and DELETE …/IncomingPhoneNumbers; numbers are bought at the carrier, never imported into it.
  lifecycle: { buy: true, import: false, release: true, importVia: null },
  credentials: 'account',
  colour: 'red',
  dashboard: { name: 'Twilio Console', url: 'https://console.twilio.com' },
  carrierRouting: null,
};
