import type { ProviderName } from '../../domain/model.js';
import type { NumberRecord, NumberRow, RecordAgent, Store } from '../../store/index.js';

/**
 * Every number of the cache as the fleet commands need it, read from the stored list records (the
 * JSON `numbers list --json` prints, rewritten in the same transaction as every change, so never
 * stale) rather than rebuilt from the numbers and assignments tables: for 10,000 numbers that is
 * one string a row to parse instead of a join and an object per assignment. Removed numbers are
 * left out, as lists leave them out; what a plan needs of a row is all in the record.
 */
export function cachedRows(store: Store, providers?: readonly ProviderName[]): NumberRow[] {
  return store.listViews({ ...(providers ? { providers: [...providers] } : {}), sort: 'provider' }).map((text) => fromRecord(JSON.parse(text) as NumberRecord));
}

function slot(agents: readonly RecordAgent[] | null) {
  return (agents ?? []).map((a) => ({ agentId: a.agentId, name: a.name, kind: a.kind, live: null, weight: a.weight, version: a.version }));
}

function fromRecord(record: NumberRecord): NumberRow {
  return {
    rowId: 0,
    e164: record.e164,
    provider: record.provider,
    providerId: record.id,
    label: record.label,
    status: record.status,
    removed: false,
    needsAttention: record.needsAttention,
    capabilities: record.capabilities,
    region: record.region,
    fallback: record.fallback,
    origin: record.origin,
    syncedAt: record.syncedAt,
    firstSeenAt: record.syncedAt,
    carrier: record.carrier,
    slots: { inbound: slot(record.slots.inbound), outbound: slot(record.slots.outbound), sms: slot(record.slots.sms) },
  };
}
