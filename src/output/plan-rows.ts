import { neutralize } from './sanitize.js';
import type { Column } from './table.js';

/**
 * A dry-run plan when stdout is not a terminal: one tab-separated row per change, like every other
 * piped output, so `assign … --dry-run | awk -F'\t' '$6 == "move"'` works. The terminal shows the
 * same plan as a table; `--json` keeps its own objects.
 *
 * Columns, in order: number, provider, field (the slot, or the setting: label, fallback, region),
 * before, after, action, note. `action` is one of:
 * - assign, move, unassign, unchanged: a slot change and what kind it is;
 * - set, clear: a setting change (label, fallback, region);
 * - refused: the rules refuse it (note: why; field: the slot when the reason names one);
 * - conflict: upstream no longer holds what the cache says (note: both values);
 * - failed: the number could not be read upstream for the check (note: the error).
 * Empty values read `(none)`; cells that do not apply to the row are empty.
 */
export interface PlanRow {
  number: string;
  provider: string;
  field: string;
  before: string;
  after: string;
  action: string;
  note: string;
}

export const PLAN_ROW_COLUMNS: readonly Column<PlanRow>[] = (['number', 'provider', 'field', 'before', 'after', 'action', 'note'] as const).map((key) => ({
  header: key.toUpperCase(),
  // Upstream text (agent names, labels, messages) could hold a tab or a newline that would break the row.
  value: (row: PlanRow) => neutralize(row[key]),
}));

/** A row with only what is given; the rest empty. */
export function planRow(fields: Partial<PlanRow> & Pick<PlanRow, 'number' | 'action'>): PlanRow {
  return { provider: '', field: '', before: '', after: '', note: '', ...fields };
}
