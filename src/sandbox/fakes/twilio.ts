import type { FakeProvider } from '../fake-server.js';
import type { SeedPlan } from '../seed.js';

// Placeholder until the Twilio fake lands.
export type TwilioState = { numbers: unknown[] };

export function twilioStateFromSeed(_plan: SeedPlan): TwilioState {
  return { numbers: [] };
}

export function createTwilioFake(): FakeProvider<TwilioState> {
  throw new Error('twilio fake not implemented yet');
}
