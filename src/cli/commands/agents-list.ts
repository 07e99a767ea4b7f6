import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Column } from '../../output/table.js';
import type { AgentRow } from '../../store/index.js';
import type { Context } from '../context.js';
import type { AgentsListOptions } from './agents-list.command.js';
import { parseProviders } from '../options.js';
import { warnIfStale } from '../staleness.js';


export async function runAgentsList(ctx: Context, options: AgentsListOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const agents = store.listAgents({ providers: parseProviders(options.provider) });
  if (format === 'json') {
    ctx.printer.json(selectFields(agents.map(({ provider, id, name, kind, live, numbers }) => ({ provider, id, name, kind, live, numbers })), options.json));
    return 0;
  }
  const theme = ctx.printer.out;
  const live = (agent: AgentRow) => (agent.live === null ? '' : agent.live ? 'live' : 'draft');
  const columns: Column<AgentRow>[] = [
    { header: 'PROVIDER', value: (a) => a.provider, style: (text) => theme.provider(text) },
    { header: 'NAME', value: (a) => neutralize(a.name), max: 40 },
    { header: 'ID', value: (a) => a.id },
    { header: 'KIND', value: (a) => a.kind },
    { header: 'LIVE', value: live, style: (text) => (text === 'draft' ? theme.warn(text) : text) },
    { header: 'INBOUND', value: (a) => String(a.numbers.inbound) },
    { header: 'OUTBOUND', value: (a) => String(a.numbers.outbound) },
    { header: 'SMS', value: (a) => String(a.numbers.sms) },
  ];
  ctx.printer.rows(agents, columns, format);
  return 0;
}
