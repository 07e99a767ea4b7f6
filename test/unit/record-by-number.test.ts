import { describe, expect, it } from 'vitest';
import { recordByNumber } from '../../src/sandbox/fakes/record-by-number.js';

type Row = { phone_number: string | null; sid: string };

const rows = (count: number): Row[] => Array.from({ length: count }, (_, i) => ({ phone_number: `+1415555${String(i).padStart(4, '0')}`, sid: `PN${i}` }));

describe('recordByNumber (the fakes\' look-up of one number)', () => {
  it('answers as find() does, hits and misses', () => {
    const list = rows(50);
    for (const number of ['+14155550000', '+14155550031', '+14155550049', '+14155559999', '']) {
      expect(recordByNumber(list, number)).toBe(list.find((row) => row.phone_number === number));
    }
  });

  it('sees numbers added, removed and replaced after its index was built', () => {
    const list = rows(10);
    expect(recordByNumber(list, '+14155550003')?.sid).toBe('PN3');
    list.push({ phone_number: '+19995550000', sid: 'new' });
    expect(recordByNumber(list, '+19995550000')?.sid).toBe('new');
    list.splice(3, 1);
    expect(recordByNumber(list, '+14155550003')).toBeUndefined();
    expect(recordByNumber(list, '+14155550004')?.sid).toBe('PN4');
    // Same length, another number in a record's place.
    list[0] = { phone_number: '+18885550000', sid: 'swapped' };
    expect(recordByNumber(list, '+14155550000')).toBeUndefined();
    expect(recordByNumber(list, '+18885550000')?.sid).toBe('swapped');
  });

  it('keeps one index per list', () => {
    const a = rows(3);
    const b = rows(3).map((row) => ({ ...row, sid: `b-${row.sid}` }));
    expect(recordByNumber(a, '+14155550001')?.sid).toBe('PN1');
    expect(recordByNumber(b, '+14155550001')?.sid).toBe('b-PN1');
  });

  it('skips records without a number', () => {
    const list: Row[] = [{ phone_number: null, sid: 'none' }, ...rows(2)];
    expect(recordByNumber(list, '+14155550001')?.sid).toBe('PN1');
  });
});
