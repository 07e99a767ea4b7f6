import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { HELP } from '../../providers/help-text.js';
import { onlyOnce } from '../options.js';

/** `--json` of buy, import, release and repair: how the operation ended. */
export const LIFECYCLE_FIELDS = ['operation', 'id', 'state', 'e164', 'provider', 'providerId', 'reusedTrunk', 'imported', 'warnings', 'assignment'] as const;


const buyDefinition = () =>
  new Command('buy')
    .description('buy a number on a platform (costs money: asks first, or --yes)')
    .requiredOption('--provider <name>', 'the platform to buy on', onlyOnce('--provider'))
    .option('--area-code <code>', 'a three-digit area code (US and Canada)')
    .option('--country <code>', 'US or CA')
    .option('--toll-free', 'a toll-free number (where the platform sells them)')
    .option('--number <e164>', 'this exact number')
    .option('--label <text>', 'its label')
    .option('--inbound <agent>', 'then assign this agent to answer it (checked first, by the rules of assign)', onlyOnce('--inbound'))
    .option('--outbound <agent>', 'then assign this agent to call from it', onlyOnce('--outbound'))
    .option('--sms <agent>', 'then assign this agent to its texts', onlyOnce('--sms'))
    .option('--allow-draft', 'allow an agent that has no published version')
    .option('-y, --yes', 'buy without asking (scripts); with a search, take the first candidate')
    .option('--dry-run', 'print what would be bought, and the calls, and buy nothing')
    .addOption(jsonOption(LIFECYCLE_FIELDS))
    .addOption(jqOption());

const importDefinition = () =>
  new Command('import')
    .description(HELP.importCommand)
    .argument('<number>', 'the Twilio number')
    .requiredOption('--into <provider>', 'the platform that takes it', onlyOnce('--into'))
    .option('--label <text>', 'its label on the platform')
    .option('--inbound <agent>', 'then assign this agent to answer it (checked first, by the rules of assign)', onlyOnce('--inbound'))
    .option('--outbound <agent>', 'then assign this agent to call from it', onlyOnce('--outbound'))
    .option('--sms <agent>', 'then assign this agent to its texts', onlyOnce('--sms'))
    .option('--allow-draft', 'allow an agent that has no published version')
    .option('--reuse-trunk', 'put it on a trunk voicenum made earlier for that platform, instead of a new one')
    .option('-y, --yes', 'confirm without asking (the number stops ringing its current Twilio voice URL, app or trunk)')
    .option('--dry-run', 'print the steps and change nothing')
    .option('--resume', 'finish an import a killed run left open, instead of starting one')
    .addOption(jsonOption(LIFECYCLE_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', `
Every step that creates something is journalled before it runs and undone, newest first, when a later
step fails; the number's earlier Twilio voice routing is put back. An undo that fails leaves the number
"corrupted", and the error lists every resource (with its SID) to remove by hand. After a killed run,
\`numbers import NUMBER --into P --resume\` finishes it and \`numbers repair NUMBER\` undoes it.`);

const releaseDefinition = () =>
  new Command('release')
    .description("remove a number from a platform; an imported number's trunk pieces are torn down and its Twilio routing put back")
    .argument('<number>', 'the number')
    .option('--provider <name>', 'the platform to release it from (needed for Twilio itself: giving the number back is irreversible)', onlyOnce('--provider'))
    .option('-y, --yes', 'confirm without asking')
    .option('--confirm <number>', 'with --yes, the number again: required to give a number back to Twilio from a script')
    .option('--force', "on a corrupted number: forget voicenum's record of the operation only (nothing upstream is touched)")
    .addOption(jsonOption(LIFECYCLE_FIELDS))
    .addOption(jqOption());

const repairDefinition = () =>
  new Command('repair')
    .description('undo an import, purchase or release that a killed run (or a failed undo) left open')
    .argument('<number>', 'the number')
    .option('--provider <name>', 'the platform of the operation, when the number has several', onlyOnce('--provider'))
    .addOption(jsonOption(LIFECYCLE_FIELDS))
    .addOption(jqOption());

export type BuyOptions = OptionsOf<typeof buyDefinition>;
export type ImportOptions = OptionsOf<typeof importDefinition>;
export type ReleaseOptions = OptionsOf<typeof releaseDefinition>;
export type RepairOptions = OptionsOf<typeof repairDefinition>;

export const numbersBuy = defineCommand(buyDefinition, async (ctx, _args, options) => (await import('./lifecycle.js')).runBuy(ctx, options));
export const numbersImport = defineCommand(importDefinition, async (ctx, [number], options) => (await import('./lifecycle.js')).runImport(ctx, number, options));
export const numbersRelease = defineCommand(releaseDefinition, async (ctx, [number], options) => (await import('./lifecycle.js')).runRelease(ctx, number, options));
export const numbersRepair = defineCommand(repairDefinition, async (ctx, [number], options) => (await import('./lifecycle.js')).runRepair(ctx, number, options));
