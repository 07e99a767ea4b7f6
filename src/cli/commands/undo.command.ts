import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';

/** `undo --json`: one object per record set back (its plan with --dry-run). */
export const UNDO_FIELDS = ['e164', 'provider', 'changeIds', 'changes', 'sideEffects', 'outcome', 'conflicts', 'error', 'batch'] as const;

const definition = () =>
  new Command('undo')
    .description('take back one change of the audit log, a whole batch, or the last command, through the same checks and push as assign')
    .argument('[change-id]', 'the id of one change (voicenum history shows them)')
    .option('--batch <id>', 'every change of one command run (its batch id, or the first characters of it)')
    .option('--last', 'every change of the last command that changed something')
    .option('-y, --yes', 'confirm without asking')
    .option('--dry-run', 'print what would be set back, with conflicts found by reading each number upstream, and change nothing')
    .option('--force', 'set it back even if the number changed since the change')
    .option('--allow-draft', 'allow putting back an agent that has no published version now')
    .addOption(jsonOption(UNDO_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', `
Examples:
  $ voicenum history                      change ids (ID) and batch ids (BATCH)
  $ voicenum undo 42                      take back change 42
  $ voicenum undo --batch 3f2a9c1e        take back every change of that run
  $ voicenum undo --last --dry-run        what undoing the last command would do

A number that changed since the change (in the cache, or upstream at the freshness read) is a
conflict (exit 6) unless --force. An undo is recorded as a batch of its own: undo it to redo.
An id or batch the audit log does not hold is a usage error (exit 2).`);

export type UndoOptions = OptionsOf<typeof definition>;

export const undo = defineCommand(definition, async (ctx, [changeId], options) => (await import('./undo.js')).runUndo(ctx, changeId, options));
