import type { ProviderName } from '../../domain/model.js';
import { CARRIER, capabilitiesOf } from '../../providers/registry.js';
import type { Store } from '../../store/index.js';
import { SCHEMA_VERSION } from '../../store/migrations/index.js';
import type { AccountProbe, DoctorSettings, DoctorSnapshot } from './types.js';

export interface SnapshotInputs {
  now: Date;
  configured: ProviderName[];
  settings: DoctorSettings;
  probes: AccountProbe[] | null;
  command(text: string): string;
}

/** Read what every check needs from the cache, once; the number records each check reads for itself (`fleet`). */
export function readSnapshot(store: Store, inputs: SnapshotInputs): DoctorSnapshot {
  const health = store.health();
  const fleet = store.fleetReads(CARRIER?.name ?? null);
  return {
    ...inputs,
    fleet,
    agents: fleet.agents(),
    syncStates: store.syncStates(),
    openIntents: store.openIntents().map((entry) => ({ e164: entry.e164, provider: entry.provider, field: entry.field, outcome: entry.outcome })),
    lifecycle: store.lifecycleStates(),
    openOperations: store.openLifecycleOps(),
    cache: { schemaVersion: health.schemaVersion, expectedVersion: SCHEMA_VERSION, integrityProblems: health.problems },
    capabilities: capabilitiesOf,
    carrier: CARRIER,
  };
}
