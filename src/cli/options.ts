import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UsageError } from '../domain/errors.js';
import type { ProviderName, Slot } from '../domain/model.js';
import { isProviderName, isSlot, PROVIDERS, SLOTS } from '../domain/model.js';

/** `--provider retell --provider vapi` and `--provider retell,vapi` both work. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/**
 * For a flag that takes one value (`--inbound sales`): given twice, it is a usage error rather than
 * the last one silently winning. A split is one value (`--inbound sales=0.7,support=0.3`).
 */
export function onlyOnce(flag: string) {
  return (value: string, previous: string | undefined): string => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} is given twice ("${previous}" and "${value}"); give it once (a split is one value: ${flag} a=0.7,b=0.3)`);
    return value;
  };
}

/** One provider named on the command line (`auth login retell`, `--into vapi`). */
export function parseProvider(value: string): ProviderName {
  return parseProviders([value])![0]!;
}

export function parseProviders(values: string[] | undefined): ProviderName[] | undefined {
  if (!values?.length) return undefined;
  const out: ProviderName[] = [];
  for (const value of values) {
    const name = value.toLowerCase();
    if (!isProviderName(name)) throw new UsageError(`unknown provider "${value}"`, `valid providers: ${PROVIDERS.join(', ')}`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function parseSlot(value: string): Slot {
  const slot = value.toLowerCase();
  if (!isSlot(slot)) throw new UsageError(`unknown slot "${value}"`, `valid slots: ${SLOTS.join(', ')}`);
  return slot;
}

export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a whole number, not "${value}"`);
  return limit;
}
