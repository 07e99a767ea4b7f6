import type { $ZodIssue } from 'zod/v4/core';
import { matchAgents, parseAgentRef, suggestAgentNames } from '../../domain/agent-ref.js';
import { UsageError } from '../../domain/errors.js';
import { isProviderName, PROVIDERS, SLOTS, type ProviderName, type Slot } from '../../domain/model.js';
import { toE164 } from '../../domain/phone.js';
import type { KnownAgent } from '../../domain/rules.js';
import { closestNames, didYouMean } from '../../domain/suggest.js';
import type { CachedNumber, DesiredAgent, DesiredNumber } from '../../engine/fleet/plan.js';
import { capabilitiesOf } from '../../providers/registry.js';
import { TwoKeyMap } from '../../util/two-key-map.js';
import { ENTRY_SCHEMAS, entryKeys, FILE_HEAD_SCHEMA, passesEntrySchema, type AgentEntry } from './schema.js';
import { where, type FileProblem, type FleetSource, type Locate, type PathSegment } from './source.js';

/**
 * A fleet file checked and turned into desired numbers: its shape (the zod schemas), its numbers
 * (phone.ts, and each in the cache), its agents (each one agent of the number's own provider). Every
 * problem is collected with its line and column; any problem stops here, before a plan exists.
 */

export interface FleetFile {
  desired: DesiredNumber[];
  /** The providers the file covers (its `providers`, else every provider). */
  scope: ProviderName[];
}

export interface ResolveInputs {
  rows: readonly CachedNumber[];
  agents: readonly KnownAgent[];
  defaultCountry: string;
}

/** At most this many problems are listed; the rest are counted. */
const MAX_PROBLEMS = 25;

/** A problem found, with the path it is at: placed in the text only once there is one to show. */
interface Found {
  path: readonly PathSegment[];
  key: string | undefined;
  message: string;
}

export async function resolveFleetFile(source: FleetSource, inputs: ResolveInputs): Promise<FleetFile> {
  const problems: Found[] = [];
  const report = (path: readonly PathSegment[], message: string, key?: string) => problems.push({ path, key, message });
  const refuse = async () => usage(source.file, placed(problems, await source.locator()));

  const head = FILE_HEAD_SCHEMA.safeParse(source.data);
  if (!head.success) {
    for (const issue of head.error.issues) describeIssue(issue, [], report, ['version', 'providers', 'numbers']);
    throw await refuse();
  }
  const scope = head.data.providers?.length ? [...new Set(head.data.providers)] : [...PROVIDERS];
  const rows = new TwoKeyMap<CachedNumber>();
  for (const row of inputs.rows) rows.set(row.provider, row.e164, row);
  const e164s = new Set(inputs.rows.map((row) => row.e164));
  const agentIndex = indexAgents(inputs.agents);
  const resolveSlotOf = slotResolver(agentIndex, report);
  const seen = new TwoKeyMap<number>();
  const desired: DesiredNumber[] = [];

  head.data.numbers.forEach((entry, index) => {
    const path: PathSegment[] = ['numbers', index];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return report(path, 'each number is a map with number, provider and the settings to have');
    const provider = (entry as Record<string, unknown>).provider;
    if (typeof provider !== 'string' || !isProviderName(provider)) {
      const hint = typeof provider === 'string' ? didYouMean(closestNames(provider, PROVIDERS)) : '';
      return report(provider === undefined ? path : [...path, 'provider'], provider === undefined ? 'this number has no provider' : `unknown provider ${JSON.stringify(provider)}${hint}; providers: ${PROVIDERS.join(', ')}`);
    }
    if (!scope.includes(provider)) return report([...path, 'provider'], `the file covers ${scope.join(', ')} (its providers list), not ${provider}`);
    const value = checkedEntry(entry as Record<string, unknown>, provider, path, report);
    if (!value) return;
    // A number written exactly as the cache holds it is E.164 already (the cache holds nothing else):
    // the phone-number library, the costliest part of reading a 10,000-number file, reads the others.
    let e164 = value.number as string;
    if (!rows.has(provider, e164) && !e164s.has(e164)) {
      try {
        e164 = toE164(e164, inputs.defaultCountry);
      } catch (error) {
        return report([...path, 'number'], error instanceof Error ? error.message : String(error));
      }
    }
    const earlier = seen.get(provider, e164);
    if (earlier !== undefined) {
      const first = source.entryLine(earlier);
      return report(path, `${e164} at ${provider} is in the file twice (also at line ${first ?? '?'}); keep one entry`);
    }
    seen.set(provider, e164, index);
    const row = rows.get(provider, e164);
    if (!row) {
      const elsewhere = [...new Set(inputs.rows.filter((r) => r.e164 === e164).map((r) => r.provider))];
      return report([...path, 'number'], elsewhere.length ? `${e164} is not a ${provider} number (it is at ${elsewhere.join(' and ')})` : `${e164} is not in the cache; run \`voicenum sync\` if it is new (a fleet file changes numbers, it does not buy them)`);
    }
    // Where it is written is worked out only for the numbers a plan shows.
    const wanted: DesiredNumber = { provider, providerId: row.providerId, e164, slots: {}, where: whereWritten(source.file, source.entryLine, index) };
    if ('label' in value) wanted.label = (value.label as string | null) ?? null;
    // A fallback to a cached number, too, is E.164 as written.
    if ('fallback' in value) wanted.fallback = fallbackValue(value.fallback as string | null, provider, (text) => (e164s.has(text) ? text : toE164(text, inputs.defaultCountry)));
    if ('region' in value) wanted.region = (value.region as string | null) ?? null;
    for (const slot of SLOTS) {
      const agents = value[slot] as AgentEntry[] | undefined;
      if (agents === undefined) continue;
      const resolved = resolveSlotOf(agents, path, row, slot);
      if (resolved) wanted.slots[slot] = resolved;
    }
    desired.push(wanted);
  });
  if (problems.length) throw await refuse();
  return { desired, scope };
}

