import type { FakeProvider } from '../fake-server.js';
import type { SeedPlan } from '../seed.js';

// Placeholder until the Retell fake lands.
export type RetellState = { numbers: unknown[] };

export function retellStateFromSeed(_plan: SeedPlan): RetellState {
  return { numbers: [] };
}

export function createRetellFake(): FakeProvider<RetellState> {
  throw new Error('retell fake not implemented yet');
}
