import type { ProviderCapabilities } from '../../domain/capabilities.js';

/** Bland: an agent, pathway or persona answers; texts go to a pathway; no fallback destination. */
export const blandCapabilities: ProviderCapabilities = {
  name: 'bland',
  displayName: 'Bland',
  slots: {
    inbound: { offered: true, kinds: ['agent', 'pathway', 'persona'] },
    outbound: { offered: false, reason: 'Bland numbers have no outbound assignment: Bland picks the agent per call' },
    sms: { offered: true, kinds: ['pathway'] },
  },
  sms: { model: 'own-slot' },
  weightedSplits: false,
  versionPins: false,
  label: { field: 'label', limit: null },
  fallback: { kind: 'none', reason: 'Bland numbers have no fallback destination (transfer_phone_number transfers a live call; it is not a fallback)' },
  regions: null,
  carrier: null,
  // POST /v1/inbound/purchase, POST /v1/inbound/insert (BYO Twilio), POST /v1/inbound/{number}/delete.
  lifecycle: { buy: true, import: true, release: true, importVia: 'credentials' },
  credentials: 'api-key',
  colour: 'yellow',
  dashboard: { name: 'Bland dashboard', url: 'https://app.bland.ai' },
  // Bland imports with the Twilio credentials and points the number's voice webhook at itself.
  carrierRouting: { via: 'voice-url', hosts: ['api.bland.ai'] },
};
