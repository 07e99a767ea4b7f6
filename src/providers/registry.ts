import type { CapabilityCatalog, ProviderCapabilities } from '../domain/capabilities.js';
import type { ProviderName } from '../domain/model.js';
import { PROVIDERS } from '../domain/model.js';
import { blandCapabilities } from './bland/capabilities.js';
import { elevenlabsCapabilities } from './elevenlabs/capabilities.js';
import type { HttpSettings } from './http.js';
import type { ResolvedCredentials } from './credentials.js';
import { retellCapabilities } from './retell/capabilities.js';
import { twilioCapabilities } from './twilio/capabilities.js';
import type { ProviderAdapter } from './types.js';
import { vapiCapabilities } from './vapi/capabilities.js';

/** The real hosts, replaced by the VOICENUM_*_BASE_URL variables for proxies, test rigs and the sandbox. */
export const DEFAULT_BASE_URLS = {
  retell: 'https://api.retellai.com',
  vapi: 'https://api.vapi.ai',
  bland: 'https://api.bland.ai',
  twilioApi: 'https://api.twilio.com',
  twilioRoutes: 'https://routes.twilio.com',
  twilioTrunking: 'https://trunking.twilio.com',
  elevenlabs: 'https://api.elevenlabs.io',
} as const;

export function baseUrls(env: NodeJS.ProcessEnv) {
  return {
    retell: env.VOICENUM_RETELL_BASE_URL || DEFAULT_BASE_URLS.retell,
    vapi: env.VOICENUM_VAPI_BASE_URL || DEFAULT_BASE_URLS.vapi,
    bland: env.VOICENUM_BLAND_BASE_URL || DEFAULT_BASE_URLS.bland,
    twilioApi: env.VOICENUM_TWILIO_API_BASE_URL || DEFAULT_BASE_URLS.twilioApi,
    twilioRoutes: env.VOICENUM_TWILIO_ROUTES_BASE_URL || DEFAULT_BASE_URLS.twilioRoutes,
    twilioTrunking: env.VOICENUM_TWILIO_TRUNKING_BASE_URL || DEFAULT_BASE_URLS.twilioTrunking,
    elevenlabs: env.VOICENUM_ELEVENLABS_BASE_URL || DEFAULT_BASE_URLS.elevenlabs,
  };
}

type BaseUrls = ReturnType<typeof baseUrls>;

/** What voicenum knows of one provider: what it can do, and how to reach it. */
interface ProviderEntry {
  capabilities: ProviderCapabilities;
  /**
   * Build the adapter from the profile's credentials, or undefined when it has none. The adapter
   * module is imported only here, when a command needs it, so the SDKs and the HTTP client stay out
   * of start-up.
   */
  connect(credentials: ResolvedCredentials, urls: BaseUrls, env: NodeJS.ProcessEnv, http: HttpSettings): Promise<ProviderAdapter | undefined>;
}

/**
 * The one list of providers, one entry each. The names themselves are the domain's vocabulary
 * (PROVIDERS in src/domain/model.ts); typing this table by them makes a name without an entry, or an
 * entry without a name, a compile error.
 */
const REGISTRY: Record<ProviderName, ProviderEntry> = {
  retell: {
    capabilities: retellCapabilities,
    connect: async (credentials, urls, _env, http) => credentials.retell && (await import('./retell/index.js')).createRetellAdapter({ apiKey: credentials.retell.apiKey, baseUrl: urls.retell, http }),
  },
  vapi: {
    capabilities: vapiCapabilities,
    connect: async (credentials, urls, _env, http) => credentials.vapi && (await import('./vapi/index.js')).createVapiAdapter({ apiKey: credentials.vapi.apiKey, baseUrl: urls.vapi, http }),
  },
  bland: {
    capabilities: blandCapabilities,
    connect: async (credentials, urls, _env, http) => credentials.bland && (await import('./bland/index.js')).createBlandAdapter({ apiKey: credentials.bland.apiKey, baseUrl: urls.bland, http }),
  },
  twilio: {
    capabilities: twilioCapabilities,
    connect: async (credentials, urls, env, http) => {
      if (!credentials.twilio) return undefined;
      const { createTwilioAdapter } = await import('./twilio/index.js');
      const { accountSid, username, password } = credentials.twilio;
      const regionConcurrency = Number(env.VOICENUM_TWILIO_REGION_CONCURRENCY) || undefined;
      return createTwilioAdapter({ accountSid, username, password, apiBaseUrl: urls.twilioApi, routesBaseUrl: urls.twilioRoutes, trunkingBaseUrl: urls.twilioTrunking, http, regionConcurrency });
    },
  },
  elevenlabs: {
    capabilities: elevenlabsCapabilities,
    connect: async (credentials, urls, _env, http) => credentials.elevenlabs && (await import('./elevenlabs/index.js')).createElevenLabsAdapter({ apiKey: credentials.elevenlabs.apiKey, baseUrl: urls.elevenlabs, http }),
  },
};

/** Build the adapter of one configured provider, or undefined when the profile has no credentials for it. */
export async function createAdapter(provider: ProviderName, credentials: ResolvedCredentials, env: NodeJS.ProcessEnv, http: HttpSettings): Promise<ProviderAdapter | undefined> {
  return (await REGISTRY[provider].connect(credentials, baseUrls(env), env, http)) || undefined;
}

/** What one provider can do. */
export function capabilitiesOf(provider: ProviderName): ProviderCapabilities {
  return REGISTRY[provider].capabilities;
}

/** Every provider's descriptor, in the order of PROVIDERS (the order lists and help use). */
export const CAPABILITIES: CapabilityCatalog = {
  of: capabilitiesOf,
  all: PROVIDERS.map(capabilitiesOf),
};

/** One value per provider, read from its descriptor. */
export function perProvider<T>(value: (capabilities: ProviderCapabilities) => T): Record<ProviderName, T> {
  const out = {} as Record<ProviderName, T>;
  for (const provider of PROVIDERS) out[provider] = value(capabilitiesOf(provider));
  return out;
}

/** The carrier (the provider agent platforms import numbers from), if one is registered. */
export const CARRIER: ProviderCapabilities | null = CAPABILITIES.all.find((c) => c.carrier !== null) ?? null;

/** The provider that carries inbound processing regions (Twilio), if one is registered. */
export const REGION_PROVIDER: ProviderCapabilities | null = CAPABILITIES.all.find((c) => c.regions !== null) ?? null;

/** The providers that store this slot. */
export function providersWithSlot(slot: keyof ProviderCapabilities['slots']): ProviderName[] {
  return CAPABILITIES.all.filter((c) => c.slots[slot].offered).map((c) => c.name);
}