/**
 * Where an entry is written, for a plan to show. Made out here, not in resolveFleetFile, so that
 * what the 10,000 closures keep is the file's name and line finder and not, through the scope they
 * were made in, the source and its parsed data, which can go once the file is read.
 */
function whereWritten(file: string, entryLine: (index: number) => number | null, index: number): () => string {
  return () => `${file}:${entryLine(index) ?? '?'}`;
}

/** The entry as the schema passes it, or null with its problems reported. */
function checkedEntry(entry: Record<string, unknown>, provider: ProviderName, path: PathSegment[], report: Report): Record<string, unknown> | null {
  if (passesEntrySchema(entry, provider)) return entry;
  const parsed = ENTRY_SCHEMAS[provider].safeParse(entry);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  for (const issue of parsed.error.issues) describeIssue(issue, path, report, entryKeys(capabilitiesOf(provider)), provider);
  return null;
}

function placed(problems: readonly Found[], locate: Locate): FileProblem[] {
  return problems.map((problem) => ({ at: locate(problem.path, problem.key), message: problem.message }));
}

function usage(file: string, problems: FileProblem[]): UsageError {
  const shown = problems.slice(0, MAX_PROBLEMS);
  // One line per problem; a problem quoting the file's text keeps any line break in it escaped.
  const lines = shown.map((problem) => `${where(file, problem.at)}: ${problem.message}`);
  if (problems.length > shown.length) lines.push(`(and ${problems.length - shown.length} more)`);
  return new UsageError(`${file} is not a fleet file voicenum can use:`, 'nothing was planned or pushed; `voicenum export --schema` prints the JSON Schema of the file', lines);
}

/** A fallback as compared: a phone number in E.164 where the provider's fallback is a number. */
function fallbackValue(value: string | null, provider: ProviderName, readNumber: (text: string) => string): string | null {
  if (value === null || value === '') return null;
  if (capabilitiesOf(provider).fallback.kind !== 'number') return value;
  try {
    return readNumber(value);
  } catch {
    // Kept as written: the plan refuses it with the provider's own words.
    return value;
  }
}

/** The agents of each provider, and by id: looked up once per agent entry of a 10,000-number file. */
interface AgentIndex {
  all: readonly KnownAgent[];
  own: Map<ProviderName, KnownAgent[]>;
  byId: Map<string, KnownAgent>;
}

