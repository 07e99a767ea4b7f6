import { SLOTS, type ProviderName, type Slot } from '../../domain/model.js';
import { slotUnavailable } from '../../domain/rules.js';
import { capabilitiesOf } from '../../providers/registry.js';
import type { RecordAgent, Store } from '../../store/index.js';
import { FLEET_FILE_VERSION } from './file-version.js';

/**
 * The fleet as a file: one entry per number (as `numbers list` has them), ordered by provider then
 * number, each with every setting voicenum can change on it and nothing else. The same data makes
 * the JSON and the YAML; the YAML is written here rather than by the yaml package's stringifier,
 * which takes seconds on 10,000 numbers: the shape is fixed, and every scalar is either plain
 * (safe words) or a double-quoted JSON string, which YAML reads as the same text. A test reads the
 * output back with the yaml package and compares.
 *
 * Speed (10,000 numbers): SQLite picks the few fields an entry needs out of the stored list records,
 * the slots as JSON text. A fleet has few agents, so that text repeats: the slots of an entry are
 * parsed, made and written as YAML once per distinct text, and shared by every entry with it.
 */

export interface FleetAgentOut {
  agent: string;
  id: string;
  weight?: number;
  version?: string;
}

export type FleetEntryOut = Record<string, string | null | readonly FleetAgentOut[]>;

export interface FleetFileOut {
  version: number;
  providers?: ProviderName[];
  numbers: FleetEntryOut[];
}

/** The fields of a stored list record an entry is made of (the rest of the record is not read). */
const ROW_PATHS = ['$.e164', '$.provider', '$.label', '$.fallback', '$.region', '$.origin', '$.carrier.provider', '$.carrier.region', '$.slots'] as const;
type FleetRow = [e164: string, provider: ProviderName, label: string | null, fallback: string | null, region: string | null, origin: string | null, carrierProvider: ProviderName | null, carrierRegion: string | null, slots: string];

/** The cached numbers (of these providers) as export writes them, ordered by provider then number. */
export function cachedFleetRows(store: Store, providers?: readonly ProviderName[]): Iterable<FleetRow> {
  return store.listViewFields({ ...(providers ? { providers: [...providers] } : {}), sort: 'provider' }, ROW_PATHS) as Iterable<FleetRow>;
}

/** The region a number's entry shows: its own (the carrier), or its carrier record's; undefined when it has none. */
function regionOf(row: FleetRow): string | null | undefined {
  if (capabilitiesOf(row[1]).regions) return row[4] ?? undefined;
  if (row[6] && capabilitiesOf(row[6]).regions) return row[7] ?? undefined;
  return undefined;
}

type SlotPart = Partial<Record<Slot, readonly FleetAgentOut[]>>;

/** Turns rows into entries; the slots part of an entry is made once per distinct stored slots text. */
export function entryMaker(): (row: FleetRow) => FleetEntryOut {
  const parts = new Map<string, SlotPart>();
  const slotPart = (row: FleetRow): SlotPart => {
    const key = `${row[1]}\u0000${row[5] ?? ''}\u0000${row[8]}`;
    let part = parts.get(key);
    if (part === undefined) {
      const capabilities = capabilitiesOf(row[1]);
      const slots = JSON.parse(row[8]) as Record<Slot, RecordAgent[] | null>;
      part = {};
      for (const slot of SLOTS) {
        // A slot the number cannot have (Vapi texts only on imported numbers) is left out, as the schema says.
        if (slotUnavailable(capabilities, { origin: row[5] }, slot) !== null) continue;
        const agents = slots[slot] ?? [];
        part[slot] = agents.map((a) => {
          const agent: FleetAgentOut = { agent: `${row[1]}:${a.name ?? a.agentId}`, id: a.agentId };
          if (agents.length > 1) agent.weight = a.weight;
          if (a.version !== null) agent.version = a.version;
          return agent;
        });
      }
      parts.set(key, part);
    }
    return part;
  };
  return (row) => {
    const entry: FleetEntryOut = { number: row[0], provider: row[1], label: row[2] === '' ? null : row[2] };
    if (capabilitiesOf(row[1]).fallback.kind !== 'none') entry.fallback = row[3] === '' ? null : row[3];
    const region = regionOf(row);
    if (region !== undefined) entry.region = region;
    return Object.assign(entry, slotPart(row));
  };
}

