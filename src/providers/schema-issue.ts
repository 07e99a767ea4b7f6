import type { z } from 'zod';

/**
 * Why a wire schema refused a record, as one short line for the skipped-records report and for
 * errors: the first problem with where it is (`inbound_agents.0.agent_id: ...`), and how many more
 * there are. Every adapter words it the same way.
 */
export function describeIssue(error: z.ZodError): string {
  const [first, ...others] = error.issues;
  if (!first) return 'malformed record';
  const at = first.path.length > 0 ? first.path.join('.') : 'record';
  return `${at}: ${first.message}${others.length ? ` (and ${others.length} more)` : ''}`;
}
