import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import type CliTable from 'cli-table3';
import { fitToWidth, type Column } from './table.js';
import { displayWidth, padToWidth, takeWidth } from './width.js';

/**
 * Tables with wrapping cells, drawn by cli-table3, for the short ones: `numbers show`, `agents show`,
 * `auth status`, a plan. cli-table3 is quadratic in rows, so the long lists (`numbers list`,
 * `history`, `agents list`) keep the linear renderer in table.ts; it is loaded only by the commands
 * that draw a grid, so `--help` and `--version` never pay for it.
 *
 * One look for both renderers: no borders or rules, columns two spaces apart, the header row (when
 * there is one) in the theme's header style (bold and underlined to the column's width on a colour
 * terminal), left aligned. Where the linear renderer cuts a cell at its column's `max` with an
 * ellipsis, a grid wraps it at that width instead; past the terminal's width, both give way in their
 * widest columns other than the first. A grid leaves out a column that is empty in every row.
 * Both count terminal columns with width.ts.
 */

/** Shortest a wrapping column gets on a narrow terminal. */
const MIN_WRAP = 12;

type TableConstructor = typeof CliTable;
let loaded: Promise<TableConstructor> | undefined;

/**
 * cli-table3 measures text with the string-width 4 it depends on, which miscounts text that
 * terminals draw otherwise: Hebrew points and Devanagari signs as columns, emoji newer than its
 * tables (🫠) as one. Before cli-table3 loads, its `require('string-width')` is answered with
 * width.ts's measure, so its padding and wrapping agree with the list renderer and the terminal.
 * (The package offers no option for it; this is the one place that reaches into its loading.)
 */
function loadTable(): Promise<TableConstructor> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const tablePath = require.resolve('cli-table3');
    const widthPath = createRequire(tablePath).resolve('string-width');
    if (!require.cache[widthPath]) {
      const shim = new Module(widthPath);
      shim.filename = widthPath;
      shim.paths = [dirname(widthPath)];
      shim.exports = (text: string) => displayWidth(String(text));
      shim.loaded = true;
      require.cache[widthPath] = shim;
    }
    return (await import('cli-table3')).default as unknown as TableConstructor;
  })();
  return loaded;
}

export async function renderGrid<Row>(rows: readonly Row[], allColumns: readonly Column<Row>[], options: { color: boolean; header: (text: string) => string; width?: number }): Promise<string> {
  const Table = await loadTable();
  // A column with nothing in any row (CHECK before a --check, say) only takes room from the others.
  const columns = allColumns.filter((column) => rows.some((row) => column.value(row) !== ''));
  const texts = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => {
    let width = displayWidth(column.header);
    for (const line of texts) width = Math.max(width, displayWidth(line[i]!));
    return column.max === undefined ? width : Math.min(width, Math.max(column.max, displayWidth(column.header)));
  });
  fitToWidth(widths, options.width ?? 0, (i) => Math.max(MIN_WRAP, displayWidth(columns[i]!.header)));
  const withHeader = columns.some((column) => column.header !== '');
  const table = new Table({
    // Each cell is padded one space on the right and joined by one more: a two-space gap, which
    // cli-table3 also counts right for a cell that spans columns.
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1, compact: true },
    colWidths: widths.map((width) => width + 1),
    wordWrap: true,
    wrapOnWordBoundary: true,
    ...(withHeader ? { head: columns.map((column, i) => options.header(i === columns.length - 1 ? column.header : padToWidth(column.header, widths[i]!))) } : {}),
  });
  texts.forEach((line, r) => {
    table.push(
      line.map((text, i) => {
        const style = columns[i]!.style;
        const shown = options.color && style ? style(text, rows[r]!) : text;
        return breakLongWords(shown, widths[i]!);
      }),
    );
  });
  // cli-table3 pads the last column too; the linear renderer does not.
  return `${table.toString().replace(/ +$/gm, '')}\n`;
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

/**
 * cli-table3 wraps on spaces and cuts a longer word with an ellipsis; a long plain word (a URL, a
 * name with no spaces, a run of CJK) is broken at the column's width instead — by display columns
 * and between whole characters — so nothing is hidden. A coloured word is left to cli-table3:
 * breaking inside an escape sequence would garble it.
 */
function breakLongWords(text: string, width: number): string {
  if (width < 1 || text.includes('\u001b')) return text;
  return text
    .split(' ')
    .map((word) => {
      const pieces: string[] = [];
      let rest = word;
      while (displayWidth(rest) > width) {
        const piece = takeWidth(rest, width);
        pieces.push(piece);
        rest = rest.slice(piece.length);
      }
      pieces.push(rest);
      return pieces.join('\n');
    })
    .join(' ');
}
