import { matchAgents, parseAgentRef, suggestAgentNames } from '../../domain/agent-ref.js';
import { UsageError } from '../../domain/errors.js';
import { didYouMean } from '../../domain/suggest.js';
import type { ProviderName } from '../../domain/model.js';
import { selectFields } from '../../output/printer.js';
import { SORT_FIELDS, type NumberFilter, type SortField } from '../../store/index.js';
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
  // string a row. Piped output prints the cells as they are.
  const wantsAll = options.json === true || options.json?.length === 0;
  let count: number;
  // Piped whole records go out as the stored bytes, never decoded into strings.
  if (format === 'json' && wantsAll && !ctx.io.isStdoutTTY) {
    const records = store.listViewBytes(filter, 'view');
    count = records.length;
    ctx.printer.jsonRecords(records);
  } else if (format === 'json') {
    const views = store.listViews(filter, 'view');
    count = views.length;
    ctx.printer.json(selectFields(JSON.parse(`[${views.join(',')}]`), options.json));
  } else if (format === 'tsv') {
    const lines = store.listViewBytes(filter, 'cells');
    count = lines.length;
    ctx.printer.dataLines(lines);
  } else {
    const lines = store.listViews(filter, 'cells');
    count = lines.length;
    ctx.printer.rows(lines.map((line) => line.split('\t')), numberColumns(ctx.printer.out, format === 'table'), format);
  }
  if (format === 'table') {
    const hidden = filter.status === 'removed' ? 0 : store.countRemoved();
    ctx.printer.info(ctx.printer.err.dim(`${count} number${count === 1 ? '' : 's'}${hidden ? ` (${hidden} removed upstream not shown; --status removed lists them)` : ''}`));
  }
  return 0;
}
