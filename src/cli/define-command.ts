import type { Command, CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import type { Context, GlobalOptions } from './context.js';
import { jsonFieldsHelp, jsonFieldsOf } from './json-fields.js';
import { isTerminal } from '../util/lazy-builtins.js';

/** How an action reaches its run function: a Context is built for it, then the code loads. */
export type Dispatch = (run: (ctx: Context) => Promise<number>, command: CommandUnknownOpts, overrides?: Partial<GlobalOptions>) => Promise<void>;

/**
 * One command: its definition (name, arguments, options, help) and the run function that receives
 * what the definition parsed. The argument and option types are inferred from the definition, so a
 * flag renamed or retyped there fails the type check of the run code.
 *
 * Definitions live in `commands/<name>.command.ts` and load nothing but commander; their run
 * functions (`commands/<name>.ts`) load only when the command runs, so `--help` stays cheap.
 */
export interface CommandDefinition<Args extends unknown[], Opts extends OptionValues> {
  readonly build: () => Command<Args, Opts>;
  /** `command` is the parsed commander Command, for the few runs that read the tree (completion). */
  readonly run: (ctx: Context, args: Args, options: Opts, command: CommandUnknownOpts) => Promise<number>;
  /** Global options the command implies (`sandbox reset` always works on the sandbox). */
  readonly implies?: Partial<GlobalOptions>;
  /** Also reachable without its group word (`voicenum assign` as well as `voicenum numbers assign`). */
  readonly shortcut?: boolean;
  /** Left out of help (the completion scripts' helper). */
  readonly hidden?: boolean;
}

/** The options a definition parses, for the run function's signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any argument list
export type OptionsOf<Build extends () => Command<any[], OptionValues>> = ReturnType<ReturnType<Build>['opts']>;

export function defineCommand<Args extends unknown[], Opts extends OptionValues>(
  build: () => Command<Args, Opts>,
  run: (ctx: Context, args: Args, options: Opts, command: CommandUnknownOpts) => Promise<number>,
  extra: { implies?: Partial<GlobalOptions>; shortcut?: boolean; hidden?: boolean } = {},
): CommandDefinition<Args, Opts> {
  return { build, run, ...extra };
}

/** A fresh commander Command for the definition, wired to run through `dispatch`. */
export function instantiate<Args extends unknown[], Opts extends OptionValues>(definition: CommandDefinition<Args, Opts>, dispatch: Dispatch): Command<Args, Opts> {
  const command = definition.build();
  const fields = jsonFieldsOf(command);
  if (fields) command.addHelpText('after', () => jsonFieldsHelp(fields, (isTerminal(1) && process.stdout.columns) || 80));
  const untyped = command as unknown as CommandUnknownOpts;
  // --jq implies --json (every field): gh needs both because its --json must list fields; ours need not.
  if (fields) untyped.hook('preAction', () => void (untyped.getOptionValue('jq') !== undefined && untyped.getOptionValue('json') === undefined && untyped.setOptionValue('json', true)));
  command.action(() => dispatch((ctx) => definition.run(ctx, command.processedArgs, command.opts(), untyped), untyped, definition.implies));
  return command;
}
