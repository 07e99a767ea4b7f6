import { ExitCode } from '../../domain/errors.js';
import { applyPorts } from '../../engine/ports.js';
import { describeSetting as show, fallbackChange, labelChange, pushSetting, readSettingConflict, regionalProvider, regionChange, regionRecord, type SettingChange, type SettingValue } from '../../engine/settings.js';
import { PLAN_ROW_COLUMNS, planRow, type PlanRow } from '../../output/plan-rows.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Store } from '../../store/index.js';
import type { Context } from '../context.js';
import { requireJsonFields } from '../json-fields.js';
import { REGION_SHOW_FIELDS, SETTING_FIELDS, type RegionOptions, type SettingOptions } from './settings.command.js';
import { parseProviders } from '../options.js';
import { resolveNumber } from '../resolve-number.js';

type SettingFlags = SettingOptions | RegionOptions;

/** Print a plan, or push the change through the engine and print the outcome. */
async function runSetting(ctx: Context, store: Store, change: SettingChange, flags: SettingFlags): Promise<number> {
  const { printer } = ctx;
  const json = flags.json;
  requireJsonFields(json, SETTING_FIELDS, `a ${change.field} change`);
  const summary = { e164: change.row.e164, provider: change.provider, id: change.providerId, field: change.field, before: change.before, after: change.after };
  if (change.before === change.after) {
    if (json) printer.json(selectFields({ ...summary, outcome: 'unchanged' }, json));
    else printer.info(`${change.row.e164}: ${change.field} is already ${neutralize(show(change.after))}; nothing to push`);
    return 0;
  }
  if (flags.dryRun) {
    // Rule 8 ahead of time, as for assignments: a dashboard change shows before the real run.
    const upstream: SettingValue | undefined = ctx.options.offline ? undefined : await readSettingConflict(applyPorts(ctx, store), change);
    const conflict = upstream === undefined ? null : `${change.field} of ${change.row.e164} is ${neutralize(show(upstream))} upstream but ${neutralize(show(change.before))} in the cache`;
    if (json) printer.json(selectFields({ ...summary, outcome: 'planned', conflict: upstream === undefined ? null : { upstream, cached: change.before } }, json));
    else if (!ctx.io.isStdoutTTY) printer.rows(settingPlanRows(change, upstream), PLAN_ROW_COLUMNS, 'tsv');
    else printer.data(`${change.row.e164}  ${change.provider}\n  ${change.field.padEnd(9)}${neutralize(show(change.before))} → ${neutralize(show(change.after))}\n${conflict ? `  ${printer.out.fail('conflict:')} ${conflict}\n` : ''}`);
    return conflict && !flags.force ? ExitCode.Conflict : ExitCode.Ok;
  }
  const { before } = await pushSetting(applyPorts(ctx, store), change, { force: Boolean(flags.force), writePhase: (work) => ctx.interrupt.writePhase(work) });
  if (json) printer.json(selectFields({ ...summary, before, outcome: 'applied' }, json));
  else if (ctx.io.isStdoutTTY) printer.data(`${printer.out.success('✓')} ${change.row.e164}  ${change.field}: ${neutralize(show(before))} → ${neutralize(show(change.after))}\n`);
  else printer.data(`${[change.row.e164, change.provider, 'applied', neutralize(`${change.field}: ${show(before)} -> ${show(change.after)}`)].join('\t')}\n`);
  return 0;
}

/** A setting's dry-run plan as piped rows (columns in src/output/plan-rows.ts): the change, and a conflict if upstream moved. */
function settingPlanRows(change: SettingChange, upstream: SettingValue | undefined): PlanRow[] {
  const own = { number: change.row.e164, provider: change.provider, field: change.field };
  const rows = [planRow({ ...own, before: show(change.before), after: show(change.after), action: change.after === null || change.after === '' ? 'clear' : 'set' })];
  if (upstream !== undefined) rows.push(planRow({ ...own, action: 'conflict', note: `${change.field} of ${change.row.e164} is ${show(upstream)} upstream but ${show(change.before)} in the cache` }));
  return rows;
}

/** `numbers label NUMBER TEXT`: Retell nickname, Vapi name, Bland label, Twilio friendly_name. */
export async function runLabel(ctx: Context, input: string, text: string, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  return runSetting(ctx, store, labelChange(row, text, Boolean(flags.force)), flags);
}

/** `numbers fallback NUMBER (E164 | URL | none)`: where calls go when the agent cannot take them. */
export async function runFallback(ctx: Context, input: string, target: string, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  return runSetting(ctx, store, fallbackChange(store, row, target, ctx.settings().defaultCountry, Boolean(flags.force)), flags);
}

/** `numbers region NUMBER [REGION]`: show or set the Twilio inbound processing region (Routes v2). */
export async function runRegion(ctx: Context, input: string, region: string | undefined, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  const wanted = region?.toLowerCase();
  const regional = regionalProvider();
  const valid = regional.regions ?? [];
  if (wanted === undefined) {
    const record = regionRecord(row);
    requireJsonFields(flags.json, REGION_SHOW_FIELDS, 'the region of a number');
    if (flags.json) ctx.printer.json(selectFields({ e164: row.e164, provider: record.provider, id: record.providerId, region: record.region, valid }, flags.json));
    else if (ctx.io.isStdoutTTY) ctx.printer.data(`${row.e164}  region ${record.region ?? 'unknown'}  ${ctx.printer.out.dim(`(valid: ${valid.join(', ')})`)}\n`);
    else ctx.printer.data(`${row.e164}\t${record.region ?? ''}\t${valid.join(',')}\n`);
    return 0;
  }
  const change = regionChange(row, wanted, Boolean(flags.force));
  const code = await runSetting(ctx, store, change, flags);
  if (!flags.dryRun && change.before !== wanted) {
    ctx.printer.info(`note: ${regional.displayName} takes a few minutes to move ${row.e164} to ${wanted}; its voice configuration (URL, TwiML app or trunk) must already exist in ${wanted}, which keeps its own copy`);
  }
  return code;
}
