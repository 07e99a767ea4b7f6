import type { Slot } from '../domain/model.js';
import { neutralize } from '../output/sanitize.js';
import type { Column } from '../output/table.js';
import type { Theme } from '../output/theme.js';
import type { NumberRecord, RecordAgent } from '../store/index.js';

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

/** The columns of `numbers list`: the number first, so `cut -f1` feeds `assign -`. */
export function numberColumns(theme: Theme, tableMode: boolean): Column<NumberRecord>[] {
  const slotColumn = (slot: Slot): Column<NumberRecord> => ({
    header: slot.toUpperCase(),
    max: 40,
    value: (row) => {
      const agents = row.slots[slot];
      // A slot the provider lacks is blank; an empty one is a dash on a terminal.
      if (agents === null) return '';
      const text = slotText(agents);
      return text || !tableMode ? text : '—';
    },
    // An agent the cache does not know (deleted upstream) stands out.
    style: (text, row) => (row.slots[slot]?.some((a) => a.name === null) ? theme.warn(text) : text),
  });
  return [
    { header: 'NUMBER', value: (row) => row.e164 },
    { header: 'PROVIDER', value: (row) => row.provider, style: (text) => theme.provider(text) },
    { header: 'LABEL', value: (row) => neutralize(row.label ?? row.carrier?.label ?? ''), max: 32 },
    slotColumn('inbound'),
    slotColumn('outbound'),
    slotColumn('sms'),
    { header: 'REGION', value: (row) => neutralize(row.region ?? '') },
    { header: 'STATUS', value: statusText, style: (text) => theme.status(text) },
  ];
}
