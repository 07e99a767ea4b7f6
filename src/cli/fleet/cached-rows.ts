import { SLOTS, type ProviderName, type Slot } from '../../domain/model.js';
import type { CachedNumber, FleetCache } from '../../engine/fleet/plan.js';
import { memoByText } from '../../util/memo-by-text.js';
import type { CachedSlotAgent, NumberRecord, NumberRow, RecordAgent, Store } from '../../store/index.js';

/**
 * Every number of the cache as the fleet commands need it, read from the stored list records (the
 * JSON `numbers list --json` prints, rewritten in the same transaction as every change, so never
 * stale) rather than rebuilt from the numbers and assignments tables. Removed numbers are left out,
 * as lists leave them out.
 *
 * A plan compares 10,000 numbers and changes a few: each is read in brief (the fields a fleet file
 * sets, picked out by SQLite), and only the numbers that change are read whole, for their rules.
 * Every object read for all 10,000 lives until the plan is made, so few are made: a fleet has few
 * agents, and the slots of a number are made once per distinct stored slots text and shared.
 */
export function cachedFleet(store: Store, providers?: readonly ProviderName[]): FleetCache {
  return { numbers: cachedNumbers(store, providers), whole: (numbers) => wholeRows(store, numbers) };
}

/** The fields of a stored list record a number in brief is made of. */
const BRIEF_PATHS = ['$.e164', '$.provider', '$.id', '$.label', '$.fallback', '$.region', '$.carrier.provider', '$.carrier.region', '$.slots'] as const;
type BriefRow = [e164: string, provider: ProviderName, id: string, label: string | null, fallback: string | null, region: string | null, carrierProvider: string | null, carrierRegion: string | null, slots: string];

function cachedNumbers(store: Store, providers?: readonly ProviderName[]): CachedNumber[] {
  const slotsOf = memoByText((text) => {
    const slots = JSON.parse(text) as Record<Slot, RecordAgent[] | null>;
    return Object.freeze(Object.fromEntries(SLOTS.map((slot) => [slot, Object.freeze(slotAgents(slots[slot]))]))) as CachedNumber['slots'];
  });
  const carrierOf = memoByText((region) => Object.freeze({ region }));
  const numbers: CachedNumber[] = [];
  for (const row of store.listViewFields({ ...(providers ? { providers: [...providers] } : {}), sort: 'provider' }, BRIEF_PATHS) as Iterable<BriefRow>) {
    numbers.push({
      e164: row[0],
      provider: row[1],
      providerId: row[2],
      label: row[3],
      fallback: row[4],
      region: row[5],
      carrier: row[6] === null ? null : row[7] === null ? NO_REGION : carrierOf(row[7]),
      slots: slotsOf(row[8]),
    });
  }
  return numbers;
}

const NO_REGION = Object.freeze({ region: null });

/** The whole rows of some numbers: their records, parsed (one query for all, by their E.164). */
function wholeRows(store: Store, numbers: readonly CachedNumber[]): NumberRow[] {
  if (numbers.length === 0) return [];
  const wanted = new Set(numbers.map((n) => `${n.provider}\u0000${n.providerId}`));
  const rows = store.listViews({ e164: [...new Set(numbers.map((n) => n.e164))], sort: 'provider' }).map((text) => fromRecord(JSON.parse(text) as NumberRecord));
  return rows.filter((row) => wanted.has(`${row.provider}\u0000${row.providerId}`));
}

function slotAgents(agents: readonly RecordAgent[] | null): CachedSlotAgent[] {
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
    slots: { inbound: slotAgents(record.slots.inbound), outbound: slotAgents(record.slots.outbound), sms: slotAgents(record.slots.sms) },
  };
}
