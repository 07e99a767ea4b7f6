/**
 * The names scripts rely on, in a module that imports nothing: command definitions list them in
 * `--help` and check `--json` and `--sort` against them without loading the cache code.
 */

/** The documented JSON object of a number (README "JSON objects"), in print order. */
export const NUMBER_RECORD_FIELDS = ['e164', 'provider', 'id', 'label', 'status', 'needsAttention', 'region', 'capabilities', 'fallback', 'origin', 'carrier', 'slots', 'syncedAt', 'state'] as const;

/** What `numbers list --sort` orders by. */
export const SORT_FIELDS = ['e164', 'provider', 'label', 'status', 'region'] as const;

/** A row of the audit log (`history --json`); `id` is the change id and `batch` the run's id, which `undo` takes. */
export const AUDIT_FIELDS = ['id', 'at', 'osUser', 'profile', 'batch', 'e164', 'provider', 'providerId', 'field', 'before', 'after', 'outcome', 'error'] as const;

/** An agent of `agents list --json`. */
export const AGENT_FIELDS = ['provider', 'id', 'name', 'kind', 'live', 'numbers'] as const;
