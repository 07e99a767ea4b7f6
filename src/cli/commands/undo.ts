import { CancelledError, ConflictError, ExitCode, RefusedError, UsageError, VoicenumError, type ExitCodeValue } from '../../domain/errors.js';
import { isSlot, type ProviderName } from '../../domain/model.js';
import { describeSlot, planNumber, type NumberPlan, type PlannedAgent, type SlotRequest } from '../../domain/rules.js';
import { applyPlan, type ApplyResult, type Outcome } from '../../engine/apply.js';
import { tryReadPlanConflicts } from '../../engine/freshness.js';
import { numberFacts, planContext } from '../../engine/plan.js';
import { applyPorts, type RunPorts } from '../../engine/ports.js';
import { push } from '../../engine/push.js';
import { describeSetting, fallbackChange, labelChange, readSettingConflict, regionChange, settingOperation, type SettingChange, type SettingValue } from '../../engine/settings.js';
import { changedSince, selectChanges, undoSteps, type UndoSelector, type UndoStep } from '../../engine/undo.js';
import { refuseMissingVersions } from '../../engine/version-pins.js';
import { renderGrid } from '../../output/grid.js';
import { PLAN_ROW_COLUMNS, planRow, type PlanRow } from '../../output/plan-rows.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import { renderTsv } from '../../output/table.js';
import type { NumberRow, Store } from '../../store/index.js';
import { forEachConcurrently } from '../../util/concurrency.js';
import type { Context } from '../context.js';
import { canPrompt } from '../prompter.js';
import type { UndoOptions } from './undo.command.js';

/** How many records are set back at once, as a batch of assign pushes them. */
const CONCURRENCY = 8;

interface ItemResult {
  outcome: Outcome;
  changes: { field: string; before: unknown; after: unknown }[];
  sideEffects: ApplyResult['sideEffects'];
  message: string | null;
  exitCode: ExitCodeValue;
  hint?: string;
}

/** What one record gets back: its slots as one plan (the rules' view), and each setting on its own. */
type Item = { row: NumberRow; changeIds: number[]; conflicts: string[]; result?: ItemResult } & ({ kind: 'slots'; plan: NumberPlan; applyResult?: ApplyResult } | { kind: 'setting'; change: SettingChange });

const recordKey = (provider: ProviderName, providerId: string) => `${provider}:${providerId}`;

/** An audit value shown as the history shows it. */
function show(field: string, value: unknown): string {
  if (!isSlot(field)) return describeSetting(value as SettingValue);
  const agents = (Array.isArray(value) ? value : []) as { agentId: string; name?: string | null; weight: number; version: string | null }[];
  return describeSlot(agents.map((a) => ({ agentId: a.agentId, name: a.name ?? null, kind: 'unknown', weight: a.weight, version: a.version ?? null })));
}

/** The slot request that puts back what a change replaced: its agents by id, with weights and pins. */
function requestOf(value: unknown): SlotRequest {
  const agents = (Array.isArray(value) ? value : []) as { agentId: string; name?: string | null; weight: number; version: string | null }[];
  if (agents.length === 0) return { action: 'clear' };
  return { action: 'assign', agents: agents.map((a) => ({ ref: { provider: null, key: a.agentId }, weight: a.weight, version: a.version ?? null, text: a.name ?? a.agentId })) };
}

/** The setting change that puts back what a change replaced, through the same limits as the setting commands. */
function settingChangeOf(ctx: Context, store: Store, row: NumberRow, step: UndoStep, force: boolean): SettingChange {
  const to = step.to as SettingValue;
  if (step.field === 'label') return labelChange(row, to ?? '', force);
  if (step.field === 'fallback') return fallbackChange(store, row, to ?? 'none', ctx.settings().defaultCountry, force);
  if (to === null) throw new RefusedError([`region: it was unknown before change ${step.changeIds.join(', ')}; there is no region to put back`]);
  return regionChange(row, to, force);
}

