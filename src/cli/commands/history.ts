import { toE164 } from '../../domain/phone.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Column } from '../../output/table.js';
import type { AuditRow } from '../../store/index.js';
import { auditText } from '../audit-text.js';
import type { Context } from '../context.js';
import type { HistoryOptions } from './history.command.js';
import { parseLimit } from '../options.js';


/** The audit log: every change voicenum pushed or tried to push, oldest first. */
export async function runHistory(ctx: Context, number: string | undefined, options: HistoryOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const store = await ctx.store();
  const e164 = number ? toE164(number, ctx.settings().defaultCountry) : undefined;
  const rows = store.readAudit({ e164, limit: options.limit === undefined ? undefined : parseLimit(options.limit) });
  if (format === 'json') {
    ctx.printer.json(selectFields(rows.map(({ id, before, after, ...rest }) => ({ id, ...rest, before: JSON.parse(before) as unknown, after: JSON.parse(after) as unknown })), options.json));
    return 0;
  }
  const theme = ctx.printer.out;
  const columns: Column<AuditRow>[] = [
    // The ids `voicenum undo` takes: a change, or its run (a batch; the table shows its first 8 characters, enough for --batch).
    { header: 'ID', value: (r) => String(r.id) },
    { header: 'BATCH', value: (r) => (format === 'table' ? r.batch.slice(0, 8) : r.batch) },
    { header: 'WHEN', value: (r) => r.at },
    { header: 'USER', value: (r) => neutralize(r.osUser) },
    { header: 'NUMBER', value: (r) => r.e164 },
    { header: 'PROVIDER', value: (r) => r.provider, style: (t) => theme.provider(t) },
    { header: 'FIELD', value: (r) => r.field },
    { header: 'BEFORE', value: (r) => neutralize(auditText(r.before)), max: 30 },
    { header: 'AFTER', value: (r) => neutralize(auditText(r.after)), max: 30 },
    { header: 'OUTCOME', value: (r) => r.outcome, style: (t) => (t === 'applied' ? theme.success(t) : theme.fail(t)) },
    { header: 'ERROR', value: (r) => neutralize(r.error ?? ''), max: 60 },
  ];
  ctx.printer.rows(rows, columns, format);
  if (rows.length === 0 && format === 'table') ctx.printer.info('no changes recorded yet');
  return 0;
}
