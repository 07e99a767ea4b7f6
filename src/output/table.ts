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

export interface TableOptions {
  color: boolean;
  header: (text: string) => string;
  /** The terminal's width: wider tables have their widest columns cut. */
  width?: number;
}

/**
 * An aligned table for terminals. Written by hand: cli-table3 is quadratic in rows (12 s for
 * 10,000 here), and a list can hold tens of thousands of numbers. Linear in cells.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: TableOptions): string {
  const { widths } = measureTable(rows, columns, options.width);
  return `${[...tableLines(rows, columns, widths, options)].join('\n')}\n`;
}

/** A cell's text as the table shows it before fitting: cut to its column's longest. */
function cellText<Row>(column: Column<Row>, row: Row): { text: string; width: number } {
  const text = column.value(row);
  const width = displayWidth(text);
  if (column.max === undefined || width <= column.max) return { text, width };
  const cut = cutToWidth(text, column.max);
  return { text: cut, width: displayWidth(cut) };
}

/**
 * Each column's width in terminal columns (a CJK character or an emoji takes two, not UTF-16
 * units), fitted to the terminal, and how many rows there are. Reads the rows once and keeps none
 * of them: a long list is read twice from its source (once here, once to print) rather than held.
 */
export function measureTable<Row>(rows: Iterable<Row>, columns: readonly Column<Row>[], terminalWidth = 0): { widths: number[]; count: number } {
  const widths = columns.map((column) => displayWidth(column.header));
  let count = 0;
  for (const row of rows) {
    count++;
    columns.forEach((column, i) => {
      const { width } = cellText(column, row);
      if (width > widths[i]!) widths[i] = width;
    });
  }
  fitToWidth(widths, terminalWidth);
  return { widths, count };
}

/** The table's lines, header first, laid out to `widths` (from measureTable), without newlines. */
export function* tableLines<Row>(rows: Iterable<Row>, columns: readonly Column<Row>[], widths: readonly number[], options: TableOptions): Generator<string> {
  const gap = '  ';
  const last = columns.length - 1;
  yield columns.map((column, i) => options.header(i === last ? column.header : padToWidth(column.header, widths[i]!))).join(gap);
  for (const row of rows) {
    yield columns
      .map((column, i) => {
        const { text, width } = cellText(column, row);
        const cut = width > widths[i]! ? cutToWidth(text, widths[i]!) : text;
        const padding = i === last ? '' : ' '.repeat(widths[i]! - (cut === text ? width : displayWidth(cut)));
        return (options.color && column.style ? column.style(cut, row) : cut) + padding;
      })
      .join(gap);
  }
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
  return `${rows.map((row) => delimitedLine(row, columns)).join('\n')}\n`;
}

/** A row as one line of its cells' plain text, each passed through `cell` (CSV quoting), between separators. */
export function delimitedLine<Row>(row: Row, columns: readonly Column<Row>[], separator = '\t', cell: (text: string) => string = (text) => text): string {
  return columns.map((column) => cell(column.value(row))).join(separator);
}
