import type { ProviderName, Slot } from '../domain/model.js';
import { neutralize } from '../output/sanitize.js';
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

export { NUMBER_RECORD_FIELDS } from './record-fields.js';

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

/** How one slot reads in a table or TSV cell: `sales 70%, support 30%`, `support@2`. */
export function slotText(agents: readonly Pick<RecordAgent, 'agentId' | 'name' | 'weight' | 'version'>[]): string {
  return agents
    .map((agent) => {
      const name = neutralize(agent.name ?? agent.agentId);
      const version = agent.version !== null ? `@${neutralize(agent.version)}` : '';
      const weight = agents.length > 1 ? ` ${Math.round(agent.weight * 100)}%` : '';
      return `${name}${version}${weight}`;
    })
    .join(', ');
}

export function statusText(row: Pick<NumberRecord, 'needsAttention' | 'status'>): string {
  if (row.needsAttention) return 'needs-attention';
  return neutralize(row.status ?? '');
}

/** The columns of `numbers list`, in order: the number first, so `cut -f1` feeds `assign -`. */
export const LIST_HEADERS = ['NUMBER', 'PROVIDER', 'LABEL', 'INBOUND', 'OUTBOUND', 'SMS', 'REGION', 'STATUS'] as const;

/**
 * A number's list cells, neutralised, an empty string for an empty slot: the tab-separated row
 * that piped output prints as is and the table aligns. Stored beside the JSON record.
 */
export function recordCells(record: NumberRecord): string[] {
  return [
    record.e164,
    record.provider,
    neutralize(record.label ?? record.carrier?.label ?? ''),
    slotText(record.slots.inbound ?? []),
    slotText(record.slots.outbound ?? []),
    slotText(record.slots.sms ?? []),
    neutralize(record.region ?? ''),
    statusText(record),
  ];
}
