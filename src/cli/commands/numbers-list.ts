import { matchAgents, parseAgentRef, suggestAgentNames } from '../../domain/agent-ref.js';
import { UsageError } from '../../domain/errors.js';
import { didYouMean } from '../../domain/suggest.js';
import { LIFECYCLE_STATUSES, type ProviderName } from '../../domain/model.js';
import { selectFields } from '../../output/printer.js';
import { lifecycleKey, SORT_FIELDS, type LifecycleState, type NumberFilter, type SortField } from '../../store/index.js';
import type { Context } from '../context.js';
import type { NumbersListOptions } from './numbers-list.command.js';
import { numberColumns } from '../number-view.js';
import { parseRegion, parseStatus } from '../filter-values.js';
import { parseLimit, parseProviders, parseSlot } from '../options.js';
import { warnIfStale } from '../staleness.js';

export async function runNumbersList(ctx: Context, options: NumbersListOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const filter: NumberFilter = { providers: parseProviders(options.provider) };
  if (options.unassigned !== undefined) filter.unassigned = options.unassigned === true ? 'any' : parseSlot(options.unassigned);
  if (options.search) filter.search = options.search;
  if (options.limit !== undefined) filter.limit = parseLimit(options.limit);
  if (options.sort) {
    const sort = options.sort.toLowerCase();
    if (!(SORT_FIELDS as readonly string[]).includes(sort)) throw new UsageError(`cannot sort by "${options.sort}"`, `sort fields: ${SORT_FIELDS.join(', ')}`);
    filter.sort = sort as SortField;
  }
  if (options.reverse) filter.reverse = true;
  const store = await ctx.store();
  // Unknown values would list nothing, as a typo does: refused. The cache is read only for a value
  // voicenum does not know (an upstream status is a free string at some providers).
  if (options.status) filter.status = parseStatus(options.status, () => store.heldValues('status'));
  // A number an import, release or purchase is running on (or left corrupted) shows that state in
  // place of its upstream status, as needs-attention does, and is filtered by it.
  const states = store.lifecycleStates();
  if (filter.status && (LIFECYCLE_STATUSES as readonly string[]).includes(filter.status)) {
    filter.lifecycle = { only: [...states].filter(([, state]) => state === filter.status).map(([key]) => key) };
    delete filter.status;
  } else if (filter.status && filter.status !== 'removed' && filter.status !== 'needs-attention' && states.size) {
    filter.lifecycle = { except: [...states.keys()] };
  }
  if (options.region) filter.region = parseRegion(options.region, () => store.heldValues('region'));
  if (options.agent) {
    const ref = parseAgentRef(options.agent);
    const agents = store.listAgents({ providers: filter.providers, includeRemoved: true });
    const matches = matchAgents(ref, agents);
    if (matches.length === 0) throw new UsageError(`no agent "${options.agent}" in the cache${didYouMean(suggestAgentNames(ref, agents))}`, `see \`${ctx.hintCommand('agents list')}\`; run \`${ctx.hintCommand('sync')}\` if it is new`);
    filter.agents = matches.map((agent) => ({ provider: agent.provider as ProviderName, agentId: agent.id }));
  }
  warnIfStale(ctx, store);
  // Each number's list record (JSON) and cells (TSV) are stored at write time: a list reads one
  // string a row. Piped, they are printed as they come from the cache (never held whole).
  const wantsAll = options.json === true || options.json?.length === 0;
  let count = 0;
  if (format === 'json' && wantsAll && !ctx.io.isStdoutTTY) {
    ctx.printer.jsonRecords(withState(store.iterateViews(filter, 'view'), states));
  } else if (format === 'json') {
    const views = [...withState(store.iterateViews(filter, 'view'), states)];
    count = views.length;
    ctx.printer.json(selectFields(JSON.parse(`[${views.join(',')}]`), options.json));
  } else if (format === 'tsv') {
    ctx.printer.dataLines(withStateCell(store.iterateViews(filter, 'cells'), states));
  } else {
    // The table reads the rows twice (to measure its columns, then to print), holding none.
    const rows = function* () {
      for (const line of withStateCell(store.iterateViews(filter, 'cells'), states)) yield line.split('\t');
    };
    count = ctx.printer.rowsFrom(rows, numberColumns(ctx.printer.out, format === 'table'), format);
  }
  if (format === 'table') {
    const hidden = filter.status === 'removed' ? 0 : store.countRemoved();
    ctx.printer.info(ctx.printer.err.dim(`${count} number${count === 1 ? '' : 's'}${hidden ? ` (${hidden} removed upstream not shown; --status removed lists them)` : ''}`));
  }
  return 0;
}

/** What ends a stored record of an active number: its state, and the record's closing brace. */
const ACTIVE_STATE = ',"state":"active"}';

/**
 * The stored JSON records with their lifecycle `state` added last. Nearly always every number is
 * active: the field is appended to the stored text without parsing it.
 */
function* withState(views: Iterable<string>, states: Map<string, LifecycleState>): Generator<string> {
  if (states.size === 0) {
    for (const view of views) yield `${view.slice(0, -1)}${ACTIVE_STATE}`;
    return;
  }
  for (const view of views) {
    const record = JSON.parse(view) as { e164: string; provider: ProviderName };
    yield JSON.stringify({ ...record, state: states.get(lifecycleKey(record.e164, record.provider)) ?? 'active' });
  }
}

/** The STATUS cell (the last) of a number with a lifecycle state says that state. */
function* withStateCell(lines: Iterable<string>, states: Map<string, LifecycleState>): Generator<string> {
  if (states.size === 0) return yield* lines;
  for (const line of lines) {
    const cells = line.split('\t');
    const state = states.get(lifecycleKey(cells[0]!, cells[1] as ProviderName));
    if (!state) {
      yield line;
      continue;
    }
    cells[cells.length - 1] = state;
    yield cells.join('\t');
  }
}
