import { CancelledError, VoicenumError, type ExitCodeValue } from '../domain/errors.js';
import { fieldValue, sameFieldValue } from '../domain/field-values.js';
import { SLOTS, type ProviderName, type RemoteAgent, type RemoteNumber } from '../domain/model.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { KnownRecord, Store } from '../store/index.js';

/**
 * Drift: what changed upstream since voicenum last knew a record (its last sync, or the answer of
 * its last write), found by reading each provider in full as `sync` does and setting every record
 * beside the cache's copy, field by field. It writes nothing: the cache keeps what voicenum knew,
 * so the same drift is reported until an operator accepts it (`sync`) or puts it back.
 */

/** The fields voicenum can change on a record, and so the ones it watches. */
export const DRIFT_FIELDS = [...SLOTS, 'label', 'fallback', 'region'] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/**
 * `changed`: a field differs. `appeared`: upstream holds a record the cache does not know (or knew
 * as removed). `vanished`: a record the cache holds is gone upstream. Whole-record drift has the
 * field `record` and the values `present` / `absent`.
 */
export type DriftKind = 'changed' | 'appeared' | 'vanished';

export interface DriftItem {
  e164: string;
  provider: ProviderName;
  providerId: string;
  field: DriftField | 'record';
  kind: DriftKind;
  /** What voicenum last knew, in the audit log's form: a slot as `[{ agentId, weight, version }]`, a setting as text or null. */
  known: unknown;
  /** What the provider holds now, in the same form. */
  upstream: unknown;
  /** When voicenum last read or wrote the record; null for a record it never knew. */
  knownAt: string | null;
}

/** A known record's field in the audit log's form (an empty label or fallback is none). */
function knownValue(record: KnownRecord, field: DriftField): unknown {
  if (field === 'label') return record.label === '' ? null : record.label;
  if (field === 'fallback') return record.fallback === '' ? null : record.fallback;
  if (field === 'region') return record.region;
  return record.slots[field];
}

/**
 * Compare what a provider holds now with what the cache knew of it. Pure: the items come out
 * ordered by number, then field, so two runs over the same states print the same report.
 */
export function compareRecords(provider: ProviderName, known: readonly KnownRecord[], upstream: readonly RemoteNumber[]): DriftItem[] {
  const items: DriftItem[] = [];
  const byId = new Map(known.map((record) => [record.providerId, record]));
  for (const remote of upstream) {
    const record = byId.get(remote.providerId);
    byId.delete(remote.providerId);
    const base = { e164: remote.e164, provider, providerId: remote.providerId };
    if (!record || record.removed) {
      items.push({ ...base, field: 'record', kind: 'appeared', known: 'absent', upstream: 'present', knownAt: record?.syncedAt ?? null });
      continue;
    }
    for (const field of DRIFT_FIELDS) {
      const before = knownValue(record, field);
      const now = fieldValue(remote, field);
      if (!sameFieldValue(field, before, now)) items.push({ ...base, field, kind: 'changed', known: before, upstream: now, knownAt: record.syncedAt });
    }
  }
  for (const record of byId.values()) {
    if (record.removed) continue;
    items.push({ e164: record.e164, provider, providerId: record.providerId, field: 'record', kind: 'vanished', known: 'present', upstream: 'absent', knownAt: record.syncedAt });
  }
  const order = (field: string) => (field === 'record' ? -1 : DRIFT_FIELDS.indexOf(field as DriftField));
  return items.sort((a, b) => (a.e164 < b.e164 ? -1 : a.e164 > b.e164 ? 1 : 0) || order(a.field) - order(b.field));
}

export interface ProviderDrift {
  provider: ProviderName;
  ok: boolean;
  items: DriftItem[];
  /** The agents upstream holds now (names for agents the cache has not seen yet). */
  agents: RemoteAgent[];
  error?: string;
  exitCode?: ExitCodeValue;
  requests: number;
}

/**
 * Read each provider in full, concurrently, and compare. A provider that cannot be read is
 * reported as such: its drift is unknown, never "none".
 */
export async function readDrift(adapters: readonly ProviderAdapter[], store: Store, signal?: AbortSignal): Promise<ProviderDrift[]> {
  return Promise.all(
    adapters.map(async (adapter): Promise<ProviderDrift> => {
      try {
        const snapshot = await adapter.fetchAll({ signal });
        // The cache is read after upstream: a write this run raced with is then known already.
        const items = compareRecords(adapter.name, store.knownRecords(adapter.name), snapshot.numbers);
        return { provider: adapter.name, ok: true, items, agents: snapshot.agents, requests: adapter.requestCount };
      } catch (error) {
        if (!(error instanceof VoicenumError) || error instanceof CancelledError) throw error;
        return { provider: adapter.name, ok: false, items: [], agents: [], error: error.message, exitCode: error.exitCode, requests: adapter.requestCount };
      }
    }),
  );
}
