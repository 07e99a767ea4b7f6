/**
 * A key whose plain (binary) order is the natural order of a label, without regard to case: each
 * run of digits is written as its length (two digits) and then its value without leading zeros, so
 * "line 2" (`line 012`) sorts before "line 10" (`line 0210`). Stored with each number's list record
 * at write time; SQLite then sorts by it with no JavaScript in the query.
 */
export function naturalSortKey(text: string | null): string | null {
  if (text === null) return null;
  return text.toLowerCase().replace(/[0-9]+/g, (run) => {
    const digits = run.replace(/^0+(?=[0-9])/, '');
    // Runs of 100 digits or more share the length 99 and compare as text among themselves.
    return `${String(Math.min(digits.length, 99)).padStart(2, '0')}${digits}`;
  });
}
