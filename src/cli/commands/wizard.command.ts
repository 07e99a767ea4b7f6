import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { RESULT_FIELDS } from './assign.command.js';

const definition = () =>
  new Command('wizard')
    .description('assign interactively: pick a number, slots and agents (only ones the rules accept), see the plan, confirm')
    .option('--allow-draft', 'offer agents that have no published version')
    .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
    .addOption(jsonOption(RESULT_FIELDS))
    .addOption(jqOption());

export type WizardOptions = OptionsOf<typeof definition>;

export const wizard = defineCommand(definition, async (ctx, _args, options) => (await import('./wizard.js')).runWizard(ctx, options));
