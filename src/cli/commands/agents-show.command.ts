import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';

/** `agents show --json`: the agent and its numbers per slot. */
export const AGENT_SHOW_FIELDS = ['provider', 'id', 'name', 'kind', 'live', 'removed', 'numbers'] as const;

const definition = () =>
  new Command('show')
    .description('one agent: whether it is live, and its numbers per slot')
    .argument('<agent>', 'name, id, or provider:name')
    .addOption(jsonOption(AGENT_SHOW_FIELDS))
    .addOption(jqOption())
    .option('--plain', 'key<TAB>value lines');

export type AgentsShowOptions = OptionsOf<typeof definition>;

export const agentsShow = defineCommand(definition, async (ctx, [agent], options) => (await import('./agents-show.js')).runAgentsShow(ctx, agent, options));
