import { parseAgentRef, type AgentRef } from './agent-ref.js';
import { UsageError } from './errors.js';

/** One agent as written in `--inbound`: `sales`, `sales=0.7`, `sales@3`, `retell:sales@latest_published=0.5`. */
export interface AgentSpec {
  ref: AgentRef;
  /** Share in (0, 1]; 1 for a single agent. */
  weight: number;
  /** Retell version pin: a number, a tag, `latest` or `latest_published`. */
  version: string | null;
  /** As typed, for messages. */
  text: string;
}

/**
 * A numeric pin in its canonical form (`007` → `7`, what Retell answers back). Retell's versions
 * are JSON integers, exact only up to 2^53 − 1 in every JSON client: a larger one cannot be a
 * version Retell holds, and sending it as a number would round it to a neighbour that might be.
 * The digits are compared as text, so nothing here rounds either.
 */
function versionNumber(flag: string, digits: string): string {
  const canonical = digits.replace(/^0+(?=\d)/, '');
  const max = String(Number.MAX_SAFE_INTEGER);
  if (canonical.length > max.length || (canonical.length === max.length && canonical > max)) {
    throw new UsageError(`${flag}: version ${digits} is larger than any version Retell can hold (at most ${max})`);
  }
  return canonical;
}

/**
 * Parse a slot value. Several agents are a weighted split (Retell): each needs a weight and the
 * weights must sum to 1. Written by hand: the grammar is ours, and tiny.
 */
export function parseSlotValue(flag: string, value: string): AgentSpec[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new UsageError(`${flag} "${value}" has an empty agent`, `write ${flag} sales, or a split: ${flag} sales=0.7,support=0.3`);
  const specs = parts.map((part) => {
    const eq = part.lastIndexOf('=');
    let weightText: string | null = null;
    let rest = part;
    if (eq > 0) {
      weightText = part.slice(eq + 1).trim();
      rest = part.slice(0, eq).trim();
    }
    const at = rest.lastIndexOf('@');
    let version: string | null = null;
    if (at > 0) {
      version = rest.slice(at + 1).trim();
      rest = rest.slice(0, at).trim();
      if (!/^(\d+|latest|latest_published|[A-Za-z][\w.-]*)$/.test(version)) throw new UsageError(`${flag}: "${version}" is not a version (a number, a tag, latest or latest_published)`);
      if (/^\d+$/.test(version)) version = versionNumber(flag, version);
    }
    let weight = Number.NaN;
    if (weightText !== null) {
      weight = Number(weightText);
      if (!Number.isFinite(weight) || weight <= 0 || weight > 1) throw new UsageError(`${flag}: weight "${weightText}" of ${rest} must be a number above 0 and at most 1`);
    }
    return { ref: parseAgentRef(rest), weight, version, text: part };
  });
  if (specs.length === 1) {
    const [only] = specs;
    if (!Number.isNaN(only!.weight) && Math.abs(only!.weight - 1) > 1e-9) throw new UsageError(`${flag}: a single agent takes all calls; its weight must be 1, not ${only!.weight}`);
    only!.weight = 1;
    return specs;
  }
  if (specs.some((spec) => Number.isNaN(spec.weight))) throw new UsageError(`${flag}: a split needs a weight on every agent`, `e.g. ${flag} sales=0.7,support=0.3`);
  const sum = specs.reduce((total, spec) => total + spec.weight, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new UsageError(`${flag}: the weights sum to ${Number(sum.toFixed(6))}, not 1`, `e.g. ${flag} sales=0.7,support=0.3`);
  const names = specs.map((spec) => `${spec.ref.provider ?? ''}:${spec.ref.key.toLowerCase()}`);
  if (new Set(names).size !== names.length) throw new UsageError(`${flag}: an agent is named twice in "${value}"`);
  return specs;
}
