/**
 * The closest of some names to a mistyped one, for "did you mean …?". Lists here are short (field
 * names, agent names of one account), so a plain edit distance is enough and a library would
 * cost more to load than it saves.
 */
export function closestName(typed: string, names: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  const wanted = typed.toLowerCase();
  for (const name of names) {
    const distance = editDistance(wanted, name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Edits (insert, delete, substitute, swap two neighbours) between two strings: "lable" is 1 from "label". */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
