import { UsageError } from '../domain/errors.js';
import { LIFECYCLE_STATUSES, LOCAL_STATUSES, UPSTREAM_STATUSES } from '../domain/model.js';
import { closestNames, didYouMean } from '../domain/suggest.js';
import { REGION_PROVIDER } from '../providers/registry.js';

// Apart from options.ts, which the command tree loads on every start-up: these load the provider
// descriptors and the edit distance, wanted only by the list that filters.

/**
 * A value a list filter matches: one voicenum knows, or one the cache holds (`held`, read only when
 * the value is not a known one). Anything else is a typo that would list nothing: refused, with the
 * valid values.
 */
function parseFilterValue(what: { one: string; many: string }, value: string, known: readonly string[], held: () => readonly string[]): string {
  const wanted = value.trim().toLowerCase();
  if (known.includes(wanted)) return wanted;
  const valid = [...new Set([...known, ...held()])];
  if (valid.includes(wanted)) return wanted;
  throw new UsageError(`unknown ${what.one} "${value}"${didYouMean(closestNames(wanted, valid))}`, valid.length ? `valid ${what.many}: ${valid.join(', ')}` : `no ${what.many} exist here`);
}

/** `--status`: an upstream status (`active`, `in-use`...), `removed`, `needs-attention`, or a lifecycle state (`corrupted`...). */
export function parseStatus(value: string, held: () => readonly string[]): string {
  return parseFilterValue({ one: 'status', many: 'statuses' }, value, [...UPSTREAM_STATUSES, ...LOCAL_STATUSES, ...LIFECYCLE_STATUSES], held);
}

/** `--region`: an inbound processing region of the provider that has them (its descriptor lists them). */
export function parseRegion(value: string, held: () => readonly string[]): string {
  const many = REGION_PROVIDER ? `${REGION_PROVIDER.displayName} inbound processing regions` : 'regions';
  return parseFilterValue({ one: 'region', many }, value, REGION_PROVIDER?.regions ?? [], held);
}
