import { SLOTS, type ProviderName } from '../../domain/model.js';
import { slotUnavailable } from '../../domain/rules.js';
import { capabilitiesOf } from '../../providers/registry.js';
import type { NumberRow } from '../../store/index.js';
import { FLEET_FILE_VERSION } from './schema.js';

/**
 * The fleet as a file: one entry per number (as `numbers list` has them), ordered by provider then
 * number, each with every setting voicenum can change on it and nothing else. The same data makes
 * the JSON and the YAML; the YAML is written here rather than by the yaml package's stringifier,
 * which takes seconds on 10,000 numbers: the shape is fixed, and every scalar is either plain
 * (safe words) or a double-quoted JSON string, which YAML reads as the same text. A test reads the
 * output back with the yaml package and compares.
 */

export interface FleetAgentOut {
  agent: string;
  id: string;
  weight?: number;
  version?: string;
}

export type FleetEntryOut = Record<string, string | null | FleetAgentOut[]>;

export interface FleetFileOut {
  version: number;
  providers?: ProviderName[];
  numbers: FleetEntryOut[];
}

/** The region a number's entry shows: its own (the carrier), or its carrier record's; undefined when it has none. */
function regionOf(row: NumberRow): string | null | undefined {
  if (capabilitiesOf(row.provider).regions) return row.region ?? undefined;
  if (row.carrier && capabilitiesOf(row.carrier.provider).regions) return row.carrier.region ?? undefined;
  return undefined;
}

export function fleetEntry(row: NumberRow): FleetEntryOut {
  const capabilities = capabilitiesOf(row.provider);
  const entry: FleetEntryOut = { number: row.e164, provider: row.provider, label: row.label === '' ? null : row.label };
  if (capabilities.fallback.kind !== 'none') entry.fallback = row.fallback === '' ? null : row.fallback;
  const region = regionOf(row);
  if (region !== undefined) entry.region = region;
  for (const slot of SLOTS) {
    // A slot the number cannot have (Vapi texts only on imported numbers) is left out, as the schema says.
    if (slotUnavailable(capabilities, row, slot) !== null) continue;
    const agents = row.slots[slot];
    entry[slot] = agents.map((a) => ({
      agent: `${row.provider}:${a.name ?? a.agentId}`,
      id: a.agentId,
      ...(agents.length > 1 ? { weight: a.weight } : {}),
      ...(a.version !== null ? { version: a.version } : {}),
    }));
  }
  return entry;
}

export function fleetFile(rows: readonly NumberRow[], providers: ProviderName[] | undefined): FleetFileOut {
  const sorted = [...rows].sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.e164 < b.e164 ? -1 : a.e164 > b.e164 ? 1 : 0));
  return { version: FLEET_FILE_VERSION, ...(providers ? { providers } : {}), numbers: sorted.map(fleetEntry) };
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

export function fleetYaml(file: FleetFileOut, schemaHint?: string): string {
  const out: string[] = [...HEADER];
  if (schemaHint) out.push(`# yaml-language-server: $schema=${schemaHint}`);
  out.push(`version: ${file.version}`);
  if (file.providers) out.push(`providers: [${file.providers.map((p) => scalar(p, true)).join(', ')}]`);
  out.push(file.numbers.length ? 'numbers:' : 'numbers: []');
  for (const entry of file.numbers) {
    let first = true;
    for (const [key, value] of Object.entries(entry)) {
      const text = Array.isArray(value) ? `[${value.map(agentFlow).join(', ')}]` : scalar(value, false);
      out.push(`${first ? '  - ' : '    '}${key}: ${text}`);
      first = false;
    }
  }
  return `${out.join('\n')}\n`;
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

/** A scalar: plain when that is safe, else a double-quoted JSON string with the unusual characters escaped. */
function scalar(value: string | null, flow: boolean): string {
  if (value === null) return 'null';
  if ((flow ? PLAIN_FLOW : PLAIN_BLOCK).test(value) && !RESERVED.test(value)) return value;
  // JSON escapes quotes, backslashes and C0 controls; YAML also breaks lines at NEL, LS and PS and
  // wants printable text, so those and the C1 controls (and a BOM) are escaped too.
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
