/**
 * How a yes/no/unknown fact (a capability, an agent's liveness) sits in a SQLite column: SQLite
 * has no booleans, so 1, 0, or NULL when the platform does not say.
 */
export function flag(value: boolean | null): 0 | 1 | null {
  return value === null ? null : value ? 1 : 0;
}
