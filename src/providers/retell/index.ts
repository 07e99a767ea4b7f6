import type { AdapterSettings, ProviderAdapter } from '../types.js';

export interface RetellAdapterSettings extends AdapterSettings {
  apiKey: string;
}

// Placeholder until the Retell adapter lands.
export function createRetellAdapter(_settings: RetellAdapterSettings): ProviderAdapter {
  throw new Error('retell adapter not implemented yet');
}
