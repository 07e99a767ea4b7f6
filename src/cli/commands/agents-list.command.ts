import { Command } from '@commander-js/extra-typings';
import { AGENT_FIELDS } from '../../store/record-fields.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

const definition = () =>
  new Command('list')
    .alias('ls')
    .description('agents of every provider with their number counts per slot')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .addOption(jsonOption(AGENT_FIELDS))
    .addOption(jqOption())
    .option('--csv', 'comma-separated with a header')
    .option('--plain', 'tab-separated rows without header (the default when piped)');

export type AgentsListOptions = OptionsOf<typeof definition>;

export const agentsList = defineCommand(definition, async (ctx, _args, options) => (await import('./agents-list.js')).runAgentsList(ctx, options));
