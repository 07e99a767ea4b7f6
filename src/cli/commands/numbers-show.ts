import { renderCard } from '../../output/grid.js';
import { withArticle } from '../../domain/wording.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import { capabilitiesOf, REGION_PROVIDER } from '../../providers/registry.js';
import { lifecycleKey, numberRecord, PROVIDER_SLOTS, statusText, type NumberRow } from '../../store/index.js';
import { auditText } from '../audit-text.js';
import { wayOut } from '../open-operations.js';
import type { Context } from '../context.js';
import type { NumbersShowOptions } from './numbers-show.command.js';
import { parseProviders } from '../options.js';
import { resolveNumber } from '../resolve-number.js';
import { warnIfStale } from '../staleness.js';

export async function runNumbersShow(ctx: Context, input: string, options: NumbersShowOptions): Promise<number> {
  const store = await ctx.store();
  const { row, all } = resolveNumber(ctx, store, input, parseProviders(options.provider)?.[0]);
  warnIfStale(ctx, store);
  // An import, purchase or release that is running or left corrupted (numbers repair).
  const lifecycle = store.lifecycleStates().get(lifecycleKey(row.e164, row.provider));
  // A corrupted operation keeps what must be done by hand, with the SIDs.
  const op = lifecycle ? store.lifecycleOpsOf(row.e164).filter((o) => o.provider === row.provider || o.carrier === row.provider).at(-1) : undefined;
  const manualSteps = op?.state === 'corrupted' && Array.isArray(op.detail.manualSteps) ? (op.detail.manualSteps as unknown[]).map(String) : [];
  const others = all.filter((other) => other !== row && !(other.provider === row.carrier?.provider && row.carrier.providerId === other.providerId));
  if (ctx.printer.format({ json: options.json, plain: options.plain }) === 'json') {
    ctx.printer.json(selectFields({ ...numberRecord(row), state: lifecycle ?? 'active', lifecycle: lifecycle ?? null, manualSteps, removed: row.removed, firstSeenAt: row.firstSeenAt, otherRecords: others.map(numberRecord), history: store.readAudit({ e164: row.e164, limit: 20 }).map(({ at, osUser, field, before, after, outcome }) => ({ at, osUser, field, before: JSON.parse(before) as unknown, after: JSON.parse(after) as unknown, outcome })) }, options.json));
    return 0;
  }
  const lines = describe(ctx, row);
  if (lifecycle) {
    const way = lifecycle === 'corrupted' ? ` — see \`${ctx.hintCommand(`numbers repair ${row.e164}`)}\`` : op?.ownerGone ? ` — left unfinished by a run that stopped: ${wayOut(ctx, op)}` : '';
    lines.splice(4, 0, ['lifecycle', ctx.printer.out.fail(`${lifecycle}${way}`)], ...manualSteps.map((step): [string, string] => ['by hand', neutralize(step)]));
  }
  for (const other of others) lines.push(['also at', `${other.provider} ${other.providerId}${other.removed ? ' (removed)' : ''}`]);
  for (const change of store.readAudit({ e164: row.e164, limit: 5 })) {
    lines.push(['history', `${change.at} ${neutralize(change.osUser)} ${change.field}: ${neutralize(auditText(change.before))} → ${neutralize(auditText(change.after))} (${change.outcome})`]);
  }
  if (ctx.io.isStdoutTTY && !options.plain) {
    ctx.printer.data(await renderCard(lines, { key: ctx.printer.out.dim, width: ctx.io.columns }));
  } else {
    ctx.printer.data(lines.map(([key, value]) => `${key}\t${value}`).join('\n') + '\n');
  }
  return 0;
}

function describe(ctx: Context, row: NumberRow): [string, string][] {
  const theme = ctx.printer.out;
  const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
  const lines: [string, string][] = [
    ['number', row.e164],
    ['provider', `${theme.provider(row.provider)} ${row.providerId}`],
    ['label', neutralize(row.label ?? '')],
    ['status', theme.status(statusText(row) || 'unknown')],
  ];
  if (row.needsAttention) lines.push(['attention', neutralize(row.needsAttention)]);
  for (const slot of ['inbound', 'outbound', 'sms'] as const) {
    if (!PROVIDER_SLOTS[row.provider].includes(slot)) {
      lines.push([slot, theme.dim(`not ${withArticle(row.provider)} setting`)]);
      continue;
    }
    const agents = row.slots[slot];
    lines.push([
      slot,
      agents.length === 0
        ? theme.dim('unassigned')
        : agents
            .map((a) => `${neutralize(a.name ?? '(unknown agent)')} ${theme.dim(a.agentId)}${a.version !== null ? ` @${neutralize(a.version)}` : ''}${agents.length > 1 || a.weight !== 1 ? ` weight ${a.weight}` : ''}${a.live === false ? theme.warn(' draft') : ''}`)
            .join('; '),
    ]);
  }
  lines.push(['voice', yesNo(row.capabilities.voice)], ['sms capable', yesNo(row.capabilities.sms)]);
  lines.push(['region', row.region ?? theme.dim(row.carrier || capabilitiesOf(row.provider).regions ? 'unknown' : `none (not a ${REGION_PROVIDER?.displayName ?? 'regional'} number)`)]);
  lines.push(['fallback', neutralize(row.fallback ?? '') || theme.dim('none')]);
  if (row.origin) lines.push(['origin', neutralize(row.origin)]);
  if (row.carrier) lines.push(['carrier', `${row.carrier.provider} ${row.carrier.providerId}${row.carrier.label ? ` "${neutralize(row.carrier.label)}"` : ''}${row.carrier.status ? ` ${neutralize(row.carrier.status)}` : ''}`]);
  lines.push(['synced', row.syncedAt], ['first seen', row.firstSeenAt]);
  return lines;
}
