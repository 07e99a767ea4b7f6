import type { ProviderCapabilities } from '../../domain/capabilities.js';

/** Retell: all three slots as weighted agent lists with version pins; the fallback is a number. */
export const retellCapabilities: ProviderCapabilities = {
  name: 'retell',
  displayName: 'Retell',
  slots: {
    inbound: { offered: true, kinds: ['voice'] },
    outbound: { offered: true, kinds: ['voice'] },
    sms: { offered: true, kinds: ['chat'] },
  },
  sms: { model: 'own-slot' },
  weightedSplits: true,
  versionPins: true,
  label: { field: 'nickname', limit: null },
  fallback: { kind: 'number', noChaining: 'Retell does not chain fallbacks' },
  regions: null,
  carrier: null,
  // Retell's SIP server over TCP (Retell recommends TCP; UDP and TLS are accepted too).
  // POST /create-phone-number, POST /import-phone-number, DELETE /delete-phone-number/{number}.
  lifecycle: { buy: true, import: true, release: true, importVia: 'sip-trunk', originationSipUrl: 'sip:sip.retellai.com;transport=tcp' },
  credentials: 'api-key',
  colour: 'magenta',
  dashboard: { name: 'Retell dashboard', url: 'https://dashboard.retellai.com' },
  // An import over a SIP trunk: the carrier's record must point at the trunk.
  carrierRouting: { via: 'sip-trunk' },
};
