import { UsageError, VoicenumError } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import { notAPhoneNumber, toE164 } from '../domain/phone.js';
import { capabilitiesOf } from '../providers/registry.js';
import type { NumberRow, Store } from '../store/index.js';
import type { Context } from './context.js';
import { describeInput, type NumberInput } from './read-numbers.js';

/**
 * Find the one cached record an operator means by a number. The same E.164 can sit at two agent
 * platforms (then `--provider` decides); a Twilio carrier record counts only when no platform holds it.
 * A number read from standard input is refused naming its line.
 */
export function resolveNumber(ctx: Context, store: Store, input: string | NumberInput, provider?: ProviderName): { row: NumberRow; all: NumberRow[] } {
  if (typeof input === 'string') return resolveText(ctx, store, input, provider);
  try {
    if (input.problem) throw notAPhoneNumber(input.text, input.problem);
    return resolveText(ctx, store, input.text, provider);
  } catch (error) {
    // The same error (its class and exit code kept), its message naming the line.
    if (input.line !== undefined && error instanceof VoicenumError) error.message = describeInput(input, error.message);
    throw error;
  }
}

function resolveText(ctx: Context, store: Store, input: string, provider?: ProviderName): { row: NumberRow; all: NumberRow[] } {
  const e164 = toE164(input, ctx.settings().defaultCountry);
  const all = store.findNumbers(e164);
  if (all.length === 0) {
    throw new UsageError(`${e164} is not in the cache`, `check the number, or run \`voicenum${ctx.sandbox ? ' --sandbox' : ''} sync\` if it is new`);
  }
  let candidates = all.filter((row) => !row.removed);
  if (candidates.length === 0) candidates = all;
  if (provider) {
    candidates = candidates.filter((row) => row.provider === provider);
    if (candidates.length === 0) throw new UsageError(`${e164} has no ${provider} record`, `it is held by: ${[...new Set(all.map((r) => r.provider))].join(', ')}`);
  } else {
    const platforms = candidates.filter((row) => !capabilitiesOf(row.provider).carrier);
    if (platforms.length > 0) candidates = platforms;
  }
  if (candidates.length > 1) {
    throw new UsageError(`${e164} is held by ${candidates.map((r) => r.provider).join(' and ')}`, `add --provider ${candidates.map((r) => r.provider).join('|')}`);
  }
  return { row: candidates[0]!, all };
}
