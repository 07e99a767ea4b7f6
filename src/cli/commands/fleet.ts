import { readFileSync } from 'node:fs';
import { CancelledError, ExitCode, RefusedError, UsageError, VoicenumError } from '../../domain/errors.js';
import { PROVIDERS, type ProviderName } from '../../domain/model.js';
import type { KnownAgent, NumberPlan } from '../../domain/rules.js';
import { fieldValue, sameFieldValue } from '../../domain/field-values.js';
import { applyFleetNumber, type FleetResult } from '../../engine/fleet/apply.js';
import { describeValue, planFleet, type CachedNumber, type DesiredNumber, type FleetChange, type FleetNumberPlan, type FleetPlan } from '../../engine/fleet/plan.js';
import type { ApplyResult } from '../../engine/apply.js';
import { applyPorts, type RunPorts } from '../../engine/ports.js';
import { refuseMissingVersions } from '../../engine/version-pins.js';
import { PLAN_ROW_COLUMNS, planRow, type PlanRow } from '../../output/plan-rows.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { NumberRow, Store } from '../../store/index.js';
import { capabilitiesOf } from '../../providers/registry.js';
import { forEachConcurrently } from '../../util/concurrency.js';
import type { Context } from '../context.js';
import { cachedFleet } from '../fleet/cached-rows.js';
import { writeOutput as write } from '../fleet/output-file.js';
import { resolveFleetFile } from '../fleet/resolve.js';
import { desiredFromPlan, isSavedPlan, readSavedPlan, savePlan } from '../fleet/saved-plan.js';
import { FleetFileError, readFleetSource, where, type FleetSource } from '../fleet/source.js';
import { canPrompt } from '../prompter.js';
import { warnIfStale } from '../staleness.js';
import type { ApplyOptions, PlanOptions } from './fleet.command.js';

/** Numbers pushed (and read) at once unless --concurrency says otherwise: as many as a batch `assign`. */
const DEFAULT_CONCURRENCY = 8;

// --- reading a fleet file or a saved plan ---

