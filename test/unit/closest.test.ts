import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../src/util/closest.js';

describe('closest names', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('lable', 'label')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the nearest name within a third of its length, or nothing', () => {
    expect(closestName('recepionist', ['receptionist', 'sales'])).toBe('receptionist');
    expect(closestName('SALSE', ['receptionist', 'sales'])).toBe('sales');
    expect(closestName('zzz', ['receptionist', 'sales'])).toBeUndefined();
  });
});
