import { Command } from '@commander-js/extra-typings';
import { HELP } from '../../providers/help-text.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList, onlyOnce } from '../options.js';

/** `--json` of a real run: one result per number. */
export const RESULT_FIELDS = ['e164', 'provider', 'outcome', 'changes', 'sideEffects', 'error'] as const;
/** `--json` of `--dry-run`: one plan per number. */
export const PLAN_FIELDS = ['e164', 'provider', 'changes', 'sideEffects', 'refusals', 'confirmations', 'conflicts', 'error'] as const;
const CHANGE_FIELDS = [...new Set([...RESULT_FIELDS, ...PLAN_FIELDS])];

const SHAPES_HELP = `
JSON: a result per number (${RESULT_FIELDS.join(', ')});
  with --dry-run, a plan per number
  (${PLAN_FIELDS.join(', ')}).`;

const assignDefinition = () =>
  new Command('assign')
    .description("set the agent of a slot on one or more numbers, checked against the cache and the provider's rules first")
    .argument('[numbers...]', 'numbers (E.164 or national form), or - to read them from standard input, one a line')
    .option('--inbound <agent>', HELP.inbound, onlyOnce('--inbound'))
    .option('--outbound <agent>', HELP.outbound, onlyOnce('--outbound'))
    .option('--sms <agent>', 'agent that sends and receives texts', onlyOnce('--sms'))
    .option('--provider <name>', 'which record, when two platforms hold a number', collectList)
    .option('-y, --yes', 'confirm moves (replacing an agent) without asking')
    .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
    .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
    .option('--allow-draft', 'allow an agent that has no published version')
    .addOption(jsonOption(CHANGE_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', `
Examples:
  $ voicenum assign +14155551234 --inbound receptionist
  $ voicenum assign +14155551234 --inbound sales=0.7,support=0.3 --dry-run
  $ voicenum numbers list --unassigned inbound --plain | head -20 | voicenum assign - --inbound sales --yes

Every write is journalled before it is sent; Ctrl-C lets the writes in flight finish and be recorded,
starts nothing new and reports each number (exit 130); a second Ctrl-C quits at once.
${SHAPES_HELP}`);

const unassignDefinition = () =>
  new Command('unassign')
    .description('empty slots of one or more numbers (no slot flag: every slot that holds an agent)')
    .argument('[numbers...]', 'numbers, or - to read them from standard input, one a line')
    .option('--inbound', 'empty the inbound slot')
    .option('--outbound', 'empty the outbound slot')
    .option('--sms', 'empty the sms slot')
    .option('--provider <name>', 'which record, when two platforms hold a number', collectList)
    .option('-y, --yes', 'confirm without asking (calls or texts to the number stop being answered)')
    .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
    .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
    .addOption(jsonOption(CHANGE_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', SHAPES_HELP);

export type AssignOptions = OptionsOf<typeof assignDefinition>;
export type UnassignOptions = OptionsOf<typeof unassignDefinition>;

export const assign = defineCommand(assignDefinition, async (ctx, [numbers], options) => (await import('./assign.js')).runAssign(ctx, numbers, options), { shortcut: true });
export const unassign = defineCommand(unassignDefinition, async (ctx, [numbers], options) => (await import('./assign.js')).runUnassign(ctx, numbers, options), { shortcut: true });
