import { matchAgents, parseAgentRef } from '../../domain/agent-ref.js';
import { UsageError } from '../../domain/errors.js';
import type { ProviderName } from '../../domain/model.js';
import { pickFields } from '../../output/printer.js';
import { NUMBER_RECORD_FIELDS, SORT_FIELDS, type NumberFilter, type SortField } from '../../store/index.js';
import type { Context } from '../context.js';
import { numberColumns } from '../number-view.js';
import { parseLimit, parseProviders, parseSlot } from '../options.js';
import { warnIfStale } from '../staleness.js';

export interface ListOptions {
  provider?: string[];
  agent?: string;
  unassigned?: boolean | string;
  status?: string;
  region?: string;
  search?: string;
  sort?: string;
  limit?: string;
  json?: boolean | string;
  csv?: boolean;
  plain?: boolean;
}

export async function runNumbersList(ctx: Context, options: ListOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const filter: NumberFilter = { providers: parseProviders(options.provider) };
  if (options.unassigned !== undefined) filter.unassigned = options.unassigned === true ? 'any' : parseSlot(options.unassigned as string);
  if (options.status) filter.status = options.status.toLowerCase();
  if (options.region) filter.region = options.region;
  if (options.search) filter.search = options.search;
  if (options.limit !== undefined) filter.limit = parseLimit(options.limit);
  if (options.sort) {
    const sort = options.sort.toLowerCase();
    if (!(SORT_FIELDS as readonly string[]).includes(sort)) throw new UsageError(`cannot sort by "${options.sort}"`, `sort fields: ${SORT_FIELDS.join(', ')}`);
    filter.sort = sort as SortField;
  }
  const store = await ctx.store();
  if (options.agent) {
    const ref = parseAgentRef(options.agent);
    const matches = matchAgents(ref, store.listAgents({ providers: filter.providers, includeRemoved: true }));
    if (matches.length === 0) throw new UsageError(`no agent "${options.agent}" in the cache`, `see \`${ctx.hintCommand('agents list')}\`; run \`${ctx.hintCommand('sync')}\` if it is new`);
    filter.agents = matches.map((agent) => ({ provider: agent.provider as ProviderName, agentId: agent.id }));
  }
  warnIfStale(ctx, store);
  // Each number's list record (JSON) and cells (TSV) are stored at write time: a list reads one
  // string a row. Piped output prints the cells as they are.
  const wantsAll = options.json === true || options.json === '';
  let count: number;
  if (format === 'json') {
    const views = store.listViews(filter, 'view');
    count = views.length;
    if (wantsAll && !ctx.io.isStdoutTTY) ctx.printer.data(`[${views.join(',')}]\n`);
    else ctx.printer.json(pickFields(JSON.parse(`[${views.join(',')}]`) as Record<string, unknown>[], options.json, NUMBER_RECORD_FIELDS));
  } else {
    const lines = store.listViews(filter, 'cells');
    count = lines.length;
    if (format === 'tsv') ctx.printer.data(lines.length ? `${lines.join('\n')}\n` : '');
    else ctx.printer.rows(lines.map((line) => line.split('\t')), numberColumns(ctx.printer.out, format === 'table'), format);
  }
  if (format === 'table') {
    const hidden = filter.status === 'removed' ? 0 : store.countRemoved();
    ctx.printer.info(ctx.printer.err.dim(`${count} number${count === 1 ? '' : 's'}${hidden ? ` (${hidden} removed upstream not shown; --status removed lists them)` : ''}`));
  }
  return 0;
}
