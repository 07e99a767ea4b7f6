import { PROVIDER_SLOTS, LIST_HEADERS } from '../store/index.js';
import type { ProviderName, Slot } from '../domain/model.js';
import type { Column } from '../output/table.js';
import type { Theme } from '../output/theme.js';

/** A `numbers list` row as its stored cells (see recordCells). */
export type ListCells = string[];

const SLOT_AT: Record<number, Slot> = { 3: 'inbound', 4: 'outbound', 5: 'sms' };

/** Table columns over stored cells: colour, and a dash where the provider has the slot but it is empty. */
export function numberColumns(theme: Theme, tableMode: boolean): Column<ListCells>[] {
  return LIST_HEADERS.map((header, index) => {
    const column: Column<ListCells> = { header, value: (cells) => cells[index] ?? '' };
    const slot = SLOT_AT[index];
    if (slot) {
      column.max = 40;
      if (tableMode) column.value = (cells) => cells[index] || (PROVIDER_SLOTS[cells[1] as ProviderName]?.includes(slot) ? '—' : '');
    }
    if (header === 'LABEL') column.max = 32;
    if (header === 'PROVIDER') column.style = (text) => theme.provider(text);
    if (header === 'STATUS') column.style = (text) => theme.status(text);
    return column;
  });
}
