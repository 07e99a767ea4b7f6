import { fitToWidth, type Column } from './table.js';
import { displayWidth, padToWidth } from './width.js';

const GAP = '  ';

/**
 * Tables with wrapping cells, for the short ones: `numbers show`, `agents show`, `auth status`, a
 * plan. Cells are wrapped by wrap-ansi, loaded only by the commands that draw a grid, so `--help`,
 * `--version` and the long lists (`numbers list`, `history`, `agents list`, drawn by the linear
 * renderer in table.ts) never pay for it. (cli-table3 drew these before: its string-width 4 counts
 * combining marks outside U+0300–U+036F, newer emoji and variation selectors differently from a
 * terminal, which misaligned its columns.)
 *
 * One look for both renderers: no borders or rules, columns two spaces apart, the header row (when
 * there is one) in the theme's header style (bold and underlined to the column's width on a colour
 * terminal), left aligned, widths in terminal columns. Where the linear renderer cuts a cell at its
 * column's `max` with an ellipsis, a grid wraps it at that width instead; past the terminal's width,
 * both give way in their widest columns other than the first. A grid leaves out a column that is
 * empty in every row.
 */

/** Shortest a wrapping column gets on a narrow terminal. */
const MIN_WRAP = 12;

export async function renderGrid<Row>(rows: readonly Row[], allColumns: readonly Column<Row>[], options: { color: boolean; header: (text: string) => string; width?: number }): Promise<string> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  // A column with nothing in any row (CHECK before a --check, say) only takes room from the others.
  const columns = allColumns.filter((column) => rows.some((row) => column.value(row) !== ''));
  const texts = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => {
    let width = displayWidth(column.header);
    for (const line of texts) width = Math.max(width, displayWidth(line[i]!));
    return column.max === undefined ? width : Math.min(width, Math.max(column.max, displayWidth(column.header)));
  });
  fitToWidth(widths, options.width ?? 0, (i) => Math.max(MIN_WRAP, displayWidth(columns[i]!.header)));
  const last = columns.length - 1;
  const out: string[] = [];
  if (columns.some((column) => column.header !== '')) {
    out.push(columns.map((column, i) => options.header(i === last ? column.header : padToWidth(column.header, widths[i]!))).join(GAP));
  }
  texts.forEach((line, r) => {
    // Each cell wrapped to its column's width: on spaces, a longer word broken between two
    // characters (whole grapheme clusters, colours carried over to the next line).
    const wrapped = line.map((text, i) => {
      const style = columns[i]!.style;
      const shown = options.color && style ? style(text, rows[r]!) : text;
      return wrapAnsi(shown, widths[i]!, { hard: true, trim: true }).split('\n');
    });
    const height = Math.max(...wrapped.map((cell) => cell.length));
    for (let k = 0; k < height; k++) out.push(wrapped.map((cell, i) => (i === last ? (cell[k] ?? '') : padToWidth(cell[k] ?? '', widths[i]!))).join(GAP));
  });
  // The last column is not padded; nor is a line whose last cells are empty.
  return `${out.map((line) => line.replace(/ +$/, '')).join('\n')}\n`;
}

/**
 * A key and its value a line (`numbers show`, `agents show`): keys dim, values wrapped under their
 * column. Values may carry the theme's colours already.
 */
export function renderCard(lines: readonly [string, string][], options: { key: (text: string) => string; width?: number }): Promise<string> {
  return renderGrid(lines, [
    { header: '', value: ([key]) => key, style: (text) => options.key(text) },
    { header: '', value: ([, value]) => value },
  ], { color: true, header: (text) => text, width: options.width });
}
