import { UsageError } from '../domain/errors.js';
import type { ProviderName, Slot } from '../domain/model.js';
import { isProviderName, isSlot, PROVIDERS, SLOTS } from '../domain/model.js';

/** `--provider retell --provider vapi` and `--provider retell,vapi` both work. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
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

/**
 * `--jq` alone implies `--json` (every field): voicenum's `--json` needs no field list, so unlike gh
 * there is nothing a second flag would add. `--json=` goes right before `--jq`, where the command
 * that takes `--jq` takes `--json` too; an explicit `--json` (with or without fields) is kept.
 */
export function jqImpliesJson(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const jqAt = flags.findIndex((token) => token === '--jq' || token.startsWith('--jq='));
  if (jqAt === -1 || flags.some((token) => token === '--json' || token.startsWith('--json='))) return [...argv];
  return [...argv.slice(0, jqAt), '--json=', ...argv.slice(jqAt)];
}
