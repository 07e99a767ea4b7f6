import type { Slot } from '../domain/model.js';
import { neutralize } from '../output/sanitize.js';
import type { Column } from '../output/table.js';
import type { Theme } from '../output/theme.js';
import { PROVIDER_SLOTS, type CachedSlotAgent, type NumberRow } from '../store/index.js';

/** How one slot reads in a table or TSV cell: `sales 70%, support 30%`, `support@2`. */
export function slotText(agents: readonly CachedSlotAgent[]): string {
  return agents
    .map((agent) => {
      const name = neutralize(agent.name ?? agent.agentId);
      const version = agent.version !== null ? `@${neutralize(agent.version)}` : '';
      const weight = agents.length > 1 ? ` ${Math.round(agent.weight * 100)}%` : '';
      return `${name}${version}${weight}`;
    })
    .join(', ');
}

export function statusText(row: NumberRow): string {
  if (row.needsAttention) return 'needs-attention';
  return neutralize(row.status ?? '');
}

function slotColumn(slot: Slot, theme: Theme): Column<NumberRow> {
  return {
    header: slot.toUpperCase(),
    value: (row) => slotText(row.slots[slot]),
    max: 40,
    style: (text, row) => (text === '' ? '' : row.slots[slot].some((a) => a.name === null) ? theme.warn(text) : text),
  };
}

/** The columns of `numbers list`: the number first, so `cut -f1` feeds `assign -`. */
export function numberColumns(theme: Theme, tableMode: boolean): Column<NumberRow>[] {
  const dash = (slot: Slot) => (row: NumberRow) => {
    const text = slotText(row.slots[slot]);
    if (text || !tableMode) return text;
    return PROVIDER_SLOTS[row.provider].includes(slot) ? '—' : '';
  };
  return [
    { header: 'NUMBER', value: (row) => row.e164 },
    { header: 'PROVIDER', value: (row) => row.provider, style: (text) => theme.provider(text) },
    { header: 'LABEL', value: (row) => neutralize(row.label ?? row.carrier?.label ?? ''), max: 32 },
    { ...slotColumn('inbound', theme), value: dash('inbound') },
    { ...slotColumn('outbound', theme), value: dash('outbound') },
    { ...slotColumn('sms', theme), value: dash('sms') },
    { header: 'REGION', value: (row) => neutralize(row.region ?? '') },
    { header: 'STATUS', value: statusText, style: (text) => theme.status(text) },
  ];
}

/** The documented JSON shape of a number (README "JSON output"). */
export function numberJson(row: NumberRow) {
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
    slots: Object.fromEntries(
      (['inbound', 'outbound', 'sms'] as const).map((slot) => [
        slot,
        PROVIDER_SLOTS[row.provider].includes(slot) ? row.slots[slot].map((a) => ({ agentId: a.agentId, name: a.name, kind: a.kind, weight: a.weight, version: a.version })) : null,
      ]),
    ),
    syncedAt: row.syncedAt,
  };
}

export const NUMBER_JSON_FIELDS = ['e164', 'provider', 'id', 'label', 'status', 'needsAttention', 'region', 'capabilities', 'fallback', 'origin', 'carrier', 'slots', 'syncedAt'] as const;
