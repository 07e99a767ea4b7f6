import { describe, expect, it } from 'vitest';
import { normalizeJsonFlag } from '../../src/cli/program.js';
import { pickFields } from '../../src/output/printer.js';
import { csvCell, neutralize } from '../../src/output/sanitize.js';
import { renderTable, renderTsv, type Column } from '../../src/output/table.js';

describe('neutralising upstream text', () => {
  it('turns escape sequences, newlines and tabs into visible text', () => {
    expect(neutralize('\u001b[2J\u001b]0;pwned\u0007evil\nname\tx\r')).toBe('\\e[2J\\e]0;pwned\\x07evil\\nname\\tx\\r');
    expect(neutralize('\u009b31m')).toBe('\\x9b31m');
    expect(neutralize('plain name — ok')).toBe('plain name — ok');
  });

  it('defuses spreadsheet formulas and quotes CSV specials', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1 415')).toBe("'+1 415");
    expect(csvCell('+14155550100')).toBe('+14155550100');
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('sales')).toBe('sales');
  });
});

describe('tables', () => {
  const columns: Column<{ a: string; b: string }>[] = [
    { header: 'A', value: (r) => r.a },
    { header: 'LONGER', value: (r) => r.b, max: 6 },
  ];

  it('aligns columns and cuts over-long cells with an ellipsis', () => {
    const text = renderTable([{ a: 'x', b: 'short' }, { a: 'wide-cell', b: 'much too long' }], columns, { color: false, header: (h) => h });
    expect(text).toBe('A          LONGER\nx          short\nwide-cell  much …\n');
  });

  it('prints TSV without header, nothing for no rows', () => {
    expect(renderTsv([{ a: '1', b: '2' }], columns)).toBe('1\t2\n');
    expect(renderTsv([], columns)).toBe('');
  });

  it('renders 10,000 rows linearly (cli-table3 would take seconds)', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ a: `+1415555${String(i).padStart(4, '0')}`, b: 'agent' }));
    const text = renderTable(rows, columns, { color: false, header: (h) => h });
    expect(text.split('\n')).toHaveLength(10_002);
  });
});

describe('--json field lists', () => {
  it('keeps only the asked fields and refuses unknown ones', () => {
    expect(pickFields([{ e164: '+1', provider: 'vapi', label: 'x' }], 'e164,label', ['e164', 'provider', 'label'])).toEqual([{ e164: '+1', label: 'x' }]);
    expect(() => pickFields([{ e164: '+1' }], 'e164,nope', ['e164'])).toThrow(/unknown JSON field: nope/);
    expect(pickFields([{ e164: '+1' }], true, ['e164'])).toEqual([{ e164: '+1' }]);
  });

  it('does not let --json swallow a command word or a phone number', () => {
    const words = new Set(['numbers', 'list', 'show']);
    expect(normalizeJsonFlag(['--json', 'numbers', 'list'], words)).toEqual(['--json=', 'numbers', 'list']);
    expect(normalizeJsonFlag(['numbers', 'show', '--json', '+14155550100'], words)).toEqual(['numbers', 'show', '--json=', '+14155550100']);
    expect(normalizeJsonFlag(['numbers', 'list', '--json', 'e164,slots'], words)).toEqual(['numbers', 'list', '--json', 'e164,slots']);
    // A field that is also a command word stays a field after the command.
    expect(normalizeJsonFlag(['numbers', 'list', '--json', 'show'], words)).toEqual(['numbers', 'list', '--json', 'show']);
  });
});
