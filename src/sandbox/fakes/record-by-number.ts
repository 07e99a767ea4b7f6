/**
 * The first record of a fake's list with this phone number, as `records.find(...)` would answer,
 * without reading the whole list each time: a sync of 10,000 numbers asks Twilio's fake for each
 * number's route, and a scan per request made the fake's answer slower the bigger the sandbox.
 *
 * The index belongs to the array it was built from and is checked on every use: a hit must still
 * be at its position, and a miss is confirmed by a scan (a miss is rare: a 404), so a list that
 * changed since (a number bought, released or replaced, the state reloaded) is never answered from
 * a stale index; the index is rebuilt instead. A fake never holds one number twice (each refuses
 * to add a number it has), so the record found at its place is the first with that number.
 */
interface NumberRecord {
  phone_number: string | null;
}

interface Index {
  length: number;
  positions: Map<string, number>;
}

const indexes = new WeakMap<readonly NumberRecord[], Index>();

function build(records: readonly NumberRecord[]): Index {
  const positions = new Map<string, number>();
  records.forEach((record, position) => {
    if (record.phone_number !== null && !positions.has(record.phone_number)) positions.set(record.phone_number, position);
  });
  const index = { length: records.length, positions };
  indexes.set(records, index);
  return index;
}

export function recordByNumber<T extends NumberRecord>(records: readonly T[], e164: string): T | undefined {
  let index = indexes.get(records);
  if (!index || index.length !== records.length) index = build(records);
  const position = index.positions.get(e164);
  if (position !== undefined && records[position]?.phone_number === e164) return records[position];
  const found = records.find((record) => record.phone_number === e164);
  if (found !== undefined) build(records);
  return found;
}
