import { cutToWidth, displayWidth, padToWidth } from './width.js';

export interface Column<Row> {
  header: string;
  /** Plain text of the cell (already neutralised). */
  value: (row: Row) => string;
  /** Colour for the cell on a terminal; gets and returns the plain text. */
  style?: (text: string, row: Row) => string;
  /** Longest the column may be on a terminal before it is cut with an ellipsis. */
  max?: number;
}

/**
 * An aligned table for terminals. Written by hand: cli-table3 is quadratic in rows (12 s for
 * 10,000 here), and a list can hold tens of thousands of numbers. Linear in cells.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: { color: boolean; header: (text: string) => string; width?: number }): string {
  // Widths in terminal columns (a CJK character or an emoji takes two), not UTF-16 units.
  const cells = rows.map((row) => columns.map((column) => truncate(column.value(row), column.max)));
  const widths = columns.map((column, i) => {
    let width = displayWidth(column.header);
    for (const line of cells) width = Math.max(width, displayWidth(line[i]!));
    return width;
  });
  fitToWidth(widths, options.width ?? 0);
  const gap = '  ';
  const out: string[] = [];
  out.push(columns.map((column, i) => options.header(pad(column.header, widths[i]!, i === columns.length - 1))).join(gap));
  cells.forEach((line, r) => {
    out.push(
      line
        .map((text, i) => {
          const cut = truncate(text, widths[i]);
          const padded = pad(cut, widths[i]!, i === columns.length - 1);
          const style = columns[i]!.style;
          if (!options.color || !style) return padded;
          return style(cut, rows[r]!) + padded.slice(cut.length);
        })
        .join(gap),
    );
  });
  return `${out.join('\n')}\n`;
}

function pad(text: string, width: number, last: boolean): string {
  return last ? text : padToWidth(text, width);
}

function truncate(text: string, max: number | undefined): string {
  return max === undefined ? text : cutToWidth(text, max);
}

/**
 * Shrink the widest columns first until the table fits the terminal: never the first (the number
 * itself), and none below its floor (8 unless told). Shared with the wrapping grid (grid.ts).
 */
export function fitToWidth(widths: number[], width: number, floor: (column: number) => number = () => 8): void {
  if (width <= 0) return;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  let guard = 1000;
  while (total() > width && guard-- > 0) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (i === 0) return; // the number itself is never cut
      if (w > floor(i) && (widest === -1 || w > widths[widest]!)) widest = i;
    });
    if (widest === -1) return;
    widths[widest]!--;
  }
}

/** Tab-separated rows for pipes: no header, no colour, one record a line. */
export function renderTsv<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  if (rows.length === 0) return '';
  const lines = rows.map((row) => columns.map((column) => column.value(row)).join('\t'));
  return `${lines.join('\n')}\n`;
}
