import { eastAsianWidth } from 'get-east-asian-width';

/**
 * How many terminal columns text takes, and how to cut it to a width, by grapheme cluster (what a
 * reader sees as one character): CJK and emoji take 2 columns, combining marks and other
 * non-printing characters 0, and a cut never splits a cluster nor leaves half of a wide one.
 *
 * The East Asian Width table comes from get-east-asian-width and the clusters from Intl.Segmenter.
 * The rule that joins them is written here rather than taken from string-width 8 (which has the
 * same rule, and which wrap-ansi uses for the grid): on Node 20 its `\p{RGI_Emoji}` pattern is
 * compiled on the first non-ASCII text, which with its import cost ~110 ms of CPU on a busy 2-core
 * machine (~12 ms for get-east-asian-width), on every `numbers list` whose table has a `—`. The
 * two agree on every case in test/unit/width.test.ts.
 */

// Lazy: ICU's segmenter takes longer to start than a whole 10,000-row table takes to lay out
// (measured ~55 ms on a busy machine), so text that cannot hold a multi-character cluster skips it.
let segmenter: Intl.Segmenter | undefined;
const clusters = (text: string) => (segmenter ??= new Intl.Segmenter()).segment(text);

/**
 * Text in which every UTF-16 unit is a cluster of its own: Latin, Greek, Cyrillic, punctuation
 * (`—`, `…`, `→`), symbols, kana and CJK ideographs, Hangul syllables, but no combining mark,
 * joiner, variation selector, surrogate pair or Hangul jamo. Its width is the sum of its units'.
 */
const SINGLE_UNITS = /^[\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u2070-\u20cf\u2100-\u23ff\u2500-\u25ff\u3000-\u3029\u3030-\u303f\u3041-\u3096\u30a0-\u30ff\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff9d]*$/;
/** An emoji shown as a picture: two columns whatever the East Asian Width of its first code point. */
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F]|[#*0-9]\uFE0F?\u20E3|\u200D\p{Extended_Pictographic}/u;
/** A cluster with nothing to show: marks, format and control characters alone. */
const INVISIBLE = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;
const ANSI = /\u001b\[[0-9;]*m/g;

/** Width of one grapheme cluster. */
function clusterWidth(cluster: string): number {
  if (cluster.length === 1 && cluster < '\u007f') return cluster >= ' ' ? 1 : 0;
  if (EMOJI.test(cluster)) return 2;
  if (INVISIBLE.test(cluster)) return 0;
  return eastAsianWidth(cluster.codePointAt(0)!);
}

// A long list repeats its cells (agent names, `—`, regions): each distinct text is measured once.
const measured = new Map<string, number>();

/** Every character printable ASCII, one column each: a loop V8 inlines, cheaper than a regex call per cell. */
function printableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** Columns `text` takes on a terminal; colour escapes count for nothing. */
export function displayWidth(text: string): number {
  if (printableAscii(text)) return text.length;
  const known = measured.get(text);
  if (known !== undefined) return known;
  const plain = text.includes('\u001b') ? text.replace(ANSI, '') : text;
  let width = 0;
  if (printableAscii(plain)) width = plain.length;
  else for (const cluster of SINGLE_UNITS.test(plain) ? plain : clusters(plain)) width += clusterWidth(typeof cluster === 'string' ? cluster : cluster.segment);
  if (measured.size > 50_000) measured.clear();
  measured.set(text, width);
  return width;
}

/**
 * `text` cut to at most `max` columns, ending in `…` when cut. Whole clusters only: where the next
 * one is wide and one column is left, the cut stops short (the caller's padding fills it).
 */
export function cutToWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const room = Math.max(1, max) - 1; // the ellipsis takes one column
  if (printableAscii(text)) return `${text.slice(0, room)}…`;
  let out = '';
  let width = 0;
  for (const cluster of SINGLE_UNITS.test(text) ? text : clusters(text)) {
    const segment = typeof cluster === 'string' ? cluster : cluster.segment;
    const next = clusterWidth(segment);
    if (width + next > room) break;
    out += segment;
    width += next;
  }
  return `${out}…`;
}

/** The longest start of `text` of whole clusters within `max` columns (at least one cluster): for breaking a long word. */
export function takeWidth(text: string, max: number): string {
  if (printableAscii(text)) return text.slice(0, Math.max(1, max));
  let out = '';
  let width = 0;
  for (const cluster of SINGLE_UNITS.test(text) ? text : clusters(text)) {
    const segment = typeof cluster === 'string' ? cluster : cluster.segment;
    const next = clusterWidth(segment);
    if (out !== '' && width + next > max) break;
    out += segment;
    width += next;
  }
  return out;
}

/** `text` followed by spaces up to `width` columns. */
export function padToWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}
