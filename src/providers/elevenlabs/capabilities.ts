import type { ProviderCapabilities } from '../../domain/capabilities.js';

/**
 * ElevenLabs Agents: one agent answers a number (`assigned_agent`); outbound calls name their
 * agent per call; there is no SMS agent on a number, no fallback, no status and no region of its
 * own (an imported Twilio number's region is the carrier's, joined from the Twilio record).
 */
export const elevenlabsCapabilities: ProviderCapabilities = {
  name: 'elevenlabs',
  displayName: 'ElevenLabs',
  slots: {
    inbound: { offered: true, kinds: ['agent'] },
    outbound: { offered: false, reason: 'ElevenLabs numbers have no outbound assignment: each outbound call names its agent' },
    // A Twilio number imported with `enable_sms` (the default) sends its texts to ElevenLabs, but
    // the API has no SMS agent on the number and does not say which agent answers them
    // (UNCONFIRMED: presumably the assigned one), nor whether texting is on: nothing to assign.
    sms: { offered: false, reason: 'ElevenLabs numbers have no SMS assignment: texting is switched on at import (enable_sms), and the API does not say which agent answers texts' },
  },
  sms: { model: 'none' },
  weightedSplits: false,
  // A number may name a branch of its agent (`branch_id`, `environment`); voicenum leaves them as they are.
  versionPins: false,
  // Required at import; the spec gives no length limit.
  label: { field: 'label', limit: null },
  fallback: { kind: 'none', reason: 'ElevenLabs numbers have no fallback destination' },
  regions: null,
  carrier: null,
  // POST /v1/convai/phone-numbers imports (Twilio: account SID and auth token), DELETE
  // /v1/convai/phone-numbers/{id} removes; the API sells no numbers.
  lifecycle: { buy: false, import: true, release: true, importVia: 'credentials' },
  credentials: 'api-key',
  colour: 'green',
  dashboard: { name: 'ElevenLabs dashboard', url: 'https://elevenlabs.io/app/agents/phone-numbers' },
  // An import with the Twilio credentials points the number's voice webhook at ElevenLabs. The host
  // is the API's (a data-residency account answers on its own host: UNCONFIRMED which the webhook uses).
  carrierRouting: { via: 'voice-url', hosts: ['api.elevenlabs.io'] },
};
