import type { FakeProvider } from '../fake-server.js';
import type { SeedPlan } from '../seed.js';

// Placeholder until the Bland fake lands.
export type BlandState = { numbers: unknown[] };

export function blandStateFromSeed(_plan: SeedPlan): BlandState {
  return { numbers: [] };
}

export function createBlandFake(): FakeProvider<BlandState> {
  throw new Error('bland fake not implemented yet');
}
