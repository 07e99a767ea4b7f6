import { describe, expect, it } from 'vitest';
import { parseFieldList, requireJsonFields } from '../../src/cli/json-fields.js';
import { Printer, selectFields } from '../../src/output/printer.js';
import { csvCell, neutralize } from '../../src/output/sanitize.js';
import { renderTable, renderTsv, type Column } from '../../src/output/table.js';
import { testIO } from '../helpers/io.js';

describe('neutralising upstream text', () => {
  it('turns escape sequences, newlines and tabs into visible text', () => {
    expect(neutralize('\u001b[2J\u001b]0;pwned\u0007evil\nname\tx\r')).toBe('\\e[2J\\e]0;pwned\\x07evil\\nname\\tx\\r');
    expect(neutralize('\u009b31m')).toBe('\\x9b31m');
    expect(neutralize('plain name — ok')).toBe('plain name — ok');
  });

  it('shows direction controls and zero-width characters as escapes, and keeps emoji sequences whole', () => {
    expect(neutralize('pay \u202egpj.exe\u202c')).toBe('pay \\u202egpj.exe\\u202c');
    expect(neutralize('\u2066a\u2069\u200e\u200f\u061c')).toBe('\\u2066a\\u2069\\u200e\\u200f\\u061c');
    expect(neutralize('sa\u200bles\u200c\u200d\ufeff\u2060\u00ad')).toBe('sa\\u200bles\\u200c\\u200d\\ufeff\\u2060\\xad');
    // Tag characters outside a flag are invisible text.
    expect(neutralize('ok\u{E0041}\u{E0042}')).toBe('ok\\u{e0041}\\u{e0042}');
    // A joiner between pictographs (👩‍💻, 👨‍👩‍👧, a skin tone before it) and a subdivision flag stay.
    for (const emoji of ['\u{1F469}\u200D\u{1F4BB}', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', '\u{1F9D1}\u{1F3FD}\u200D\u{1F4BB}', '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', '\u2764\uFE0F\u200D\u{1F525}']) {
      expect(neutralize(`a ${emoji} b`)).toBe(`a ${emoji} b`);
    }
    // A joiner that joins no pictographs is hidden text.
    expect(neutralize('a\u200Db \u{1F469}\u200D')).toBe('a\\u200db \u{1F469}\\u200d');
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

  it('renders 10,000 rows with ten times the work of 1,000: linear, where cli-table3 is quadratic', () => {
    // No clock (the suite has no timed assertions): the work is counted instead. One unit is a read of
    // a row from the list or a call of a column's value or style. A renderer that went back over the
    // rows for each row (as cli-table3's layout does) would do ~100 times the work at ten times the
    // rows; a linear one does exactly 10 times. Work that touches neither (joining strings) is not seen.
    const workFor = (size: number): number => {
      let work = 0;
      const plain = Array.from({ length: size }, (_, i) => ({ a: `+1415${String(i).padStart(7, '0')}`, b: 'agent' }));
      const rows = new Proxy(plain, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) work++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const counted = columns.map((column) => ({
        ...column,
        value: (row: { a: string; b: string }) => (work++, column.value(row)),
        style: (text: string) => (work++, text),
      }));
      const text = renderTable(rows, counted, { color: true, header: (h) => h });
      const lines = text.split('\n');
      expect(lines).toHaveLength(size + 2);
      expect(lines[size]).toBe(`${plain[size - 1]!.a}  agent`);
      return work;
    };
    const small = workFor(1_000);
    const large = workFor(10_000);
    // Each row is read and each of its cells computed and styled at least once.
    expect(small).toBeGreaterThanOrEqual(1_000 * 5);
    expect(large / small).toBeCloseTo(10, 1);
  });
});

describe('--json field lists', () => {
  const fields = ['e164', 'provider', 'label', 'slots'];

  it('parses a list of known names and refuses, with the reason, anything else', () => {
    expect(parseFieldList('e164,label', fields)).toEqual(['e164', 'label']);
    expect(parseFieldList('', fields)).toEqual([]);
    expect(() => parseFieldList('e164,', fields)).toThrow(/empty name/);
    expect(() => parseFieldList('slots.inbound', fields)).toThrow(/"slots.inbound" is not a field name: fields are top-level names/);
    expect(() => parseFieldList('lable', fields)).toThrow(/unknown field "lable" \(did you mean label\?\); fields: e164, provider, label, slots/);
    expect(() => parseFieldList('bogus', fields)).toThrow(/^unknown field "bogus"; fields/);
    // A number or `-` after --json was meant as the command's argument.
    expect(() => parseFieldList('+14155550100', fields)).toThrow(/put --json after the command's arguments/);
    expect(() => parseFieldList('-', fields)).toThrow(/not a list of field names/);
  });

  it('keeps only the asked fields, in the asked order, of a list, a record, or the list inside a wrapper', () => {
    expect(selectFields([{ e164: '+1', provider: 'vapi', label: 'x' }], ['label', 'e164'])).toEqual([{ label: 'x', e164: '+1' }]);
    expect(selectFields({ e164: '+1', provider: 'vapi' }, ['provider'])).toEqual({ provider: 'vapi' });
    expect(selectFields({ profile: 'p', providers: [{ provider: 'vapi', key: 'k' }] }, ['provider'], 'providers')).toEqual({ profile: 'p', providers: [{ provider: 'vapi' }] });
    expect(selectFields([{ e164: '+1' }], true)).toEqual([{ e164: '+1' }]);
    expect(selectFields([{ e164: '+1' }], [])).toEqual([{ e164: '+1' }]);
  });

  it('checks a command line list against the shape a run will print', () => {
    expect(() => requireJsonFields(['outcome'], ['e164', 'changes'], 'the plan')).toThrow(/the plan has no field outcome/);
    expect(() => requireJsonFields(['e164'], ['e164'], 'the plan')).not.toThrow();
    expect(() => requireJsonFields(true, [], 'the plan')).not.toThrow();
  });
});

describe('an object whose last field is a long list (jsonWithList)', () => {
  const findings = Array.from({ length: 2000 }, (_, i) => ({ check: 'no-inbound-agent', subject: `+1415555${String(i).padStart(4, '0')}`, fix: i % 2 ? null : `voicenum assign ${i}`, gone: undefined }));

  /** A printer on a test IO that also counts the writes to stdout. */
  function counting(tty = false) {
    const io = testIO({ tty });
    let writes = 0;
    const write = io.stdout.write;
    io.stdout.write = (text) => (writes++, write(text));
    return { io, printer: new Printer(io, { quiet: false, verbose: false }), writes: () => writes };
  }

  it('piped, prints what json() prints, the list in chunks of some 32 KB', () => {
    const { io, printer, writes } = counting();
    const head = { healthy: false, counts: { error: 0, warning: 2000 }, accounts: null };
    printer.jsonWithList(head, 'findings', findings);
    expect(io.out()).toBe(`${JSON.stringify({ ...head, findings })}\n`);
    expect(JSON.parse(io.out()).findings).toHaveLength(2000);
    expect(writes()).toBeGreaterThan(3);
  });

  it('piped, with no other field, an empty list, or items JSON leaves out', () => {
    for (const [head, items] of [[{}, findings.slice(0, 2)], [{ healthy: true }, []], [{ a: 1 }, [undefined, () => 1, { b: undefined }]]] as const) {
      const { io, printer } = counting();
      printer.jsonWithList(head, 'items', items);
      expect(io.out()).toBe(`${JSON.stringify({ ...head, items })}\n`);
    }
  });

  it('on a terminal, prints it whole and indented, as json() does', () => {
    const { io, printer, writes } = counting(true);
    printer.jsonWithList({ healthy: true }, 'findings', findings.slice(0, 3));
    expect(io.out()).toBe(`${JSON.stringify({ healthy: true, findings: findings.slice(0, 3) }, null, 2)}\n`);
    expect(writes()).toBe(1);
  });
});