/** The head of the file: its version and, for an export of some providers, which. */
export function fleetHead(providers: ProviderName[] | undefined): Omit<FleetFileOut, 'numbers'> {
  return { version: FLEET_FILE_VERSION, ...(providers ? { providers } : {}) };
}

/** The entries of the rows, each made as it is reached. */
export function* fleetEntries(rows: Iterable<FleetRow>): Generator<FleetEntryOut> {
  const make = entryMaker();
  for (const row of rows) yield make(row);
}

export function fleetFile(rows: Iterable<FleetRow>, providers: ProviderName[] | undefined): FleetFileOut {
  return { ...fleetHead(providers), numbers: [...fleetEntries(rows)] };
}

export function fleetJson(file: FleetFileOut): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

const HEADER = [
  '# voicenum fleet file: every number, and each setting voicenum can change on it.',
  '# Edit it, then `voicenum plan -f FILE` shows the changes and `voicenum apply -f FILE` makes them.',
  '# A key left out is left as it is; [] empties a slot; null clears a label or a fallback.',
  '# Agents are provider:name with their id; the id decides which agent is meant.',
];

/** The YAML of the entries, each written as it comes (none is kept: pass fleetEntries(rows)), and how many. */
export function fleetYaml(entries: Iterable<FleetEntryOut>, providers: ProviderName[] | undefined): { text: string; count: number } {
  const head = fleetHead(providers);
  const out: string[] = [...HEADER];
  out.push(`version: ${head.version}`);
  if (head.providers) out.push(`providers: [${head.providers.map((p) => scalar(p, true)).join(', ')}]`);
  const numbersAt = out.push('numbers:') - 1;
  const write = entryWriter();
  for (const entry of entries) out.push(write(entry));
  const count = out.length - numbersAt - 1;
  if (count === 0) out[numbersAt] = 'numbers: []';
  return { text: `${out.join('\n')}\n`, count };
}

/** Writes one entry as its lines of YAML, in one string (10,000 strings for 10,000 entries, not 70,000). */
export function entryWriter(): (entry: FleetEntryOut) => string {
  // Entries share their slot lists (entryMaker): each list is written once.
  const slotTexts = new Map<readonly FleetAgentOut[], string>();
  const slotText = (agents: readonly FleetAgentOut[]): string => {
    let text = slotTexts.get(agents);
    // `[ { … } ]`, spaced as the yaml package writes a flow list (flowCollectionPadding), so a file
    // updated in place (update-in-place.ts) and one written here look alike.
    if (text === undefined) slotTexts.set(agents, (text = agents.length ? `[ ${agents.map(agentFlow).join(', ')} ]` : '[]'));
    return text;
  };
  return (entry) => {
    const lines: string[] = [];
    for (const key in entry) {
      const value = entry[key]!;
      lines.push(`${key}: ${typeof value === 'object' && value !== null ? slotText(value) : scalar(value, false)}`);
    }
    return `  - ${lines.join('\n    ')}`;
  };
}

function agentFlow(agent: FleetAgentOut): string {
  const parts = [`agent: ${scalar(agent.agent, true)}`, `id: ${scalar(agent.id, true)}`];
  if (agent.weight !== undefined) parts.push(`weight: ${agent.weight}`);
  if (agent.version !== undefined) parts.push(`version: ${scalar(agent.version, true)}`);
  return `{ ${parts.join(', ')} }`;
}

/** Words YAML would read as something other than text. */
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
/** Text that reads back as itself when written plain: a letter first, then letters, digits, spaces between words and `_.@/-`. */
const PLAIN_BLOCK = /^[A-Za-z_][A-Za-z0-9_.@/-]*(?: [A-Za-z0-9_.@/-]+)*$/;
const PLAIN_FLOW = /^[A-Za-z_][A-Za-z0-9_.@/-]*$/;
const E164 = /^\+[0-9]{1,15}$/;

/** A scalar: plain when that is safe, else a double-quoted JSON string with the unusual characters escaped. */
function scalar(value: string | null, flow: boolean): string {
  if (value === null) return 'null';
  // A number in E.164 (most scalars of a fleet) needs quotes (a plain + would read as text anyway, but
  // quoted it cannot be taken for an integer) and no escapes.
  if (E164.test(value)) return `"${value}"`;
  if ((flow ? PLAIN_FLOW : PLAIN_BLOCK).test(value) && !RESERVED.test(value)) return value;
  // JSON escapes quotes, backslashes and C0 controls; YAML also breaks lines at NEL, LS and PS and
  // wants printable text, so those and the C1 controls (and a BOM) are escaped too.
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
