import { isSlot, type RemoteNumber } from './model.js';

/** A version pin as the cache and the audit log store it: text (Retell answers numbers too), or null for none. */
export function versionText(version: unknown): string | null {
  return version === undefined || version === null ? null : String(version);
}

/**
 * A field of an upstream record in the form the audit log stores it: a slot as its agents
 * (`agentId`, `weight`, `version`), a setting (`label`, `fallback`, `region`) as text or null.
 * The intent journal and the needs-attention check compare what upstream holds with these values.
 */
export function fieldValue(number: RemoteNumber, field: string): unknown {
  if (isSlot(field)) return number.slots[field].map((a) => ({ agentId: a.agentId, weight: a.weight, version: versionText(a.version) }));
  if (field === 'label') return number.label === '' ? null : number.label;
  if (field === 'fallback') return number.fallback === '' ? null : number.fallback;
  if (field === 'region') return number.region;
  throw new Error(`no field "${field}" on a number record`);
}

/** Whether two audit values of a field name the same state (agent names are ignored, order too). */
export function sameFieldValue(field: string, a: unknown, b: unknown): boolean {
  if (!isSlot(field)) return (a ?? null) === (b ?? null);
  const keys = (value: unknown) => (Array.isArray(value) ? value : []).map(agentKey).sort();
  const left = keys(a);
  const right = keys(b);
  return left.length === right.length && left.every((key, i) => key === right[i]);
}

function agentKey(agent: { agentId?: unknown; weight?: unknown; version?: unknown }): string {
  const weight = typeof agent.weight === 'number' ? Math.round(agent.weight * 1e6) : '';
  return `${String(agent.agentId)}|${weight}|${versionText(agent.version) ?? ''}`;
}
