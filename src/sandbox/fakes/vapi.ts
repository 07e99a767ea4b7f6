import type { FakeProvider } from '../fake-server.js';
import type { SeedPlan } from '../seed.js';

// Placeholder until the Vapi fake lands.
export type VapiState = { numbers: unknown[] };

export function vapiStateFromSeed(_plan: SeedPlan): VapiState {
  return { numbers: [] };
}

export function createVapiFake(): FakeProvider<VapiState> {
  throw new Error('vapi fake not implemented yet');
}
