import { CancelledError, ExitCode, RefusedError, UsageError, VoicenumError } from '../../domain/errors.js';
import type { ProviderName, Slot } from '../../domain/model.js';
import { SLOTS } from '../../domain/model.js';
import { describeSlot, planChangesSomething, planNumber, sameAgents, type NumberPlan, type SlotChange, type SlotRequest } from '../../domain/rules.js';
import { parseSlotValue } from '../../domain/slot-spec.js';
import { applyPlan, type ApplyResult } from '../../engine/apply.js';
import { tryReadPlanConflicts, type PlanConflict } from '../../engine/freshness.js';
import { applyPorts, type RunPorts } from '../../engine/ports.js';
import { refuseMissingVersions } from '../../engine/version-pins.js';
import type { Store } from '../../store/index.js';
import { numberFacts, planContext } from '../../engine/plan.js';
import { selectFields, type JsonSelection } from '../../output/printer.js';
import { renderGrid } from '../../output/grid.js';
import { neutralize } from '../../output/sanitize.js';
import { renderTsv, type Column } from '../../output/table.js';
import { PLAN_ROW_COLUMNS, planRow, type PlanRow } from '../../output/plan-rows.js';
import { forEachConcurrently } from '../../util/concurrency.js';
import type { Context } from '../context.js';
import { requireJsonFields } from '../json-fields.js';
import { PLAN_FIELDS, RESULT_FIELDS, type AssignOptions, type UnassignOptions } from './assign.command.js';
import { parseProviders } from '../options.js';
import { canPrompt } from '../prompter.js';
import { readNumberArguments } from '../read-numbers.js';
import { resolveNumber } from '../resolve-number.js';
import { warnIfStale } from '../staleness.js';

export interface ChangeFlags {
  provider?: string[];
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  allowDraft?: boolean;
  json?: JsonSelection;
}

/** How many numbers of a batch are pushed at once. */
const BATCH_CONCURRENCY = 8;

export async function runAssign(ctx: Context, args: string[], options: AssignOptions): Promise<number> {
  const requests: Partial<Record<Slot, SlotRequest>> = {};
  for (const slot of SLOTS) {
    const value = options[slot];
    if (value !== undefined) requests[slot] = { action: 'assign', agents: parseSlotValue(`--${slot}`, value) };
  }
  if (Object.keys(requests).length === 0 && args.length === 0 && canPrompt(ctx.io)) {
    // `voicenum assign` alone on a terminal is the wizard.
    const { runWizard } = await import('./wizard.js');
    return runWizard(ctx, { allowDraft: options.allowDraft, force: options.force, json: options.json });
  }
  if (Object.keys(requests).length === 0) {
    throw new UsageError('name an agent for at least one slot: --inbound, --outbound or --sms', `e.g. ${ctx.hintCommand('assign +14155551234 --inbound receptionist')}`);
  }
  return runChange(ctx, args, () => requests, options);
}

export async function runUnassign(ctx: Context, args: string[], options: UnassignOptions): Promise<number> {
  const chosen = SLOTS.filter((slot) => options[slot]);
  // No slot flag: every slot the number's provider has and that holds something.
  return runChange(ctx, args, (plan) => {
    const slots = chosen.length ? chosen : SLOTS.filter((slot) => plan.slots[slot].length > 0);
    return Object.fromEntries(slots.map((slot) => [slot, { action: 'clear' } as SlotRequest]));
  }, options);
}

export interface Target {
  input: string;
  plan?: NumberPlan;
  result?: ApplyResult;
  /** What the freshness read found changed upstream; undefined when it was not read. */
  conflicts?: PlanConflict[];
}

