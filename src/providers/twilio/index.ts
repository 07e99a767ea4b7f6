import type { HttpSettings } from '../http.js';
import type { ProviderAdapter } from '../types.js';

export interface TwilioAdapterSettings {
  accountSid: string;
  /** The account SID with an auth token, or an API key SID with its secret. */
  username: string;
  password: string;
  /** Replaces https://api.twilio.com */
  apiBaseUrl: string;
  /** Replaces https://routes.twilio.com */
  routesBaseUrl: string;
  http?: HttpSettings;
}

// Placeholder until the Twilio adapter lands.
export function createTwilioAdapter(_settings: TwilioAdapterSettings): ProviderAdapter {
  throw new Error('twilio adapter not implemented yet');
}
