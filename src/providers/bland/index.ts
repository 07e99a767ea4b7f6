import type { AdapterSettings, ProviderAdapter } from '../types.js';

export interface BlandAdapterSettings extends AdapterSettings {
  apiKey: string;
}

// Placeholder until the Bland adapter lands.
export function createBlandAdapter(_settings: BlandAdapterSettings): ProviderAdapter {
  throw new Error('bland adapter not implemented yet');
}
