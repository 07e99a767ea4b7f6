import type { ProviderName } from '../domain/model.js';
import type { HttpSettings } from './http.js';
import type { ResolvedCredentials } from './credentials.js';
import type { ProviderAdapter } from './types.js';

/** The real hosts, replaced by the VOICENUM_*_BASE_URL variables for proxies, test rigs and the sandbox. */
export const DEFAULT_BASE_URLS = {
  retell: 'https://api.retellai.com',
  vapi: 'https://api.vapi.ai',
  bland: 'https://api.bland.ai',
  twilioApi: 'https://api.twilio.com',
  twilioRoutes: 'https://routes.twilio.com',
} as const;

export function baseUrls(env: NodeJS.ProcessEnv) {
  return {
    retell: env.VOICENUM_RETELL_BASE_URL || DEFAULT_BASE_URLS.retell,
    vapi: env.VOICENUM_VAPI_BASE_URL || DEFAULT_BASE_URLS.vapi,
    bland: env.VOICENUM_BLAND_BASE_URL || DEFAULT_BASE_URLS.bland,
    twilioApi: env.VOICENUM_TWILIO_API_BASE_URL || DEFAULT_BASE_URLS.twilioApi,
    twilioRoutes: env.VOICENUM_TWILIO_ROUTES_BASE_URL || DEFAULT_BASE_URLS.twilioRoutes,
  };
}

/**
 * Build the adapter of one configured provider. Each adapter module is imported only here, when
 * a command needs it, so the SDKs and the HTTP client stay out of start-up.
 */
export async function createAdapter(provider: ProviderName, credentials: ResolvedCredentials, env: NodeJS.ProcessEnv, http: HttpSettings): Promise<ProviderAdapter | undefined> {
  const urls = baseUrls(env);
  switch (provider) {
    case 'retell': {
      if (!credentials.retell) return undefined;
      const { createRetellAdapter } = await import('./retell/index.js');
      return createRetellAdapter({ apiKey: credentials.retell.apiKey, baseUrl: urls.retell, http });
    }
    case 'vapi': {
      if (!credentials.vapi) return undefined;
      const { createVapiAdapter } = await import('./vapi/index.js');
      return createVapiAdapter({ apiKey: credentials.vapi.apiKey, baseUrl: urls.vapi, http });
    }
    case 'bland': {
      if (!credentials.bland) return undefined;
      const { createBlandAdapter } = await import('./bland/index.js');
      return createBlandAdapter({ apiKey: credentials.bland.apiKey, baseUrl: urls.bland, http });
    }
    case 'twilio': {
      if (!credentials.twilio) return undefined;
      const { createTwilioAdapter } = await import('./twilio/index.js');
      const { accountSid, username, password } = credentials.twilio;
      const regionConcurrency = Number(env.VOICENUM_TWILIO_REGION_CONCURRENCY) || undefined;
      return createTwilioAdapter({ accountSid, username, password, apiBaseUrl: urls.twilioApi, routesBaseUrl: urls.twilioRoutes, http, regionConcurrency });
    }
  }
}
