import type { ProviderName } from '../domain/model.js';
import { PROVIDERS } from '../domain/model.js';
import type { Secret } from './redact.js';
import type { CarrierSource } from './types.js';

export type CredentialSource = 'environment' | 'config';

export interface ApiKeyCredential {
  apiKey: string;
  source: CredentialSource;
}

export interface TwilioCredential {
  accountSid: string;
  /** The account SID (auth token) or an API key SID. */
  username: string;
  password: string;
  source: CredentialSource;
}

export interface ResolvedCredentials {
  retell?: ApiKeyCredential;
  vapi?: ApiKeyCredential;
  bland?: ApiKeyCredential;
  twilio?: TwilioCredential;
  elevenlabs?: ApiKeyCredential;
  /** Providers without credentials, with what is missing. */
  missing: { provider: ProviderName; reason: string }[];
}

/** The environment variable(s) each provider reads. */
export const CREDENTIAL_VARIABLES: Record<ProviderName, string> = {
  retell: 'RETELL_API_KEY',
  vapi: 'VAPI_API_KEY',
  bland: 'BLAND_API_KEY',
  twilio: 'TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)',
  elevenlabs: 'ELEVENLABS_API_KEY',
};

/** The providers whose credential is one API key. */
const API_KEY_PROVIDERS = ['retell', 'vapi', 'bland', 'elevenlabs'] as const;

/** Environment variables win over what `auth login` stored for the profile. */
export function resolveCredentials(env: NodeJS.ProcessEnv, stored: Record<string, Record<string, string>> = {}): ResolvedCredentials {
  const result: ResolvedCredentials = { missing: [] };
  for (const provider of API_KEY_PROVIDERS) {
    const variable = CREDENTIAL_VARIABLES[provider];
    const fromEnv = env[variable];
    if (fromEnv) result[provider] = { apiKey: fromEnv, source: 'environment' };
    else if (stored[provider]?.apiKey) result[provider] = { apiKey: stored[provider].apiKey, source: 'config' };
    else result.missing.push({ provider, reason: `no ${variable}` });
  }
  const twilio = twilioFrom(env, 'environment') ?? twilioFrom(storedTwilioEnv(stored.twilio), 'config');
  if (twilio && 'accountSid' in twilio) result.twilio = twilio;
  else result.missing.push({ provider: 'twilio', reason: twilio?.reason ?? `no ${CREDENTIAL_VARIABLES.twilio}` });
  result.missing.sort((a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider));
  return result;
}

function storedTwilioEnv(stored: Record<string, string> | undefined): NodeJS.ProcessEnv {
  if (!stored) return {};
  return { TWILIO_ACCOUNT_SID: stored.accountSid, TWILIO_AUTH_TOKEN: stored.authToken, TWILIO_API_KEY: stored.apiKey, TWILIO_API_SECRET: stored.apiSecret };
}

function twilioFrom(env: NodeJS.ProcessEnv, source: CredentialSource): TwilioCredential | { reason: string } | undefined {
  const accountSid = env.TWILIO_ACCOUNT_SID;
  if (!accountSid) return undefined;
  if (env.TWILIO_API_KEY && env.TWILIO_API_SECRET) return { accountSid, username: env.TWILIO_API_KEY, password: env.TWILIO_API_SECRET, source };
  if (env.TWILIO_AUTH_TOKEN) return { accountSid, username: accountSid, password: env.TWILIO_AUTH_TOKEN, source };
  return { reason: 'TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor TWILIO_API_KEY with TWILIO_API_SECRET is' };
}

/** Every secret, with the user name HTTP Basic sends it with, so traces and errors can remove them. */
export function secretValues(credentials: ResolvedCredentials): Secret[] {
  const out: Secret[] = [];
  for (const provider of API_KEY_PROVIDERS) {
    const key = credentials[provider]?.apiKey;
    if (key) out.push({ value: key });
  }
  if (credentials.twilio) out.push({ value: credentials.twilio.password, user: credentials.twilio.username });
  return out;
}

/**
 * The carrier account a platform imports a number from (the `CarrierSource` of the lifecycle port):
 * from the resolved carrier credentials, or null when none are configured.
 */
export function carrierSource(credentials: ResolvedCredentials, phoneNumberSid: string): CarrierSource | null {
  const twilio = credentials.twilio;
  if (!twilio) return null;
  return twilio.username === twilio.accountSid
    ? { accountSid: twilio.accountSid, authToken: twilio.password, phoneNumberSid }
    : { accountSid: twilio.accountSid, apiKey: twilio.username, apiSecret: twilio.password, phoneNumberSid };
}
