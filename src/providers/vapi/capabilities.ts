import type { ProviderCapabilities } from '../../domain/capabilities.js';

/**
 * Vapi: one assistant (or squad) answers; there is no outbound binding, and texts reach the inbound
 * assistant only on numbers imported from Twilio (`provider: "twilio"`, `smsEnabled`).
 */
export const vapiCapabilities: ProviderCapabilities = {
  name: 'vapi',
  displayName: 'Vapi',
  slots: {
    inbound: { offered: true, kinds: ['assistant', 'squad'] },
    outbound: { offered: false, reason: 'Vapi numbers have no outbound assignment: Vapi picks the assistant per call' },
    sms: { offered: true, kinds: ['assistant', 'squad'] },
  },
  sms: {
    model: 'inbound-on-imported',
    // The number's `provider` field as the Vapi adapter maps it into `origin`.
    origin: 'twilio',
    notImported: 'Vapi routes texts only on numbers imported from Twilio (smsEnabled); this one is not',
    mismatch: 'Vapi answers texts with the inbound assistant; assign the same agent to inbound and sms',
  },
  weightedSplits: false,
  versionPins: false,
  label: { field: 'name', limit: 40 },
  fallback: { kind: 'number' },
  regions: null,
  carrier: null,
  // POST /phone-number creates a free Vapi number or imports one (provider decides); DELETE /phone-number/{id}.
  lifecycle: { buy: true, import: true, release: true, importVia: 'credentials' },
  credentials: 'api-key',
  colour: 'cyan',
  dashboard: { name: 'Vapi dashboard', url: 'https://dashboard.vapi.ai' },
  // Vapi imports with the Twilio credentials and points the number's voice webhook at itself.
  carrierRouting: { via: 'voice-url', hosts: ['api.vapi.ai'] },
};
