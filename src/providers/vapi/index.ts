import type { AdapterSettings, ProviderAdapter } from '../types.js';

export interface VapiAdapterSettings extends AdapterSettings {
  apiKey: string;
}

// Placeholder until the Vapi adapter lands.
export function createVapiAdapter(_settings: VapiAdapterSettings): ProviderAdapter {
  throw new Error('vapi adapter not implemented yet');
}
