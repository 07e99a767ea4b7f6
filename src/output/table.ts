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
  // Widths in terminal columns (a CJK character or an emoji takes two), not UTF-16 units. Each
  // cell is measured once (its width kept beside it) and cut again only for a narrow terminal.
  const sizes: number[][] = [];
  const cells = rows.map((row) => {
    const size: number[] = [];
    sizes.push(size);
    return columns.map((column) => {
      const text = column.value(row);
      const width = displayWidth(text);
      if (column.max === undefined || width <= column.max) return (size.push(width), text);
      const cut = cutToWidth(text, column.max);
      return (size.push(displayWidth(cut)), cut);
    });
  });
  const widths = columns.map((column, i) => {
    let width = displayWidth(column.header);
    for (const size of sizes) width = Math.max(width, size[i]!);
    return width;
  });
  fitToWidth(widths, options.width ?? 0);
  const gap = '  ';
  const last = columns.length - 1;
  const out: string[] = [];
  out.push(columns.map((column, i) => options.header(i === last ? column.header : padToWidth(column.header, widths[i]!))).join(gap));
  cells.forEach((line, r) => {
    const size = sizes[r]!;
    out.push(
      line
        .map((text, i) => {
          const width = widths[i]!;
          const cut = size[i]! > width ? cutToWidth(text, width) : text;
          const padding = i === last ? '' : ' '.repeat(width - (cut === text ? size[i]! : displayWidth(cut)));
          const style = columns[i]!.style;
          return (options.color && style ? style(cut, rows[r]!) : cut) + padding;
        })
        .join(gap),
    );
  });
  return `${out.join('\n')}\n`;
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
