/**
 * Text from upstream (agent names, labels) may hold escape sequences or newlines that would
 * rewrite the operator's terminal or break a tab-separated row. Printed text gets every control
 * character replaced by a visible escape; JSON output keeps the exact value (JSON escapes it).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function neutralize(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\t') return '\\t';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\u001b') return '\\e';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
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