interface Loaded {
  desired: DesiredNumber[];
  /** The cache's agents, read once for the file and the plan. */
  agents: readonly KnownAgent[];
  scope: ProviderName[];
  /** The file was a saved plan: its changes are pushed as they are (pruning included). */
  saved: boolean;
  source: string;
  allowDraft: boolean;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function load(ctx: Context, store: Store, file: string, rows: readonly CachedNumber[], allowDraft: boolean): Promise<Loaded> {
  const text = readText(file);
  let source: FleetSource;
  try {
    source = await readFleetSource(file, text);
  } catch (error) {
    if (error instanceof FleetFileError) throw new UsageError(`${file} is not a fleet file voicenum can use:`, 'nothing was planned or pushed', error.problems.map((problem) => `${where(file, problem.at)}: ${problem.message}`));
    throw error;
  }
  // Without the per-slot counts `agents list` shows: nothing here reads them.
  const agents = store.knownAgents({ includeRemoved: true });
  if (isSavedPlan(source.data)) {
    const saved = readSavedPlan(file, source.data, ctx.profile);
    return { desired: desiredFromPlan(saved), agents, scope: [...PROVIDERS], saved: true, source: file, allowDraft: allowDraft || saved.allowDraft };
  }
  const fleet = await resolveFleetFile(source, { rows, agents, defaultCountry: ctx.settings().defaultCountry });
  return { ...fleet, agents, saved: false, source: file, allowDraft };
}

// --- plan ---

export async function runPlan(ctx: Context, options: PlanOptions): Promise<number> {
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const cache = cachedFleet(store);
  const loaded = await load(ctx, store, options.file, cache.numbers, Boolean(options.allowDraft));
  const flags = { prune: Boolean(options.prune) && !loaded.saved, scope: loaded.scope, allowDraft: loaded.allowDraft, force: false, agents: loaded.agents };
  let plan = planFleet(store, ctx.settings(), loaded.desired, { ...flags, cache });
  let refreshed: { read: number; changed: number } | null = null;
  if (!ctx.options.offline && plan.numbers.length) {
    // What upstream holds now, for the numbers the plan would write: the cache is updated with it and
    // the plan made again, so it shows (and a saved plan keeps) the state it will really change.
    refreshed = await refreshTouched(ctx, store, plan);
    if (refreshed.changed) plan = planFleet(store, ctx.settings(), loaded.desired, { ...flags, cache: cachedFleet(store) });
  }
  const refused = plan.refusals.length > 0 || plan.numbers.some((n) => n.refusals.length);
  if (options.out && refused) ctx.printer.warn(`the plan was not saved to ${options.out}: it has refusals, and apply would refuse it`);
  else if (options.out) {
    const saved = savePlan(plan, { profile: ctx.profile, createdAt: ctx.now().toISOString(), source: options.file, allowDraft: loaded.allowDraft });
    write(ctx, options.out, `${JSON.stringify(saved, null, 2)}\n`);
  }
  printPlan(ctx, plan, options.json, refreshed);
  if (refused) return ExitCode.Refused;
  if (options.detailedExitcode && plan.summary.toChange > 0) return ExitCode.ChangesPending;
  return ExitCode.Ok;
}

/**
 * Read upstream every record the plan writes (8 at a time) and put what it holds into the cache, as
 * a sync would for those records. Returns how many were read and how many had changed.
 */
async function refreshTouched(ctx: Context, store: Store, plan: FleetPlan): Promise<{ read: number; changed: number }> {
  const records = new Map<string, { provider: ProviderName; providerId: string; e164: string }>();
  for (const number of plan.numbers) {
    if (number.slotPlan && number.changes.some((c) => c.field === 'inbound' || c.field === 'outbound' || c.field === 'sms')) records.set(`${number.provider}:${number.providerId}`, number);
    for (const side of number.slotPlan?.sideEffects ?? []) records.set(`${side.number.provider}:${side.number.providerId}`, side.number);
    for (const setting of number.settings) records.set(`${setting.provider}:${setting.providerId}`, { provider: setting.provider, providerId: setting.providerId, e164: number.e164 });
  }
  const ports = applyPorts(ctx, store);
  const cached = new Map<string, NumberRow>();
  for (const record of records.values()) {
    const row = store.findNumbers(record.e164).find((r) => r.provider === record.provider && r.providerId === record.providerId);
    if (row) cached.set(`${record.provider}:${record.providerId}`, row);
  }
  let changed = 0;
  let done = 0;
  const failures: VoicenumError[] = [];
  await forEachConcurrently([...records.values()], DEFAULT_CONCURRENCY, async (record) => {
    try {
      const adapter = await ports.adapter(record.provider);
      const remote = await adapter.readNumber({ providerId: record.providerId, e164: record.e164 });
      const row = cached.get(`${record.provider}:${record.providerId}`);
      // The region column of a platform's row is its carrier's: only the carrier's own record is compared on it.
      const fields = capabilitiesOf(record.provider).regions ? FIELDS : FIELDS.filter((f) => f !== 'region');
      const differs = !row || fields.some((field) => !sameFieldValue(field, fieldValue(remote, field), rowValue(row, field)));
      if (differs) {
        store.applyRemoteNumber(remote, ctx.now().toISOString(), [], 'keep');
        changed++;
      }
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      failures.push(error);
    }
    ctx.printer.progress(`reading ${++done} of ${records.size} numbers upstream`);
  });
  ctx.printer.endProgress();
  if (failures.length) throw failures[0]!;
  if (changed) ctx.printer.info(`${changed} of ${records.size} numbers changed upstream since the last sync; the plan uses what upstream holds now`);
  return { read: records.size, changed };
}

const FIELDS = ['inbound', 'outbound', 'sms', 'label', 'fallback', 'region'] as const;

function rowValue(row: NumberRow, field: 'inbound' | 'outbound' | 'sms' | 'label' | 'fallback' | 'region'): unknown {
  if (field === 'label') return row.label === '' ? null : row.label;
  if (field === 'fallback') return row.fallback === '' ? null : row.fallback;
  if (field === 'region') return row.region;
  return row.slots[field].map((a) => ({ agentId: a.agentId, weight: a.weight, version: a.version }));
}

function summaryText(plan: FleetPlan): string {
  const { toChange, moves, refused } = plan.summary;
  return `${toChange} to change, ${moves} move${moves === 1 ? '' : 's'}, ${refused} refused`;
}

function changeJson(c: FleetChange) {
  return { field: c.field, kind: c.kind, before: c.before, after: c.after, note: c.note };
}

function numberJson(n: FleetNumberPlan) {
  return {
    e164: n.e164,
    provider: n.provider,
    id: n.providerId,
    where: n.where,
    pruned: n.pruned,
    changes: n.changes.map(changeJson),
    sideEffects: n.sideEffects.map((s) => ({ e164: s.e164, provider: s.provider, reason: s.reason, changes: s.changes.map(changeJson) })),
    refusals: n.refusals,
    confirmations: n.confirmations,
  };
}

/** The plan: JSON, tab-separated rows when piped, or per number and field, before → after, on a terminal. */
function printPlan(ctx: Context, plan: FleetPlan, json: PlanOptions['json'], refreshed: { read: number; changed: number } | null, toStderr = false): void {
  const { printer } = ctx;
  if (json && !toStderr) {
    printer.json(selectFields({ numbers: plan.numbers.map(numberJson), refusals: plan.refusals, summary: plan.summary, refreshed }, json));
    return;
  }
  const terminal = toStderr ? ctx.io.isStderrTTY : ctx.io.isStdoutTTY;
  // Before a confirmation the plan goes to stderr, where the question is asked.
  const emit = (text: string) => (toStderr ? void ctx.io.stderr.write(text) : printer.data(text));
  if (!terminal) {
    const text = planRows(plan).map((row) => PLAN_ROW_COLUMNS.map((column) => column.value(row)).join('\t')).join('\n');
    if (text) emit(`${text}\n`);
  } else {
    const theme = toStderr ? printer.err : printer.out;
    const lines: string[] = [];
    for (const n of plan.numbers) {
      lines.push(`${theme.header(n.e164)}  ${theme.provider(n.provider)}${n.pruned ? theme.dim('  (not in the file: --prune)') : n.where ? theme.dim(`  ${neutralize(n.where)}`) : ''}`);
      for (const c of n.changes) lines.push(`  ${c.field.padEnd(9)} ${neutralize(describeValue(c.before))} → ${neutralize(describeValue(c.after))}${mark(theme, c)}`);
      for (const side of n.sideEffects) {
        for (const c of side.changes) lines.push(`  ↳ ${side.e164} ${c.field} ${neutralize(describeValue(c.before))} → ${neutralize(describeValue(c.after))}${mark(theme, c)} ${theme.dim(`(${neutralize(side.reason)})`)}`);
      }
      for (const refusal of n.refusals) lines.push(`  ${theme.fail('refused:')} ${neutralize(refusal)}`);
    }
    for (const refusal of plan.refusals) lines.push(`${theme.fail('refused:')} ${neutralize(refusal)}`);
    if (lines.length) emit(`${lines.join('\n')}\n`);
  }
  if (!toStderr) {
    for (const hint of new Set(plan.numbers.flatMap((n) => n.hints))) printer.hint(hint);
    printer.info(plan.summary.toChange || plan.summary.refused ? summaryText(plan) : `no changes: the numbers are as the file says (${summaryText(plan)})`);
  }
}

function mark(theme: Context['printer']['out'], c: FleetChange): string {
  const words = [c.kind === 'move' || c.kind === 'unassign' ? c.kind : '', c.note ?? ''].filter(Boolean).join('; ');
  return words ? `  ${theme.warn(neutralize(words))}` : '';
}

/** The plan as piped rows: number, provider, field, before, after, action, note (src/output/plan-rows.ts). */
function planRows(plan: FleetPlan): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const n of plan.numbers) {
    const own = { number: n.e164, provider: n.provider };
    for (const c of n.changes) rows.push(planRow({ ...own, field: c.field, before: describeValue(c.before), after: describeValue(c.after), action: c.kind, note: [c.note, n.pruned ? 'not in the file (--prune)' : ''].filter(Boolean).join('; ') }));
    for (const side of n.sideEffects) {
      for (const c of side.changes) rows.push(planRow({ number: side.e164, provider: side.provider, field: c.field, before: describeValue(c.before), after: describeValue(c.after), action: c.kind, note: [c.note, `${side.reason}; for ${n.e164}`].filter(Boolean).join('; ') }));
    }
    for (const refusal of n.refusals) rows.push(planRow({ ...own, action: 'refused', note: refusal }));
  }
  for (const refusal of plan.refusals) rows.push(planRow({ number: '-', action: 'refused', note: refusal }));
  return rows;
}