async function runChange(ctx: Context, args: string[], requestsFor: (number: NumberPlan['number']) => Partial<Record<Slot, SlotRequest>>, options: ChangeFlags): Promise<number> {
  requireJsonFields(options.json, options.dryRun ? PLAN_FIELDS : RESULT_FIELDS, options.dryRun ? 'the plan of --dry-run' : 'a result');
  const inputs = await readNumberArguments(args, ctx.io.stdin, ctx.io.isStdinTTY);
  if (inputs.length === 0) throw new UsageError('name at least one number, or `-` to read them from standard input');
  const provider = parseProviders(options.provider)?.[0];
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const context = planContext(store, ctx.settings(), { allowDraft: Boolean(options.allowDraft), force: Boolean(options.force) });
  const batch = inputs.length > 1;
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const entry of inputs) {
    const input = entry.text;
    const target: Target = { input };
    try {
      const { row } = resolveNumber(ctx, store, entry, provider);
      const key = `${row.provider}:${row.providerId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const facts = numberFacts(row);
      target.plan = planNumber(facts, requestsFor(facts), context);
    } catch (error) {
      if (!batch || !(error instanceof VoicenumError)) throw error;
      target.result = { e164: neutralize(input), provider: (provider ?? '-') as ProviderName, outcome: 'refused', changes: [], message: error.message, exitCode: error.exitCode };
    }
    targets.push(target);
  }
  for (const target of targets) {
    if (target.plan && target.plan.refusals.length) {
      const error = new RefusedError(target.plan.refusals);
      target.result = { e164: target.plan.number.e164, provider: target.plan.number.provider, outcome: 'refused', changes: [], message: error.message, exitCode: ExitCode.Refused, hint: hintOf(target.plan.hints) };
    }
  }
  const json = options.json;
  const force = Boolean(options.force);
  // Rule 8 ahead of time: a dry run shows the conflicts the real run would stop at, and --force
  // must show (and have confirmed) what it is about to overwrite.
  const ports = (options.dryRun || force) && !ctx.options.offline ? await readFreshness(ctx, store, targets, force) : undefined;

  if (options.dryRun) {
    await printPlans(ctx, targets, json);
    printHints(ctx, targets.map((t) => t.result?.hint));
    return exitCodeOf(targets.map((t) => ({ outcome: t.result?.outcome, exitCode: t.result?.exitCode ?? (t.conflicts?.length && !force ? ExitCode.Conflict : ExitCode.Ok) })));
  }

  if (!batch && targets[0]?.result && targets[0].plan) throw new RefusedError(targets[0].plan.refusals, hintOf(targets[0].plan.hints));
  await confirmMoves(ctx, targets, options, json);

  return pushTargets(ctx, store, targets, options, json, batch, ports);
}

/**
 * Push checked plans (bounded concurrency), print a result per number, and return the exit code.
 * On Ctrl-C / SIGTERM no new number starts; the ones in flight finish and are recorded, and the
 * numbers never started are reported as such (exit 130).
 */
export async function pushTargets(ctx: Context, store: Store, targets: Target[], options: ChangeFlags, json: JsonSelection, batch: boolean, ports = applyPorts(ctx, store)): Promise<number> {
  // Version pins name versions the cache does not know: checked upstream, before anything is written.
  await refuseMissingVersions(ports, targets);
  const pending = targets.filter((t) => t.plan && !t.result);
  let finished = 0;
  await ctx.interrupt.writePhase(() =>
    forEachConcurrently(pending, BATCH_CONCURRENCY, async (target) => {
      target.result = await applyPlan(target.plan!, ports, { force: Boolean(options.force) });
      if (batch) ctx.printer.progress(`pushed ${++finished} of ${pending.length} numbers`);
    }, { stop: () => ctx.interrupt.requested }),
  );
  if (batch) ctx.printer.endProgress();
  for (const target of pending) {
    target.result ??= { e164: target.plan!.number.e164, provider: target.plan!.number.provider, outcome: 'skipped', changes: [], message: 'not started: interrupted', exitCode: ExitCode.Cancelled };
  }
  const requests = (await Promise.all([...ports.adapters.values()])).reduce((sum, adapter) => sum + adapter.requestCount, 0);
  const pushed = pending.filter((t) => t.result && t.result.outcome !== 'unchanged' && t.result.outcome !== 'skipped').length;
  if (pushed) ctx.printer.verbose(`${requests} upstream requests for ${pushed} changed number${pushed === 1 ? '' : 's'} (${(requests / pushed).toFixed(1)} per number)`);
  printResults(ctx, targets, json, batch);
  if (ctx.interrupt.requested) return ExitCode.Cancelled;
  return exitCodeOf(targets.map((t) => t.result!));
}

/**
 * The freshness read of each planned number (and its policy side effects), 8 at a time. Under
 * --force, a conflict that would overwrite an agent the cache did not know of is a move the
 * operator has not seen: it joins the plan's confirmations.
 */
export async function readFreshness(ctx: Context, store: Store, targets: Target[], force: boolean): Promise<RunPorts> {
  const ports = applyPorts(ctx, store);
  const planned = targets.filter((t) => t.plan && !t.result && planChangesSomething(t.plan));
  await forEachConcurrently(planned, BATCH_CONCURRENCY, async (target) => {
    const plan = target.plan!;
    const read = await tryReadPlanConflicts(plan, ports);
    if ('error' in read) {
      target.result = { e164: plan.number.e164, provider: plan.number.provider, outcome: 'failed', changes: [], message: read.error.message, exitCode: read.error.exitCode, hint: read.error.hint };
      return;
    }
    target.conflicts = read.conflicts;
    if (!force) return;
    for (const conflict of read.conflicts) {
      if (conflict.upstream.length === 0 || sameAgents(conflict.upstream, conflict.after)) continue;
      plan.confirmations.push(`--force overwrites ${conflict.slot} of ${conflict.e164}: ${describeSlot(conflict.upstream)} holds it upstream now (the cache says ${describeSlot(conflict.cached)}) and loses it at once`);
    }
  });
  // The push reuses these ports: one audit batch, and the --verbose request count covers the read.
  return ports;
}

/**
 * A batch's exit code. Partial (7) only when some numbers went through (or, in a dry run, would)
 * and others did not; a batch refused whole is refused (3), even when some of its lines were not
 * numbers at all (2); otherwise the code the failures share, or the first one's.
 */
function exitCodeOf(results: { exitCode: number; outcome?: ApplyResult['outcome'] }[]): number {
  const failed = results.filter((r) => r.exitCode !== ExitCode.Ok);
  if (failed.length === 0) return ExitCode.Ok;
  if (failed.length < results.length) return ExitCode.Partial;
  if (failed.every((r) => r.outcome === 'refused') && failed.some((r) => r.exitCode === ExitCode.Refused)) return ExitCode.Refused;
  return failed[0]!.exitCode;
}

/** Moves and unassigning held slots need a yes: from --yes, or from a person at a terminal. */
async function confirmMoves(ctx: Context, targets: Target[], options: ChangeFlags, json: JsonSelection): Promise<void> {
  const needing = targets.filter((t) => t.plan && !t.result && t.plan.confirmations.length);
  if (needing.length === 0 || options.yes) return;
  if (!canPrompt(ctx.io)) {
    for (const target of needing) {
      const message = `${target.plan!.confirmations.join('; ')} — confirm with --yes (there is no terminal to ask on)`;
      target.result = { e164: target.plan!.number.e164, provider: target.plan!.number.provider, outcome: 'refused', changes: [], message, exitCode: ExitCode.Refused };
    }
    if (targets.length === 1) throw new RefusedError([needing[0]!.result!.message!], 'pass --yes to confirm, or --dry-run to see the plan');
    return;
  }
  await printPlans(ctx, needing, json, true);
  const question = needing.length === 1 ? 'Apply this change?' : `Apply these changes to ${needing.length} numbers?`;
  const yes = await ctx.prompter().confirm(question);
  if (!yes) throw new CancelledError();
}

function planJson(target: Target) {
  const plan = target.plan;
  return {
    e164: plan?.number.e164 ?? target.input,
    provider: plan?.number.provider ?? null,
    changes: plan?.changes.map(changeJson) ?? [],
    sideEffects: plan?.sideEffects.map((s) => ({ e164: s.number.e164, provider: s.number.provider, reason: s.reason, changes: s.changes.map(changeJson) })) ?? [],
    refusals: plan?.refusals ?? (target.result?.message ? [target.result.message] : []),
    confirmations: plan?.confirmations ?? [],
    // null: not read upstream (--offline, or nothing to change).
    conflicts: target.conflicts?.map((c) => ({ e164: c.e164, slot: c.slot, cached: c.cached, upstream: c.upstream })) ?? null,
    error: plan && target.result ? target.result.message : null,
  };
}

function changeJson(c: SlotChange) {
  return { slot: c.slot, kind: c.kind, before: c.before, after: c.after, note: c.note ?? null };
}

/** The plan: per number, per slot, before → after, moves marked; refusals under it. */
export async function printPlans(ctx: Context, targets: Target[], json: JsonSelection, toStderr = false): Promise<void> {
  if (json && !toStderr) {
    ctx.printer.json(selectFields(targets.map(planJson), json));
    return;
  }
  const theme = toStderr ? ctx.printer.err : ctx.printer.out;
  if (toStderr ? ctx.io.isStderrTTY : ctx.io.isStdoutTTY) {
    // A person reads it: a table whose long cells wrap. Piped, the lines below stay as they are.
    const text = await renderGrid(planLines(targets), planColumns(theme), { color: toStderr ? ctx.io.colorErr : ctx.io.colorOut, header: theme.header, width: ctx.io.columns });
    if (toStderr) ctx.io.stderr.write(text);
    else ctx.printer.data(text);
    return;
  }
  if (!toStderr) {
    ctx.printer.rows(planRows(targets), PLAN_ROW_COLUMNS, 'tsv');
    return;
  }
  // Prompts only come up when stderr is a terminal; this is the plan without one, kept plain.
  ctx.io.stderr.write(renderTsv(planRows(targets), PLAN_ROW_COLUMNS));
}

/** The plan as piped rows (src/output/plan-rows.ts names the columns and actions). */
function planRows(targets: Target[]): PlanRow[] {
  const rows: PlanRow[] = [];
  const slotRow = (number: { e164: string; provider: string }, c: SlotChange, note: string) =>
    planRow({ number: number.e164, provider: number.provider, field: c.slot, before: describeSlot(c.before), after: describeSlot(c.after), action: c.kind, note });
  for (const target of targets) {
    const plan = target.plan;
    if (!plan) {
      rows.push(planRow({ number: target.input, provider: target.result?.provider ?? '-', action: 'refused', note: target.result?.message ?? '' }));
      continue;
    }
    const { number } = plan;
    const own = { number: number.e164, provider: number.provider };
    // A refused number changes nothing at all: its rows are the refusals, so a reader counting
    // `move` rows counts only what would be pushed.
    const refused = plan.refusals.length > 0;
    for (const c of refused ? [] : plan.changes) rows.push(slotRow(number, c, c.note ?? ''));
    for (const side of refused ? [] : plan.sideEffects) {
      for (const c of side.changes) {
        if (c.kind !== 'unchanged') rows.push(slotRow(side.number, c, [c.note, `${side.reason}; for ${number.e164}`].filter(Boolean).join('; ')));
      }
    }
    for (const conflict of target.conflicts ?? []) {
      const provider = conflict.e164 === number.e164 ? number.provider : (plan.sideEffects.find((s) => s.number.e164 === conflict.e164)?.number.provider ?? number.provider);
      rows.push(planRow({ number: conflict.e164, provider, field: conflict.slot, action: 'conflict', note: `${conflict.slot} of ${conflict.e164} is ${describeSlot(conflict.upstream)} upstream but ${describeSlot(conflict.cached)} in the cache` }));
    }
    for (const refusal of plan.refusals) {
      // A refusal about one slot starts with its name ("inbound: …"): it goes in the field column.
      const slot = SLOTS.find((s) => refusal.startsWith(`${s}: `));
      rows.push(planRow({ ...own, field: slot ?? '', action: 'refused', note: slot ? refusal.slice(slot.length + 2) : refusal }));
    }
    if (target.result && !plan.refusals.length) rows.push(planRow({ ...own, action: target.result.outcome, note: target.result.message ?? '' }));
    if (plan.changes.length === 0 && !plan.refusals.length && !target.result) rows.push(planRow({ ...own, action: 'unchanged', note: 'nothing to change' }));
  }
  return rows;
}

/** One line of a plan's table: a slot change, a side effect, a conflict or a refusal. */
interface PlanLine {
  number: string;
  provider: string;
  slot: string;
  change: string;
  note: string;
  tone: 'warn' | 'fail' | 'dim' | null;
}

function planColumns(theme: Context['printer']['out']): Column<PlanLine>[] {
  return [
    { header: 'NUMBER', value: (l) => l.number },
    { header: 'PROVIDER', value: (l) => l.provider, style: (t) => theme.provider(t) },
    { header: 'SLOT', value: (l) => l.slot },
    { header: 'CHANGE', value: (l) => l.change },
    { header: 'NOTE', value: (l) => l.note, style: (t, l) => (l.tone ? theme[l.tone](t) : t) },
  ];
}

function planLines(targets: Target[]): PlanLine[] {
  const lines: PlanLine[] = [];
  const change = (c: SlotChange) => neutralize(`${describeSlot(c.before)} → ${describeSlot(c.after)}`);
  const mark = (c: SlotChange) => neutralize([c.kind === 'move' || c.kind === 'unassign' || c.kind === 'unchanged' ? c.kind : '', c.note ?? ''].filter(Boolean).join('; '));
  for (const target of targets) {
    const plan = target.plan;
    if (!plan) {
      lines.push({ number: neutralize(target.input), provider: '', slot: '', change: '', note: `refused: ${neutralize(target.result?.message ?? '')}`, tone: 'fail' });
      continue;
    }
    const own: PlanLine[] = [];
    const line = (fields: Omit<PlanLine, 'number' | 'provider'> & { number?: string; provider?: string }) => own.push({ number: '', provider: '', ...fields });
    for (const c of plan.changes) line({ slot: c.slot, change: change(c), note: mark(c), tone: c.kind === 'unchanged' ? 'dim' : 'warn' });
    for (const side of plan.sideEffects) {
      for (const c of side.changes) {
        if (c.kind !== 'unchanged') line({ number: side.number.e164, provider: side.number.provider, slot: c.slot, change: change(c), note: `${mark(c)} (${neutralize(side.reason)})`.trim(), tone: 'warn' });
      }
    }
    for (const conflict of target.conflicts ?? []) {
      line({ number: conflict.e164 === plan.number.e164 ? '' : conflict.e164, slot: conflict.slot, change: '', note: `conflict: ${conflict.slot} of ${conflict.e164} is ${neutralize(describeSlot(conflict.upstream))} upstream but ${neutralize(describeSlot(conflict.cached))} in the cache`, tone: 'fail' });
    }
    for (const refusal of plan.refusals) line({ slot: '', change: '', note: `refused: ${neutralize(refusal)}`, tone: 'fail' });
    if (target.result && !plan.refusals.length) line({ slot: '', change: '', note: `${target.result.outcome}: ${neutralize(target.result.message ?? '')}`, tone: 'fail' });
    if (!planChangesSomething(plan) && own.length === 0) line({ slot: '', change: '', note: 'nothing to change', tone: 'dim' });
    // The number and provider head the plan's first line (a line of its own if that one names another number).
    if (own[0]?.number === '') own[0] = { ...own[0], number: plan.number.e164, provider: plan.number.provider };
    else own.unshift({ number: plan.number.e164, provider: plan.number.provider, slot: '', change: '', note: '', tone: null });
    lines.push(...own);
  }
  return lines;
}

function printResults(ctx: Context, targets: Target[], json: JsonSelection, batch: boolean): void {
  const results = targets.map((t) => t.result!);
  if (json) {
    ctx.printer.json(selectFields(results.map((r) => ({ e164: r.e164, provider: r.provider, outcome: r.outcome, changes: r.changes, sideEffects: r.sideEffects ?? [], error: r.message && r.outcome !== 'applied' && r.outcome !== 'unchanged' ? r.message : null })), json));
    return;
  }
  const { printer } = ctx;
  if (!ctx.io.isStdoutTTY) {
    // A policy side effect is a line of its own, after its number's: another number changed too.
    const rows = results.flatMap((r) => [
      [r.e164, r.provider, r.outcome, neutralize(r.message ?? r.changes.map((c) => `${c.slot}: ${describeSlot(c.before)} -> ${describeSlot(c.after)}`).join('; '))],
      ...(r.sideEffects ?? []).map((side) => [side.e164, side.provider, side.outcome, neutralize(`${side.changes.map((c) => `${c.slot}: ${describeSlot(c.before)} -> ${describeSlot(c.after)}`).join('; ')} (${side.reason}; for ${r.e164})`)]),
    ]);
    printer.data(rows.map((row) => row.join('\t')).join('\n') + '\n');
  } else {
    for (const r of results) {
      const ok = r.outcome === 'applied' || r.outcome === 'unchanged';
      const icon = ok ? printer.out.success('✓') : printer.out.fail('✗');
      const detail = r.outcome === 'applied' ? r.changes.map((c) => `${c.slot}: ${describeSlot(c.before)} → ${describeSlot(c.after)}`).join('; ') : (r.message ?? r.outcome);
      printer.data(`${icon} ${r.e164}  ${neutralize(detail)}\n`);
      for (const side of r.sideEffects ?? []) {
        printer.data(`  ↳ ${side.e164}  ${neutralize(side.changes.map((c) => `${c.slot}: ${describeSlot(c.before)} → ${describeSlot(c.after)}`).join('; '))}  ${printer.out.dim(`${side.outcome}; ${neutralize(side.reason)}`)}\n`);
      }
    }
  }
  const failures = results.filter((r) => r.exitCode !== ExitCode.Ok);
  if (!batch && failures.length === 1) {
    // A single number's failure reads as an error, with its hint.
    printer.error(new VoicenumError(failures[0]!.message ?? failures[0]!.outcome, failures[0]!.exitCode, failures[0]!.hint));
  } else if (batch) {
    const skipped = results.filter((r) => r.outcome === 'skipped').length;
    const failed = failures.length - skipped;
    printer.info(`${skipped ? 'interrupted: ' : ''}${results.length - failures.length} of ${results.length} numbers done${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} not started` : ''}`);
    printHints(ctx, failures.map((r) => r.hint));
  }
}

function hintOf(hints: readonly string[]): string | undefined {
  return hints.length ? hints.join('; ') : undefined;
}

/** Each distinct hint of a batch once, after its lines: forty refused numbers need one `voicenum sync`. */
function printHints(ctx: Context, hints: readonly (string | undefined)[]): void {
  for (const hint of new Set(hints.filter((h): h is string => Boolean(h)))) ctx.printer.hint(hint);
}
