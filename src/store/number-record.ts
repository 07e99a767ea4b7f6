import type { ProviderName, Slot } from '../domain/model.js';
import { PROVIDER_SLOTS, type CarrierFacts, type NumberRow } from './queries.js';

/** One agent of a slot, as `numbers list --json` prints it. */
export interface RecordAgent {
  agentId: string;
  name: string | null;
  kind: string | null;
  weight: number;
  version: string | null;
}

/** The documented JSON object of a number (README "JSON objects"); also what `numbers list` renders. */
export interface NumberRecord {
  e164: string;
  provider: ProviderName;
  id: string;
  label: string | null;
  status: string | null;
  needsAttention: string | null;
  region: string | null;
  capabilities: { voice: boolean | null; sms: boolean | null };
  fallback: string | null;
  origin: string | null;
  carrier: CarrierFacts | null;
  /** null for a slot the provider does not have. */
  slots: Record<Slot, RecordAgent[] | null>;
  syncedAt: string;
}

export const NUMBER_RECORD_FIELDS = ['e164', 'provider', 'id', 'label', 'status', 'needsAttention', 'region', 'capabilities', 'fallback', 'origin', 'carrier', 'slots', 'syncedAt'] as const;

export function numberRecord(row: NumberRow): NumberRecord {
  const slot = (name: Slot) => (PROVIDER_SLOTS[row.provider].includes(name) ? row.slots[name].map((a) => ({ agentId: a.agentId, name: a.name, kind: a.kind, weight: a.weight, version: a.version })) : null);
  return {
    e164: row.e164,
    provider: row.provider,
    id: row.providerId,
    label: row.label,
    status: row.status,
    needsAttention: row.needsAttention,
    region: row.region,
    capabilities: row.capabilities,
    fallback: row.fallback,
    origin: row.origin,
    carrier: row.carrier,
    slots: { inbound: slot('inbound'), outbound: slot('outbound'), sms: slot('sms') },
    syncedAt: row.syncedAt,
  };
}
