import { Command } from '@commander-js/extra-typings';
import { AUDIT_FIELDS } from '../../store/record-fields.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';

const definition = () =>
  new Command('history')
    .description('the audit log: every change voicenum pushed or tried to push')
    .argument('[number]', 'only this number')
    .option('--limit <n>', 'the last N entries')
    .addOption(jsonOption(AUDIT_FIELDS))
    .addOption(jqOption())
    .option('--csv', 'comma-separated with a header')
    .option('--plain', 'tab-separated rows without header (the default when piped)');

export type HistoryOptions = OptionsOf<typeof definition>;

export const history = defineCommand(definition, async (ctx, [number], options) => (await import('./history.js')).runHistory(ctx, number, options));
