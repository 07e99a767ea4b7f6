import { matchAgents, parseAgentRef, suggestAgentNames } from '../../domain/agent-ref.js';
import { didYouMean } from '../../domain/suggest.js';
import { UsageError } from '../../domain/errors.js';
import { SLOTS } from '../../domain/model.js';
import { renderCard } from '../../output/grid.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Context } from '../context.js';
import type { AgentsShowOptions } from './agents-show.command.js';
import { warnIfStale } from '../staleness.js';

/** `agents show AGENT`: the agent, whether it is live, and its numbers per slot. */
export async function runAgentsShow(ctx: Context, input: string, options: AgentsShowOptions): Promise<number> {
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const ref = parseAgentRef(input);
  const agents = store.listAgents({ includeRemoved: true });
  const matches = matchAgents(ref, agents);
  if (matches.length === 0) throw new UsageError(`no agent "${neutralize(input)}" in the cache${didYouMean(suggestAgentNames(ref, agents))}`, `see \`${ctx.hintCommand('agents list')}\`; run \`${ctx.hintCommand('sync')}\` if it is new`);
  if (matches.length > 1) {
    throw new UsageError(`"${neutralize(input)}" names ${matches.length} agents: ${matches.map((a) => `${a.provider}:${neutralize(a.name)} (${a.id})`).join(', ')}`, 'name one as provider:name or by its id');
  }
  const agent = matches[0]!;
  // The same records `agents list` counts: carrier records a Twilio trunk answers included.
  const rows = store.numbersHoldingAgent(agent.provider, agent.id);
  const numbers = Object.fromEntries(
    SLOTS.map((slot) => [
      slot,
      rows.flatMap((row) => row.slots[slot].filter((a) => a.agentId === agent.id).map((a) => ({ e164: row.e164, id: row.providerId, label: row.label, weight: a.weight, version: a.version }))),
    ]),
  ) as Record<(typeof SLOTS)[number], { e164: string; id: string; label: string | null; weight: number; version: string | null }[]>;
  if (ctx.printer.format({ json: options.json, plain: options.plain }) === 'json') {
    ctx.printer.json(selectFields({ provider: agent.provider, id: agent.id, name: agent.name, kind: agent.kind, live: agent.live, removed: agent.removed, numbers }, options.json));
    return 0;
  }
  const theme = ctx.printer.out;
  const live = agent.live === null ? 'unknown' : agent.live ? 'yes' : theme.warn('no (draft only)');
  const lines: [string, string][] = [
    ['agent', neutralize(agent.name)],
    ['provider', theme.provider(agent.provider)],
    ['id', agent.id],
    ['kind', agent.kind],
    ['live', agent.removed ? theme.fail('removed upstream') : live],
  ];
  for (const slot of SLOTS) {
    const held = numbers[slot];
    lines.push([slot, held.length ? held.map((n) => `${n.e164}${n.weight !== 1 ? ` (${Math.round(n.weight * 100)}%)` : ''}${n.version !== null ? ` @${neutralize(n.version)}` : ''}`).join(', ') : theme.dim('none')]);
  }
  if (ctx.io.isStdoutTTY && !options.plain) {
    ctx.printer.data(await renderCard(lines, { key: theme.dim, width: ctx.io.columns }));
  } else {
    ctx.printer.data(lines.map(([key, value]) => `${key}\t${value}`).join('\n') + '\n');
  }
  return 0;
}
