/**
 * How a yes/no/unknown fact (a capability, an agent's liveness) sits in a SQLite column: SQLite
 * has no booleans, so 1, 0, or NULL when the platform does not say.
 */
export function flag(value: boolean | null): 0 | 1 | null {
  return value === null ? null : value ? 1 : 0;
}

/**
 * The stored voice URL: '' for a carrier record without one, NULL where the record has none to read
 * (a platform's) or was cached before voicenum read it (then unknown until the next sync).
 */
export function voiceUrlValue(number: { voiceUrl?: string | null }): string | null {
  return number.voiceUrl === undefined ? null : (number.voiceUrl ?? '');
}
