/**
 * Text from upstream (agent names, labels, provider messages) may hold escape sequences or newlines
 * that would rewrite the operator's terminal or break a tab-separated row, direction overrides that
 * show `+1415…` or a name in another order than it has (U+202E and the like), and characters that
 * print as nothing, so two different names look the same or a note hides in a label. Printed text
 * gets each of them replaced by a visible escape (`\x1b` as `\e`, U+202E as `\u202e`); JSON output
 * keeps the exact value (JSON escapes it).
 *
 * A zero-width joiner between two pictographs is kept: that is how 👩‍💻 or 👨‍👩‍👧 is written, it
 * can only join pictures into one picture (or show them side by side), and escaping it would turn
 * an ordinary emoji into noise. Likewise the tag characters of a subdivision flag (🏴 followed by
 * tags and a cancel tag, as in the flag of Scotland); anywhere else tags are invisible text.
 */
//  1. kept as they are: a pictograph (with its skin tone or emoji style) and the joiner after it,
//     when another pictograph follows; a well-formed flag tag sequence;
//  2. C0 and C1 controls, DEL, line and paragraph separators;
//  3. direction marks, embeddings, overrides and isolates;
//  4. what prints as nothing: zero-width space, non-joiner and joiner, word joiner and invisible
//     operators, the byte-order mark, the soft hyphen, the Mongolian vowel separator, tags.
const HIDDEN =
  /(\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F]?\u200D)(?=\p{Extended_Pictographic})|(\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F})|[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\u{E0000}-\u{E007F}]/gu;
/** Printable ASCII has nothing to escape: most cells skip the pattern above. */
const PLAIN = /^[\x20-\x7e]*$/;

export function neutralize(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.replace(HIDDEN, (c: string, joined?: string, flag?: string) => {
    if (joined !== undefined || flag !== undefined) return c;
    if (c === '\t') return '\\t';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\u001b') return '\\e';
    const code = c.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * A CSV cell a spreadsheet would run as a formula gets a leading quote mark. A bare E.164 number
 * (`+` and digits) is left alone: it can compute nothing, and operators cut it out as a number.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^\+\d{1,15}$/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