// --- apply ---

export async function runApply(ctx: Context, planFile: string | undefined, options: ApplyOptions): Promise<number> {
  if (planFile && options.file) throw new UsageError('name either a fleet file (-f FILE) or a saved plan, not both');
  const file = planFile ?? options.file;
  if (!file) throw new UsageError('name a fleet file with -f FILE, or a plan saved by `voicenum plan -o`', `e.g. ${ctx.hintCommand('apply -f fleet.yaml')}`);
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency takes a whole number from 1 to 64, not "${options.concurrency}"`);
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const cache = cachedFleet(store);
  const loaded = await load(ctx, store, file, cache.numbers, Boolean(options.allowDraft));
  const force = Boolean(options.force);
  const plan = planFleet(store, ctx.settings(), loaded.desired, { prune: Boolean(options.prune) && !loaded.saved, scope: loaded.scope, allowDraft: loaded.allowDraft, force, cache, agents: loaded.agents });
  if (plan.refusals.length || plan.numbers.some((n) => n.refusals.length)) {
    const reasons = [...plan.numbers.flatMap((n) => n.refusals.map((r) => (r.includes(n.e164) ? r : `${n.e164}: ${r}`))), ...plan.refusals];
    throw new RefusedError(reasons, 'nothing was pushed; fix the file and run `voicenum plan` again');
  }
  const pending = plan.numbers.filter((n) => n.changes.length || n.sideEffects.length);
  if (pending.length === 0) {
    if (options.json) ctx.printer.json(selectFields({ results: [], refusals: [], summary: { applied: 0, failed: 0, skipped: 0 } }, options.json));
    ctx.printer.info('no changes: the numbers are as the file says');
    return ExitCode.Ok;
  }
  await confirm(ctx, plan, Boolean(options.yes));
  return pushPlan(ctx, store, pending, { force, concurrency, json: options.json });
}

/** A yes from --yes or from a person at the terminal, as a batch `assign` asks for its moves. */
async function confirm(ctx: Context, plan: FleetPlan, yes: boolean): Promise<void> {
  if (yes) return;
  const question = `Apply ${summaryText(plan).replace(/, 0 refused$/, '')}?`;
  if (!canPrompt(ctx.io)) throw new RefusedError([`${summaryText(plan)} — confirm with --yes (there is no terminal to ask on)`], 'see the plan with `voicenum plan -f FILE`; nothing was pushed');
  printPlan(ctx, plan, undefined, null, true);
  if (!(await ctx.prompter().confirm(question))) throw new CancelledError();
}

async function pushPlan(ctx: Context, store: Store, pending: FleetNumberPlan[], options: { force: boolean; concurrency: number; json: ApplyOptions['json'] }): Promise<number> {
  const ports: RunPorts = applyPorts(ctx, store);
  // Version pins are checked upstream before anything is written, as for assign: a number whose
  // pins name a missing version is refused whole (its settings are not pushed either).
  const pins: { number: FleetNumberPlan; plan?: NumberPlan; result?: ApplyResult }[] = pending.filter((n) => n.slotPlan).map((n) => ({ number: n, plan: n.slotPlan! }));
  await refuseMissingVersions(ports, pins);
  const results = new Map<FleetNumberPlan, FleetResult>();
  for (const { number, result } of pins) {
    if (result) results.set(number, { e164: number.e164, provider: number.provider, outcome: result.outcome, fields: [], sideEffects: [], message: result.message, exitCode: result.exitCode, ...(result.hint ? { hint: result.hint } : {}) });
  }
  const toPush = pending.filter((n) => !results.has(n));
  let finished = 0;
  await ctx.interrupt.writePhase(() =>
    forEachConcurrently(toPush, options.concurrency, async (number) => {
      results.set(number, await applyFleetNumber(number, ports, { force: options.force }));
      ctx.printer.progress(`pushed ${++finished} of ${toPush.length} numbers`);
    }, { stop: () => ctx.interrupt.requested }),
  );
  ctx.printer.endProgress();
  const requests = (await Promise.all([...ports.adapters.values()])).reduce((sum, adapter) => sum + adapter.requestCount, 0);
  if (toPush.length) ctx.printer.verbose(`${requests} upstream requests for ${toPush.length} changed number${toPush.length === 1 ? '' : 's'} (${(requests / toPush.length).toFixed(1)} per number)`);
  const ordered = pending.map((n) => results.get(n) ?? { e164: n.e164, provider: n.provider, outcome: 'skipped' as const, fields: [], sideEffects: [], message: 'not started: interrupted', exitCode: ExitCode.Cancelled });
  printResults(ctx, pending, ordered, options.json);
  if (ctx.interrupt.requested) return ExitCode.Cancelled;
  const failed = ordered.filter((r) => r.exitCode !== ExitCode.Ok);
  if (failed.length === 0) return ExitCode.Ok;
  if (failed.length < ordered.length) return ExitCode.Partial;
  if (failed.every((r) => r.outcome === 'refused')) return ExitCode.Refused;
  return failed[0]!.exitCode;
}

function printResults(ctx: Context, plans: FleetNumberPlan[], results: FleetResult[], json: ApplyOptions['json']): void {
  const { printer } = ctx;
  const applied = results.filter((r) => r.exitCode === ExitCode.Ok).length;
  const skipped = results.filter((r) => r.outcome === 'skipped').length;
  const failed = results.length - applied - skipped;
  if (json) {
    printer.json(selectFields({ results: results.map((r) => ({ e164: r.e164, provider: r.provider, outcome: r.outcome, fields: r.fields, sideEffects: r.sideEffects, error: r.exitCode === ExitCode.Ok ? null : r.message })), refusals: [], summary: { applied, failed, skipped } }, json));
  } else {
    const detail = (plan: FleetNumberPlan) => plan.changes.map((c) => `${c.field}: ${describeValue(c.before)} -> ${describeValue(c.after)}`).join('; ');
    results.forEach((r, i) => {
      const text = r.exitCode === ExitCode.Ok ? detail(plans[i]!) : (r.message ?? r.outcome);
      if (ctx.io.isStdoutTTY) printer.data(`${r.exitCode === ExitCode.Ok ? printer.out.success('✓') : printer.out.fail('✗')} ${r.e164}  ${neutralize(text.replaceAll(' -> ', ' → '))}\n`);
      else printer.data(`${[r.e164, r.provider, r.outcome, neutralize(text)].join('\t')}\n`);
      for (const side of r.sideEffects) {
        const sideText = `${side.changes.map((c) => `${c.slot}: ${describeValue(c.before)} -> ${describeValue(c.after)}`).join('; ')} (${side.reason}; for ${r.e164})`;
        if (ctx.io.isStdoutTTY) printer.data(`  ↳ ${side.e164}  ${neutralize(sideText)}  ${printer.out.dim(side.outcome)}\n`);
        else printer.data(`${[side.e164, side.provider, side.outcome, neutralize(sideText)].join('\t')}\n`);
      }
    });
  }
  printer.info(`${skipped ? 'interrupted: ' : ''}${applied} of ${results.length} numbers done${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} not started` : ''}${failed ? '; run it again to finish the rest' : ''}`);
  for (const hint of new Set(results.filter((r) => r.exitCode !== ExitCode.Ok).map((r) => r.hint).filter((h): h is string => Boolean(h)))) printer.hint(hint);
}
