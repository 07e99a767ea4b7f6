import { Command } from '@commander-js/extra-typings';
import { HELP } from '../../providers/help-text.js';
import { NUMBER_RECORD_FIELDS, SORT_FIELDS } from '../../store/record-fields.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

const definition = () =>
  new Command('list')
    .alias('ls')
    .description('list numbers with their agents per slot')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .option('--agent <agent>', 'only numbers held by this agent (name, id, or provider:name)')
    .option('--unassigned [slot]', 'only numbers with nothing in SLOT (inbound, outbound, sms), or in any slot')
    .option('--status <status>', 'only this status (active, blocked, removed, needs-attention, corrupted, importing, deleting, ...)')
    .option('--region <region>', HELP.regionFilter)
    .option('--search <text>', 'match number, label or agent name')
    .option('--sort <field>', `sort by ${SORT_FIELDS.join(', ')} (labels naturally: line 2 before line 10)`, 'e164')
    .option('--reverse', 'reverse the sort order')
    .option('--limit <n>', 'print at most N numbers')
    .addOption(jsonOption(NUMBER_RECORD_FIELDS))
    .addOption(jqOption())
    .option('--csv', 'comma-separated with a header')
    .option('--plain', 'tab-separated rows without header (the default when piped)')
    .addHelpText('after', `
Output: a table on a terminal; tab-separated rows when piped (first column: the number, so
  voicenum numbers list --unassigned inbound --plain | cut -f1   feeds other commands);
--json [fields] for scripts; --csv for spreadsheets.`);

export type NumbersListOptions = OptionsOf<typeof definition>;

export const numbersList = defineCommand(definition, async (ctx, _args, options) => (await import('./numbers-list.js')).runNumbersList(ctx, options));