function parseSelector(changeId: string | undefined, options: UndoOptions, ctx: Context): UndoSelector {
  const given = [changeId !== undefined, options.batch !== undefined, Boolean(options.last)].filter(Boolean).length;
  if (given !== 1) {
    throw new UsageError(given ? 'name one of CHANGE-ID, --batch ID and --last, not several' : 'name what to undo: a CHANGE-ID, --batch ID or --last', `see the ids with \`${ctx.hintCommand('history')}\``);
  }
  if (changeId !== undefined) {
    if (!/^\d+$/.test(changeId) || !Number.isSafeInteger(Number(changeId))) throw new UsageError(`"${neutralize(changeId)}" is not a change id: change ids are whole numbers (the ID column of \`voicenum history\`)`);
    return { change: Number(changeId) };
  }
  if (options.batch !== undefined) return { batch: options.batch };
  return { last: true };
}

/**
 * `voicenum undo`: the changes of the audit log it names, set back through the rules, a confirmation,
 * and the same push as `assign` (freshness read, journal, verification), recorded as a batch of its own.
 */
export async function runUndo(ctx: Context, changeId: string | undefined, options: UndoOptions): Promise<number> {
  const selector = parseSelector(changeId, options, ctx);
  // An undo is a write: it needs the providers (a dry run reads them too, unless --offline).
  if (ctx.options.offline && !options.dryRun) throw new UsageError('--offline: undo writes to the providers', 'drop --offline, or add --dry-run to see the plan from the cache alone');
  const force = Boolean(options.force);
  const store = await ctx.store();
  const selection = selectChanges(store, selector);
  const steps = undoSteps(selection);

  const records = new Map<string, UndoStep[]>();
  for (const step of steps) records.set(recordKey(step.provider, step.providerId), [...(records.get(recordKey(step.provider, step.providerId)) ?? []), step]);
  const context = planContext(store, ctx.settings(), { allowDraft: Boolean(options.allowDraft), force });
  const items: Item[] = [];
  const refusals: string[] = [];
  for (const recordSteps of records.values()) {
    const first = recordSteps[0]!;
    const row = store.findNumbers(first.e164).find((r) => r.provider === first.provider && r.providerId === first.providerId);
    if (!row) {
      refusals.push(`${first.e164} at ${first.provider} is no longer in the cache`);
      continue;
    }
    // What the change left must still be there (the cache's view; the push then checks upstream).
    const conflictsOf = (own: UndoStep[]) =>
      own.flatMap((step) => {
        const since = changedSince(row, step);
        return since ? [`${row.e164}: ${step.field} is ${show(step.field, since.now)} now, not ${show(step.field, step.from)} as change ${step.changeIds.join(', ')} left it`] : [];
      });
    const slotSteps = recordSteps.filter((step) => isSlot(step.field));
    if (slotSteps.length) {
      const plan = planNumber(numberFacts(row), Object.fromEntries(slotSteps.map((step) => [step.field, requestOf(step.to)])), context);
      // A policy side effect on a record this undo sets back itself is left to that record's own step.
      const dropped = plan.sideEffects.filter((side) => records.has(recordKey(side.number.provider, side.number.providerId)));
      plan.sideEffects = plan.sideEffects.filter((side) => !dropped.includes(side));
      plan.confirmations = plan.confirmations.filter((text) => !dropped.some((side) => text.startsWith(`${side.reason}:`)));
      refusals.push(...plan.refusals.map((refusal) => (refusal.includes(row.e164) ? refusal : `${row.e164}: ${refusal}`)));
      items.push({ kind: 'slots', row, plan, changeIds: slotSteps.flatMap((s) => s.changeIds), conflicts: conflictsOf(slotSteps) });
    }
    for (const step of recordSteps.filter((s) => !isSlot(s.field))) {
      try {
        items.push({ kind: 'setting', row, change: settingChangeOf(ctx, store, row, step, force), changeIds: step.changeIds, conflicts: conflictsOf([step]) });
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        refusals.push(...error.reasons.map((reason) => `${row.e164}: ${reason}`));
      }
    }
  }
  if (refusals.length) throw new RefusedError(refusals, `nothing was pushed; see \`${ctx.hintCommand(`history`)}\` and \`${ctx.hintCommand('numbers show NUMBER')}\``);
  const cacheConflicts = force ? [] : items.flatMap((item) => item.conflicts);

  if (options.dryRun) {
    const ports = ctx.options.offline ? undefined : applyPorts(ctx, store);
    if (ports) await readUpstream(items, ports);
    await printPlan(ctx, items, options.json);
    const conflicted = items.some((item) => item.conflicts.length);
    return conflicted && !force ? ExitCode.Conflict : ExitCode.Ok;
  }
  if (cacheConflicts.length) {
    throw new ConflictError(`${selection.what} cannot be undone as it is: ${cacheConflicts.length === 1 ? cacheConflicts[0] : `\n  - ${cacheConflicts.join('\n  - ')}`}`, 'nothing was pushed; look with `voicenum history NUMBER`, or pass --force to set it back anyway');
  }
  await confirm(ctx, items, selection.what, Boolean(options.yes));

  const ports = applyPorts(ctx, store);
  await pushItems(ctx, items, ports, force);
  printResults(ctx, items, options.json, ports.audit.batch);
  if (ctx.interrupt.requested) return ExitCode.Cancelled;
  const results = items.map((item) => item.result!);
  const failed = results.filter((r) => r.exitCode !== ExitCode.Ok);
  if (failed.length === 0) return ExitCode.Ok;
  if (failed.length < results.length) return ExitCode.Partial;
  return failed[0]!.exitCode;
}