function indexAgents(agents: readonly KnownAgent[]): AgentIndex {
  const own = new Map<ProviderName, KnownAgent[]>();
  const byId = new Map<string, KnownAgent>();
  for (const agent of agents) {
    own.set(agent.provider, [...(own.get(agent.provider) ?? []), agent]);
    byId.set(`${agent.provider}\u0000${agent.id}`, agent);
  }
  return { all: agents, own, byId };
}

type Report = (path: readonly PathSegment[], message: string, key?: string) => void;

/** An empty slot (`[]`) resolves to no agents, whoever holds what. */
const NO_AGENTS: DesiredAgent[] = [];

/**
 * resolveSlot, once per distinct slot of a provider: a fleet has few agents, so the same few slots
 * repeat over thousands of entries. Only what resolved without a problem is kept, and only where
 * the number's own slot played no part (every id given is a known agent's, so heldAgent is not
 * asked): then the agents depend on the entries and the provider alone. Entries share the agents
 * kept: nothing changes a DesiredAgent once made.
 */
function slotResolver(known: AgentIndex, report: Report) {
  const resolved = new TwoKeyMap<DesiredAgent[]>();
  return (entries: AgentEntry[], entryPath: readonly PathSegment[], row: CachedNumber, slot: Slot): DesiredAgent[] | null => {
    if (entries.length === 0) return NO_AGENTS;
    const key = JSON.stringify(entries);
    const kept = resolved.get(row.provider, key);
    if (kept) return kept;
    const agents = resolveSlot(entries, [...entryPath, slot], row, slot, known, report);
    if (agents && entries.every((entry) => entry.id === undefined || known.byId.has(`${row.provider}\u0000${entry.id}`))) resolved.set(row.provider, key, agents);
    return agents;
  };
}

function resolveSlot(entries: AgentEntry[], path: PathSegment[], row: CachedNumber, slot: Slot, known: AgentIndex, report: Report): DesiredAgent[] | null {
  const agents = known.all;
  const own = known.own.get(row.provider) ?? [];
  const resolved: DesiredAgent[] = [];
  let ok = true;
  entries.forEach((entry, index) => {
    const at = [...path, index];
    const ref = parseAgentRef(entry.agent);
    if (ref.provider && ref.provider !== row.provider) {
      ok = false;
      return report([...at, 'agent'], `"${entry.agent}" is a ${ref.provider} agent, but ${row.e164} is a ${row.provider} number: it takes ${row.provider} agents only`);
    }
    let agent: Pick<KnownAgent, 'id' | 'name'> | undefined;
    if (entry.id !== undefined) {
      agent = known.byId.get(`${row.provider}\u0000${entry.id}`) ?? heldAgent(row, slot, entry.id, ref.key);
      if (!agent) {
        ok = false;
        const byName = matchAgents({ provider: row.provider, key: ref.key }, own);
        return report([...at, 'id'], `no ${row.provider} agent has the id "${entry.id}"${byName.length === 1 ? ` (${byName[0]!.name} is ${byName[0]!.id})` : ''}; fix the id, or drop it to go by the name`);
      }
      if (ref.key !== agent.id && ref.key.toLowerCase() !== agent.name.toLowerCase()) {
        ok = false;
        return report([...at, 'agent'], `"${entry.agent}" does not name the agent of id ${agent.id} (that one is ${agent.name}); change both together, or drop the id`);
      }
    } else {
      const matches = matchAgents({ provider: row.provider, key: ref.key }, own);
      if (matches.length > 1) {
        ok = false;
        return report([...at, 'agent'], `"${ref.key}" is ambiguous at ${row.provider}: ${matches.map((m) => `${m.name} (${m.id})`).join(', ')}; add its id`);
      }
      agent = matches[0];
      if (!agent) {
        ok = false;
        const elsewhere = [...new Set(matchAgents({ provider: null, key: ref.key }, agents.filter((a) => a.provider !== row.provider)).map((a) => a.provider))];
        const also = elsewhere.length ? ` (${elsewhere.join(' and ')} has one, but a ${row.provider} number takes ${row.provider} agents only)` : didYouMean(suggestAgentNames({ provider: row.provider, key: ref.key }, own));
        return report([...at, 'agent'], `no ${row.provider} agent "${ref.key}"${also}`);
      }
    }
    let version: string | null = null;
    if (entry.version !== undefined) {
      version = String(entry.version);
      if (typeof entry.version === 'string' && !/^(\d+|latest|latest_published|[A-Za-z][\w.-]*)$/.test(entry.version)) {
        ok = false;
        return report([...at, 'version'], `"${entry.version}" is not a version (a number, a tag, latest or latest_published)`);
      }
      version = version.replace(/^0+(?=\d)/, '');
    }
    resolved.push({ agentId: agent.id, name: agent.name, weight: entry.weight ?? Number.NaN, version, text: entry.agent });
  });
  if (!ok) return null;
  if (new Set(resolved.map((a) => a.agentId)).size !== resolved.length) {
    report(path, 'an agent is named twice in this slot');
    return null;
  }
  if (resolved.length === 1) {
    const only = resolved[0]!;
    if (!Number.isNaN(only.weight) && Math.abs(only.weight - 1) > 1e-9) {
      report([...path, 0, 'weight'], `a single agent takes all calls; its weight is 1, not ${only.weight}`);
      return null;
    }
    only.weight = 1;
  } else if (resolved.length > 1) {
    if (resolved.some((a) => Number.isNaN(a.weight))) {
      report(path, 'a split needs a weight on every agent');
      return null;
    }
    const sum = resolved.reduce((total, a) => total + a.weight, 0);
    if (Math.abs(sum - 1) > 1e-6) {
      report(path, `the weights sum to ${Number(sum.toFixed(6))}, not 1`);
      return null;
    }
  }
  return resolved;
}

