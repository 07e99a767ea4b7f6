import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { renderGrid } from '../../src/output/grid.js';
import { renderTable, type Column } from '../../src/output/table.js';
import { cutToWidth, displayWidth } from '../../src/output/width.js';

/**
 * Table widths are terminal columns: a CJK character or an emoji takes two, a combining mark none.
 * A cut keeps whole characters (grapheme clusters) and never leaves half of a wide one. These go
 * through both renderers, the linear table (lists) and the wrapping grid (`show`, plans).
 */
const CJK = '東京営業所受付'; // 7 characters, 14 columns
const THUMBS = '👍🏽'; // thumbs up with a skin tone: two code points, one character, 2 columns
const ACCENT = 'cafe\u0301'; // e + combining acute: 5 code units, 4 columns
const FLAG = '🇫🇷'; // two regional indicators, one flag, 2 columns
const CODER = '👩‍💻'; // a ZWJ sequence: 2 columns
const HEBREW = 'שָׁלוֹם'; // points outside U+0300–U+036F: 7 code units, 4 columns

/** The display column at which `cell` starts in `line`: where the column of that cell begins. */
const startOf = (line: string, cell: string) => displayWidth(line.slice(0, line.lastIndexOf(cell)));
const clustersOf = (text: string) => [...new Intl.Segmenter().segment(text)].map((s) => s.segment);

describe('display width', () => {
  it('counts CJK and emoji as two columns, combining marks as none', () => {
    expect(displayWidth(CJK)).toBe(14);
    expect(displayWidth(THUMBS)).toBe(2);
    expect(displayWidth(ACCENT)).toBe(4);
    expect(displayWidth(FLAG)).toBe(2);
    expect(displayWidth(CODER)).toBe(2);
    expect(displayWidth(HEBREW)).toBe(4);
    expect(displayWidth('\u001b[1mbold\u001b[22m')).toBe(4);
  });

  it('agrees with string-width 8 on every case here', () => {
    const corpus = [CJK, THUMBS, ACCENT, FLAG, CODER, HEBREW, '👨‍👩‍👧', '1️⃣', '❤', '❤️', '©', '🫠', 'नमस्ते', 'a\u20DD', '…', '—', 'ｶﾀｶﾅ', '한국어', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '⌚', 'sales 70%, support 30%', `${CJK} ${THUMBS} ${ACCENT}`];
    for (const text of corpus) expect(displayWidth(text), text).toBe(stringWidth(text));
  });
});

describe('cutting to a width', () => {
  it('a CJK label cut at an odd width stops before the wide character that would not fit', () => {
    // 7 columns: three characters (6) and the ellipsis.
    expect(cutToWidth(CJK, 7)).toBe('東京営…');
    // 6 columns: a third character would need 7 with the ellipsis, so the cut is 5 wide.
    expect(cutToWidth(CJK, 6)).toBe('東京…');
    for (let max = 1; max <= 14; max++) expect(displayWidth(cutToWidth(CJK, max)), `max ${max}`).toBeLessThanOrEqual(max);
  });

  it('never splits an emoji from its skin tone, an accent from its letter, or a flag', () => {
    expect(cutToWidth(`ab${THUMBS}cd`, 4)).toBe('ab…');
    expect(cutToWidth(`ab${THUMBS}cd`, 5)).toBe(`ab${THUMBS}…`);
    expect(cutToWidth(`${ACCENT} line`, 5)).toBe(`${ACCENT}…`);
    expect(cutToWidth(`${FLAG}${FLAG} x`, 4)).toBe(`${FLAG}…`);
    expect(cutToWidth(`${CODER}${CODER}`, 3)).toBe(`${CODER}…`);
    expect(cutToWidth('short', 5)).toBe('short');
  });
});

describe('the linear table counts display columns', () => {
  const columns: Column<{ label: string; agent: string }>[] = [
    { header: 'LABEL', value: (r) => r.label, max: 9 },
    { header: 'AGENT', value: (r) => r.agent },
  ];

  it('aligns CJK, emoji, accents and flags, and cuts them whole', () => {
    const rows = [
      { label: CJK, agent: 'sales' },
      { label: `ok ${THUMBS}`, agent: 'support' },
      { label: `${ACCENT} ${FLAG}`, agent: CODER },
      { label: HEBREW, agent: 'x' },
      { label: 'plain', agent: 'y' },
    ];
    const text = renderTable(rows, columns, { color: false, header: (h) => h });
    const lines = text.trimEnd().split('\n');
    // LABEL is 9 columns at most: the CJK label is cut to four characters (8 columns) and `…`.
    expect(lines[1]).toBe('東京営業…  sales');
    expect(lines[2]).toBe(`ok ${THUMBS}      support`);
    expect(lines[3]).toBe(`${ACCENT} ${FLAG}    ${CODER}`);
    expect(lines[4]).toBe(`${HEBREW}       x`);
    // The second column starts at display column 11 on every line.
    expect(startOf(lines[0]!, 'AGENT')).toBe(11);
    rows.forEach((row, i) => expect(startOf(lines[i + 1]!, row.agent), lines[i + 1]).toBe(11));
  });

  it('shrinks a column to the terminal without leaving half a wide character', () => {
    const text = renderTable([{ label: 'x', agent: `${CJK}${CJK}` }], [{ header: 'N', value: (r) => r.label }, { header: 'AGENT', value: (r) => r.agent }], { color: false, header: (h) => h, width: 12 });
    // 12 columns: `x`, a two-column gap, 9 columns for the agent: four CJK characters and `…`.
    expect(text.split('\n')[1]).toBe('x  東京営業…');
    for (const line of text.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(12);
  });
});

describe('the wrapping grid counts display columns', () => {
  it('wraps long CJK and flag runs inside their column, whole characters per line, columns aligned', async () => {
    const rows: [string, string][] = [
      ['label', `${CJK}${CJK}${CJK}`],
      ['agent', `${HEBREW} ${THUMBS} ${ACCENT}`],
      ['flag', FLAG.repeat(8)],
    ];
    const columns: Column<[string, string]>[] = [
      { header: '', value: ([key]) => key },
      { header: '', value: ([, value]) => value },
      { header: '', value: () => '#' },
    ];
    // 22 columns: the key (5), the value (12, the least a wrapping column gets) and the mark, two apart.
    const text = await renderGrid(rows, columns, { color: false, header: (h) => h, width: 22 });
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(22);
    // The mark column starts at display column 21 on each row's first line, wide characters or not.
    const firstLines = lines.filter((line) => line.endsWith('#'));
    expect(firstLines).toHaveLength(3);
    for (const line of firstLines) expect(startOf(line, '#'), line).toBe(21);
    // The Hebrew with its points, the emoji and the accent fit the 12 columns they take: one line.
    expect(firstLines[1]).toBe(`agent  ${HEBREW} ${THUMBS} ${ACCENT}  #`);
    // Nothing lost or split: the value lines hold the original characters, whole and in order.
    const values = lines.map((line) => line.slice(7).replace(/ *#$/, ''));
    expect(values.join('').replace(/ /g, '')).toBe(rows.map(([, value]) => value.replace(/ /g, '')).join(''));
    const whole = new Set(rows.flatMap(([, value]) => clustersOf(value)));
    for (const value of values) for (const cluster of clustersOf(value)) expect(whole.has(cluster), `${value}: ${cluster}`).toBe(true);
    expect(values.slice(0, 3)).toEqual(['東京営業所受', '付東京営業所', '受付東京営業']);
  });
});