/** Rule 8 ahead of time for a dry run: what upstream holds that the cache does not know. */
async function readUpstream(items: Item[], ports: RunPorts): Promise<void> {
  await forEachConcurrently(items, CONCURRENCY, async (item) => {
    try {
      if (item.kind === 'slots') {
        const read = await tryReadPlanConflicts(item.plan, ports);
        if ('error' in read) item.conflicts.push(`${item.row.e164}: could not be read upstream (${read.error.message})`);
        else for (const c of read.conflicts) item.conflicts.push(`${c.slot} of ${c.e164} is ${describeSlot(c.upstream)} upstream but ${describeSlot(c.cached)} in the cache`);
      } else {
        const upstream = await readSettingConflict(ports, item.change);
        if (upstream !== undefined) item.conflicts.push(`${item.change.field} of ${item.row.e164} is ${describeSetting(upstream)} upstream but ${describeSetting(item.change.before)} in the cache`);
      }
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      item.conflicts.push(`${item.row.e164}: could not be read upstream (${error.message})`);
    }
  });
}

function undoNote(ids: number[]): string {
  return `undo of change${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
}

/** Each record's items in order (one lock at a time per record), records 8 at a time, inside the write phase. */
async function pushItems(ctx: Context, items: Item[], ports: RunPorts, force: boolean): Promise<void> {
  const slotItems = items.filter((item): item is Item & { kind: 'slots' } => item.kind === 'slots');
  // Version pins put back are checked upstream first, as assign does.
  const pinTargets = slotItems.map((item) => ({ plan: item.plan, result: undefined as ApplyResult | undefined }));
  await refuseMissingVersions(ports, pinTargets);
  pinTargets.forEach((target, i) => {
    if (target.result) slotItems[i]!.result = { outcome: target.result.outcome, changes: [], sideEffects: [], message: target.result.message, exitCode: target.result.exitCode, hint: target.result.hint };
  });
  const byRecord = new Map<string, Item[]>();
  for (const item of items) byRecord.set(recordKey(item.row.provider, item.row.providerId), [...(byRecord.get(recordKey(item.row.provider, item.row.providerId)) ?? []), item]);
  await ctx.interrupt.writePhase(() =>
    forEachConcurrently([...byRecord.values()], CONCURRENCY, async (own) => {
      for (const item of own) {
        if (item.result) continue;
        if (ctx.interrupt.requested) break;
        item.result = await pushItem(item, ports, force);
      }
    }, { stop: () => ctx.interrupt.requested }),
  );
  for (const item of items) item.result ??= { outcome: 'skipped', changes: [], sideEffects: [], message: 'not started: interrupted', exitCode: ExitCode.Cancelled };
}

async function pushItem(item: Item, ports: RunPorts, force: boolean): Promise<ItemResult> {
  const applied = { outcome: 'applied' as const, note: undoNote(item.changeIds) };
  if (item.kind === 'slots') {
    const result = await applyPlan(item.plan, ports, { force, applied });
    return { outcome: result.outcome, changes: result.changes.map((c) => ({ field: c.slot, before: c.before, after: c.after })), sideEffects: result.sideEffects ?? [], message: result.message, exitCode: result.exitCode, hint: result.hint };
  }
  const { change } = item;
  const changes = [{ field: change.field, before: change.before as unknown, after: change.after as unknown }];
  if (change.before === change.after) return { outcome: 'unchanged', changes, sideEffects: [], message: 'already as it was; nothing to push', exitCode: ExitCode.Ok };
  try {
    const result = await push(await settingOperation(ports, change), ports, { force, applied });
    if (!result.ok) return { outcome: result.outcome, changes, sideEffects: [], message: result.message, exitCode: result.exitCode, hint: result.hint };
    changes[0]!.before = result.actualBefore.get(change.field) ?? change.before;
    if (result.unrecorded) return { outcome: 'unrecorded', changes, sideEffects: [], message: result.unrecorded.message, exitCode: ExitCode.LocalState, hint: result.unrecorded.hint };
    return { outcome: 'applied', changes, sideEffects: [], message: null, exitCode: ExitCode.Ok };
  } catch (error) {
    if (!(error instanceof VoicenumError)) throw error;
    return { outcome: 'failed', changes, sideEffects: [], message: error.message, exitCode: error.exitCode, hint: error.hint };
  }
}

/** An undo writes what the operator did not type: it always needs a yes, at a terminal or with --yes. */
async function confirm(ctx: Context, items: Item[], what: string, yes: boolean): Promise<void> {
  if (yes) return;
  const numbers = new Set(items.map((item) => item.row.e164)).size;
  const warnings = items.flatMap((item) => (item.kind === 'slots' ? item.plan.confirmations : []));
  if (!canPrompt(ctx.io)) {
    throw new RefusedError([`undoing ${what} changes ${numbers} number${numbers === 1 ? '' : 's'}${warnings.length ? ` (${warnings.join('; ')})` : ''} — confirm with --yes (there is no terminal to ask on)`], 'pass --yes to confirm, or --dry-run to see what it sets back');
  }
  const text = await renderGrid(planRows(items), PLAN_ROW_COLUMNS, { color: ctx.io.colorErr, header: ctx.printer.err.header, width: ctx.io.columns });
  ctx.io.stderr.write(text);
  if (!(await ctx.prompter().confirm(`Undo ${what} (${numbers} number${numbers === 1 ? '' : 's'})?`))) throw new CancelledError();
}

/** The plan as rows of assign's dry-run columns: number, provider, field, before, after, action, note. */
function planRows(items: Item[]): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const item of items) {
    const note = undoNote(item.changeIds);
    const own = { number: item.row.e164, provider: item.row.provider };
    if (item.kind === 'slots') {
      for (const c of item.plan.changes) rows.push(planRow({ ...own, field: c.slot, before: describeSlot(c.before), after: describeSlot(c.after), action: c.kind, note: [note, c.note].filter(Boolean).join('; ') }));
      for (const side of item.plan.sideEffects) {
        for (const c of side.changes) {
          if (c.kind !== 'unchanged') rows.push(planRow({ number: side.number.e164, provider: side.number.provider, field: c.slot, before: describeSlot(c.before), after: describeSlot(c.after), action: c.kind, note: `${side.reason}; for ${item.row.e164}` }));
        }
      }
    } else {
      const { change } = item;
      rows.push(planRow({ number: item.row.e164, provider: change.provider, field: change.field, before: describeSetting(change.before), after: describeSetting(change.after), action: change.before === change.after ? 'unchanged' : change.after === null ? 'clear' : 'set', note }));
    }
    for (const conflict of item.conflicts) rows.push(planRow({ ...own, action: 'conflict', note: conflict }));
  }
  return rows;
}

function planJson(item: Item) {
  const base = { e164: item.row.e164, provider: item.kind === 'slots' ? item.row.provider : item.change.provider, changeIds: item.changeIds };
  if (item.kind === 'slots') {
    return {
      ...base,
      changes: item.plan.changes.map((c) => ({ field: c.slot, kind: c.kind, before: c.before, after: c.after })),
      sideEffects: item.plan.sideEffects.map((s) => ({ e164: s.number.e164, provider: s.number.provider, reason: s.reason, changes: s.changes.map((c) => ({ field: c.slot, kind: c.kind, before: c.before, after: c.after })) })),
      outcome: 'planned',
      conflicts: item.conflicts,
      error: null,
      batch: null,
    };
  }
  return { ...base, changes: [{ field: item.change.field, kind: item.change.after === null ? 'clear' : 'set', before: item.change.before, after: item.change.after }], sideEffects: [], outcome: 'planned', conflicts: item.conflicts, error: null, batch: null };
}

async function printPlan(ctx: Context, items: Item[], json: UndoOptions['json']): Promise<void> {
  if (json) {
    ctx.printer.json(selectFields(items.map(planJson), json));
    return;
  }
  if (ctx.io.isStdoutTTY) ctx.printer.data(await renderGrid(planRows(items), PLAN_ROW_COLUMNS, { color: ctx.io.colorOut, header: ctx.printer.out.header, width: ctx.io.columns }));
  else ctx.printer.data(renderTsv(planRows(items), PLAN_ROW_COLUMNS));
}

function describeChange(c: { field: string; before: unknown; after: unknown }, arrow: string): string {
  const text = (value: unknown) => (isSlot(c.field) ? describeSlot(value as PlannedAgent[]) : describeSetting(value as SettingValue));
  return `${c.field}: ${text(c.before)} ${arrow} ${text(c.after)}`;
}

function printResults(ctx: Context, items: Item[], json: UndoOptions['json'], batch: string): void {
  const { printer } = ctx;
  const applied = items.some((item) => item.result?.outcome === 'applied');
  if (json) {
    printer.json(selectFields(items.map((item) => {
      const r = item.result!;
      const ok = r.outcome === 'applied' || r.outcome === 'unchanged';
      return { e164: item.row.e164, provider: item.kind === 'slots' ? item.row.provider : item.change.provider, changeIds: item.changeIds, changes: r.changes, sideEffects: r.sideEffects ?? [], outcome: r.outcome, conflicts: null, error: ok ? null : r.message, batch: applied ? batch : null };
    }), json));
  } else if (!ctx.io.isStdoutTTY) {
    printer.data(items.map((item) => {
      const r = item.result!;
      return [item.row.e164, item.kind === 'slots' ? item.row.provider : item.change.provider, r.outcome, neutralize(r.outcome === 'applied' ? r.changes.map((c) => describeChange(c, '->')).join('; ') : (r.message ?? r.outcome))].join('\t');
    }).join('\n') + '\n');
  } else {
    for (const item of items) {
      const r = item.result!;
      const ok = r.outcome === 'applied' || r.outcome === 'unchanged';
      printer.data(`${ok ? printer.out.success('✓') : printer.out.fail('✗')} ${item.row.e164}  ${neutralize(r.outcome === 'applied' ? r.changes.map((c) => describeChange(c, '→')).join('; ') : (r.message ?? r.outcome))}\n`);
    }
  }
  const failures = items.map((item) => item.result!).filter((r) => r.exitCode !== ExitCode.Ok);
  if (failures.length === 1 && items.length === 1) printer.error(new VoicenumError(failures[0]!.message ?? failures[0]!.outcome, failures[0]!.exitCode, failures[0]!.hint));
  else if (failures.length) {
    printer.info(`${items.length - failures.length} of ${items.length} set back, ${failures.length} not`);
    for (const hint of new Set(failures.map((r) => r.hint).filter((h): h is string => Boolean(h)))) printer.hint(hint);
  }
  if (applied) printer.info(`recorded as batch ${batch.slice(0, 8)}; \`${ctx.hintCommand(`undo --batch ${batch.slice(0, 8)}`)}\` takes this undo back`);
}

