import * as z from 'zod/mini';
import type { ProviderCapabilities } from '../../domain/capabilities.js';
import { PROVIDERS, SLOTS, type ProviderName } from '../../domain/model.js';
import { CAPABILITIES, REGION_PROVIDER } from '../../providers/registry.js';
import { FLEET_FILE_VERSION } from './file-version.js';

/**
 * The fleet file's shape, as zod (mini) schemas built from the providers' descriptors: the one
 * source of truth for both the checks `plan` and `apply` run and the JSON Schema that `export
 * --schema` prints (and the package ships as schema/fleet.schema.json, kept equal by a test).
 * Each provider's entry takes exactly the fields that provider has: a slot it lacks, or a fallback
 * where it has none, is an unknown key.
 */

export { FLEET_FILE_VERSION };

const agentEntry = z.strictObject({
  /** `provider:name` (or any reference `assign` takes: a name, an id, `provider:id`). */
  agent: z.string().check(z.minLength(1)),
  /** The agent's id at its provider; when given, it decides which agent is meant. */
  id: z.optional(z.string().check(z.minLength(1))),
  /** Share of calls in a weighted split; every agent of a split has one, and they sum to 1. */
  weight: z.optional(z.number().check(z.gt(0), z.lte(1))),
  /** A version pin: a number, a tag, `latest` or `latest_published`. */
  version: z.optional(z.union([z.string().check(z.minLength(1)), z.int().check(z.nonnegative())])),
});

export type AgentEntry = z.infer<typeof agentEntry>;

/** The keys an entry of this provider may have, in the order export writes them. */
export function entryKeys(capabilities: ProviderCapabilities): string[] {
  return [
    'number',
    'provider',
    'label',
    ...(capabilities.fallback.kind === 'none' ? [] : ['fallback']),
    ...(REGION_PROVIDER ? ['region'] : []),
    ...SLOTS.filter((slot) => capabilities.slots[slot].offered),
  ];
}

function entrySchema(capabilities: ProviderCapabilities) {
  const shape: Record<string, z.ZodMiniType> = {
    number: z.string().check(z.minLength(1)),
    provider: z.literal(capabilities.name),
    label: z.optional(z.nullable(z.string())),
  };
  if (capabilities.fallback.kind !== 'none') shape.fallback = z.optional(z.nullable(z.string()));
  // The region is the carrier's, on its own numbers and on the numbers imported from it.
  if (REGION_PROVIDER) shape.region = z.optional(z.enum(REGION_PROVIDER.regions as [string, ...string[]]));
  for (const slot of SLOTS) if (capabilities.slots[slot].offered) shape[slot] = z.optional(z.array(agentEntry));
  return z.strictObject(shape);
}

/** One entry schema per provider, chosen by the entry's `provider`. */
export const ENTRY_SCHEMAS = Object.fromEntries(CAPABILITIES.all.map((c) => [c.name, entrySchema(c)])) as Record<ProviderName, ReturnType<typeof entrySchema>>;

/** What `passesEntrySchema` checks an entry of one provider against: the schema above, as plain sets. */
interface EntryShape {
  keys: ReadonlySet<string>;
  slots: ReadonlySet<string>;
  regions: ReadonlySet<string>;
}

const ENTRY_SHAPES = new Map<ProviderName, EntryShape>(
  CAPABILITIES.all.map((c) => [c.name, { keys: new Set(entryKeys(c)), slots: new Set(SLOTS.filter((slot) => c.slots[slot].offered)), regions: new Set(REGION_PROVIDER?.regions ?? []) }]),
);
const AGENT_KEYS: ReadonlySet<string> = new Set(['agent', 'id', 'weight', 'version']);

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Whether an entry of this provider passes ENTRY_SCHEMAS, checked by hand: zod's parse of every
 * entry is a large part of reading a 10,000-number file, and nearly every entry is well formed.
 * Only `true` is relied on (the entry is then used as it is: the schema transforms nothing); an
 * entry this check does not vouch for goes through zod, whose issues word the problems. It may
 * turn down more than the schema does, never less: a test holds the two together.
 */
export function passesEntrySchema(entry: Record<string, unknown>, provider: ProviderName): boolean {
  const shape = ENTRY_SHAPES.get(provider);
  if (!shape || entry.provider !== provider || !isText(entry.number)) return false;
  for (const key in entry) {
    if (!shape.keys.has(key)) return false;
    const value = entry[key];
    if (key === 'label' || key === 'fallback') {
      if (value !== null && typeof value !== 'string') return false;
    } else if (key === 'region') {
      if (typeof value !== 'string' || !shape.regions.has(value)) return false;
    } else if (shape.slots.has(key) && !passesSlot(value)) return false;
  }
  return true;
}

function passesSlot(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  // By index, not every(): a hole is an entry zod refuses.
  for (let i = 0; i < value.length; i++) if (!passesAgent(value[i])) return false;
  return true;
}

function passesAgent(value: unknown): boolean {
  if (!isMap(value) || !isText(value.agent)) return false;
  for (const key in value) {
    if (!AGENT_KEYS.has(key)) return false;
    const field = value[key];
    if (key === 'id' && !isText(field)) return false;
    if (key === 'weight' && !(typeof field === 'number' && field > 0 && field <= 1)) return false;
    if (key === 'version' && !isText(field) && !(Number.isSafeInteger(field) && (field as number) >= 0)) return false;
  }
  return true;
}

/** The file around the entries; the entries are checked one by one against ENTRY_SCHEMAS. */
export const FILE_HEAD_SCHEMA = z.strictObject({
  version: z.literal(FLEET_FILE_VERSION),
  /** The providers the file covers: `--prune` touches only their numbers. Absent: every provider. */
  providers: z.optional(z.array(z.enum(PROVIDERS))),
  numbers: z.array(z.unknown()),
});

/** The JSON Schema of the fleet file, generated from the schemas above. */
export function fleetJsonSchema(): Record<string, unknown> {
  const whole = z.strictObject({
    version: FILE_HEAD_SCHEMA.shape.version,
    providers: FILE_HEAD_SCHEMA.shape.providers,
    numbers: z.array(z.discriminatedUnion('provider', Object.values(ENTRY_SCHEMAS) as unknown as [ReturnType<typeof entrySchema>, ...ReturnType<typeof entrySchema>[]])),
  });
  const generated = z.toJSONSchema(whole) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://voicenum.dev/schema/fleet.schema.json',
    title: 'voicenum fleet file',
    description: 'Every number of a voice-AI deployment and each setting voicenum can change (voicenum export, plan, apply). A key left out is left as it is; [] empties a slot; null clears a label or fallback.',
    ...rest,
  };
}