/**
 * An agent the number holds now that is no longer among the provider's agents (deleted upstream):
 * export writes it as it is, so the file that names it asks to keep it, which is no change. Doctor
 * reports the gone agent; the file is no place to refuse it.
 */
function heldAgent(row: CachedNumber, slot: Slot, id: string, key: string): Pick<KnownAgent, 'id' | 'name'> | undefined {
  const held = (row.slots[slot] ?? []).find((a) => a.agentId === id);
  if (!held || (key !== held.agentId && key.toLowerCase() !== (held.name ?? held.agentId).toLowerCase())) return undefined;
  return { id: held.agentId, name: held.name ?? held.agentId };
}

const TYPE_WORDS: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', array: 'a list', object: 'a map', null: 'null' };

/** One zod issue as a problem at its place, in words an operator can act on. */
function describeIssue(issue: $ZodIssue, base: PathSegment[], report: Report, keys: readonly string[], provider?: ProviderName): void {
  const path = [...base, ...(issue.path as PathSegment[])];
  const name = issue.path.length ? String(issue.path[issue.path.length - 1]) : null;
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys) report(path, unknownKey(key, issue.path.length === 0 ? keys : ['agent', 'id', 'weight', 'version'], provider, issue.path.length === 0), key);
      return;
    case 'invalid_type':
      if (issue.input === undefined) return report(path.slice(0, -1), `missing ${name}`);
      return report(path, `${name ?? 'the file'} should be ${TYPE_WORDS[issue.expected] ?? issue.expected}`);
    case 'invalid_value':
      return report(path, `${name ?? 'the value'} should be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`);
    case 'too_small':
    case 'too_big':
      if (name === 'weight') return report(path, 'a weight is above 0 and at most 1');
      if (name === 'version') return report(path, 'a version number is 0 or more');
      return report(path, `${name ?? 'the value'} cannot be empty`);
    case 'invalid_union':
      if (name === 'version') return report(path, 'a version is a number or a tag (latest, latest_published, a name)');
      return report(path, `${name ?? 'the value'} is not valid here`);
    default:
      return report(path, `${name ?? 'the value'}: ${issue.message}`);
  }
}

function unknownKey(key: string, keys: readonly string[], provider: ProviderName | undefined, isEntry: boolean): string {
  if (provider && isEntry) {
    const capabilities = capabilitiesOf(provider);
    if (SLOTS.includes(key as Slot)) {
      const support = capabilities.slots[key as Slot];
      if (!support.offered) return `${provider} numbers have no ${key} slot: ${support.reason}`;
    }
    if (key === 'fallback' && capabilities.fallback.kind === 'none') return `${provider} numbers have no fallback: ${capabilities.fallback.reason}`;
  }
  return `unknown key "${key}"${didYouMean(closestNames(key, keys))}; keys here: ${keys.join(', ')}`;
}
