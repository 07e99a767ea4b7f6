import { distance } from 'fastest-levenshtein';

/** Edits beyond this many make a different word, not a typo. */
const MAX_EDITS = 3;

/**
 * The candidates an operator most likely meant by a word that matched none of them, compared
 * without regard to case: those the fewest edits away (at most 3, and fewer than 60% of the longer
 * word, as commander judges its own "Did you mean"), else those that contain the word (`recept`).
 * Empty when nothing is close.
 */
export function closestNames(word: string, candidates: Iterable<string>, max = 3): string[] {
  const wanted = word.trim().toLowerCase();
  if (wanted === '') return [];
  const unique = new Map<string, string>();
  for (const candidate of candidates) if (!unique.has(candidate.toLowerCase())) unique.set(candidate.toLowerCase(), candidate);
  let best = MAX_EDITS + 1;
  let nearest: string[] = [];
  for (const [lower, candidate] of unique) {
    const edits = distance(wanted, lower);
    const longer = Math.max(wanted.length, lower.length);
    if (edits === 0 || (longer - edits) / longer <= 0.4 || edits > best) continue;
    if (edits < best) {
      best = edits;
      nearest = [];
    }
    nearest.push(candidate);
  }
  if (nearest.length === 0 && wanted.length >= 3) nearest = [...unique].filter(([lower]) => lower.includes(wanted)).map(([, candidate]) => candidate);
  return nearest.sort((a, b) => a.localeCompare(b)).slice(0, max);
}

/** ` (did you mean a?)`, ` (did you mean a, b or c?)`, or nothing: to append to a refusal. */
export function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return '';
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]!}`;
  return ` (did you mean ${list}?)`;
}
