import { Command, Option } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** `plan --json`: the plan of the whole fleet file. */
export const FLEET_PLAN_FIELDS = ['numbers', 'refusals', 'summary', 'refreshed'] as const;
/** `apply --json`: a result per number, then the summary. */
export const FLEET_APPLY_FIELDS = ['results', 'refusals', 'summary'] as const;

const exportDefinition = () =>
  new Command('export')
    .description('write the fleet as a file: every number, and each setting voicenum can change on it (read from the cache)')
    .option('--provider <name>', 'only the numbers of this provider; repeat or comma-separate (the file then covers only those)', collectList)
    .addOption(new Option('--format <format>', 'yaml (the default) or json').choices(['yaml', 'json'] as const))
    .option('-o, --output <file>', 'write to this file instead of standard output (an existing YAML fleet file is updated in place, comments kept)')
    .option('--schema', 'print the JSON Schema of the fleet file instead (for editors and CI checks)')
    .addHelpText('after', `
Examples:
  $ voicenum export -o fleet.yaml
  $ voicenum export --provider retell --format json -o retell.json
  $ voicenum export --schema > fleet.schema.json

Numbers are ordered by provider, then number, so a diff in git shows only real changes.
-o onto a YAML fleet file that exists updates it in place: comments and key order stay, only the
values that changed are rewritten, new numbers are added in order and vanished ones removed.`);

const planDefinition = () =>
  new Command('plan')
    .description('compare a fleet file with the numbers (read upstream first) and print each change, before → after; pushes nothing')
    .requiredOption('-f, --file <file>', 'the fleet file (YAML or JSON)')
    .option('--prune', 'also unassign every slot of the numbers the file leaves out (of the providers it covers); never releases a number')
    .option('--allow-draft', 'allow agents that have no published version')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to change, 10 when there are changes, the usual codes on errors')
    .option('-o, --out <file>', 'save the plan, with the upstream state it was computed from, for `voicenum apply PLAN.json`')
    .addOption(jsonOption(FLEET_PLAN_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', `
Examples:
  $ voicenum plan -f fleet.yaml
  $ voicenum plan -f fleet.yaml --detailed-exitcode     in CI: 10 means changes are pending
  $ voicenum plan -f fleet.yaml -o plan.json && voicenum apply plan.json

Without --offline, the numbers the file changes are read upstream first (and the cache updated), so
the plan is what upstream holds now. The rules of assign run over the whole plan at once; every
refusal is listed (exit 3).`);

const applyDefinition = () =>
  new Command('apply')
    .description('make the numbers as a fleet file (or a saved plan) says, through the same checks and writes as assign')
    .argument('[plan]', 'a plan saved by `voicenum plan -o`')
    .option('-f, --file <file>', 'the fleet file (YAML or JSON)')
    .option('-y, --yes', 'apply without asking')
    .option('--force', 'overwrite numbers that changed upstream since the plan or the last sync')
    .option('--prune', 'also unassign every slot of the numbers the file leaves out (of the providers it covers); never releases a number')
    .option('--allow-draft', 'allow agents that have no published version')
    .option('--concurrency <n>', 'numbers pushed at once (default 8)')
    .addOption(jsonOption(FLEET_APPLY_FIELDS))
    .addOption(jqOption())
    .addHelpText('after', `
Examples:
  $ voicenum apply -f fleet.yaml
  $ voicenum apply plan.json --yes

Each number is pushed like an assign: read upstream right before the write, journalled, verified;
a saved plan refuses a number whose upstream state changed since the plan (conflict, exit 6) unless
--force. Some numbers failing exits 7; running it again finishes the rest.`);

export type ExportOptions = OptionsOf<typeof exportDefinition>;
export type PlanOptions = OptionsOf<typeof planDefinition>;
export type ApplyOptions = OptionsOf<typeof applyDefinition>;

export const fleetExport = defineCommand(exportDefinition, async (ctx, _args, options) => (await import('./fleet-export.js')).runExport(ctx, options));
export const fleetPlan = defineCommand(planDefinition, async (ctx, _args, options) => (await import('./fleet.js')).runPlan(ctx, options));
export const fleetApply = defineCommand(applyDefinition, async (ctx, [plan], options) => (await import('./fleet.js')).runApply(ctx, plan, options));
