/** An audit log value as text: agent names (with weights for a split) for slots, the value for settings. */
export function auditText(json: string): string {
  const value = JSON.parse(json) as { agentId: string; name: string | null; weight: number }[] | string | null;
  if (value === null || value === '') return '(none)';
  if (!Array.isArray(value)) return String(value);
  return value.length ? value.map((a) => `${a.name ?? a.agentId}${value.length > 1 ? `=${a.weight}` : ''}`).join(', ') : '(none)';
}
