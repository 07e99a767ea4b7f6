import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Context } from './cli/context.js';
import { VERSION } from './cli/version.js';
import { ExitCode, VoicenumError } from './domain/errors.js';
import { Interrupt } from './cli/interrupt.js';
import { systemIO, type IO } from './output/io.js';

export { queuedOutput } from './output/io.js';
import type { Prompter } from './cli/prompter.js';

export interface MainDependencies {
  io?: IO;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  prompter?: (io: IO) => Prompter;
  /** Where SIGINT and SIGTERM come from (the process, in the executable). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Ends the process at once with this code (a signal outside a write phase, or a second one). */
  exit?: (code: number) => void;
}

/**
 * Run one voicenum command line and return its exit code. The only place where errors become
 * exit codes; it never calls process.exit.
 */
export async function main(argv: string[], deps: MainDependencies = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const noColor = argv.includes('--no-color');
  const io = deps.io ?? systemIO(env, noColor);
  // `voicenum --version` alone (how scripts and installers probe) is answered before the command
  // tree is built: it then loads this file and nothing of the commands.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.Ok;
  }
  const { buildProgram, globalOptions } = await import('./cli/program.js');
  let exitCode: number = ExitCode.Ok;
  let context: Context | undefined;
  const interrupt = new Interrupt(() => deps.exit?.(ExitCode.Cancelled), (text) => io.stderr.write(text));
  const onSignal = () => interrupt.signal();
  deps.signals?.on('SIGINT', onSignal);
  deps.signals?.on('SIGTERM', onSignal);
  // The context (and with it the printer and chalk) loads with the first command that runs, so
  // `--help` and `--version` load commander and nothing else.
  const fallbackPrinter = async () => new (await import('./output/printer.js')).Printer(io, { quiet: false, verbose: false, chalk: io.colorErr ? new (await import('chalk')).Chalk({ level: 1 }) : undefined });

  const program = buildProgram(async (load, command, overrides) => {
    const { Context } = await import('./cli/context.js');
    // chalk loads only when a stream will show colour.
    const chalk = io.colorOut || io.colorErr ? new (await import('chalk')).Chalk({ level: 1 }) : undefined;
    context = new Context(io, env, { ...globalOptions(command), ...overrides }, interrupt, deps.now, deps.prompter, chalk);
    await context.open();
    await context.printer.prepareJq();
    exitCode = await load(context);
  }, argv);
  // Commander would ask process.stdout and stderr for their width and colours, opening them (some
  // milliseconds each); the IO knows already. Not a terminal: commander's own default, 80.
  const width = (terminal: boolean, columns: number) => (terminal && columns > 0 ? columns : 80);
  const output = {
    writeOut: (text: string) => io.stdout.write(text),
    writeErr: (text: string) => io.stderr.write(text),
    getOutHelpWidth: () => width(io.isStdoutTTY, io.columns),
    getErrHelpWidth: () => width(io.isStderrTTY, io.stderrColumns ?? io.columns),
    getOutHasColors: () => io.colorOut,
    getErrHasColors: () => io.colorErr,
  };
  program.exitOverride();
  program.configureOutput(output);
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput(output);
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    if (argv.length === 0) {
      program.outputHelp();
    }
  } catch (error) {
    // Loaded already with the command tree; imported here so `--version` above needs no commander.
    const { CommanderError } = await import('@commander-js/extra-typings');
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander refused is a usage error it already printed.
      exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? ExitCode.Ok : ExitCode.Usage;
      if (error.code === 'commander.executeSubCommandAsync' || error.code === 'commander.help') exitCode = ExitCode.Ok;
    } else {
      const explained = await explainLocalFailure(error, env, context);
      (context?.printer ?? (await fallbackPrinter())).error(explained);
      exitCode = explained instanceof VoicenumError ? explained.exitCode : ExitCode.Internal;
    }
  } finally {
    deps.signals?.off('SIGINT', onSignal);
    deps.signals?.off('SIGTERM', onSignal);
    await context?.close();
  }
  // A reader closing the pipe is quiet (systemIO); any other failure to write the output is told.
  const outputFailure = io.outputFailure?.();
  if (outputFailure && exitCode === ExitCode.Ok) {
    const { LocalStateError } = await import('./domain/errors.js');
    (context?.printer ?? (await fallbackPrinter())).error(new LocalStateError('standard output', `writing the output failed (${outputFailure.message})`, outputFailure.code === 'ENOSPC' ? 'free some space on the disk the output goes to' : undefined));
    exitCode = ExitCode.LocalState;
  }
  return exitCode;
}

/**
 * The last resort for failures of the local files (the cache, the config, their folder) that no
 * command explained, such as a sync's transaction finding the disk full: they get their message and
 * the LocalState code, never the "please report it" of a bug.
 */
async function explainLocalFailure(error: unknown, env: NodeJS.ProcessEnv, context: Context | undefined): Promise<unknown> {
  if (error instanceof VoicenumError || typeof (error as { code?: unknown } | null)?.code !== 'string') return error;
  const [{ localStateFailure }, { cacheFile, voicenumHome }] = await Promise.all([import('./config/local-state.js'), import('./config/paths.js')]);
  const home = context?.home ?? voicenumHome(env);
  return localStateFailure(error, { home, cache: context ? cacheFile(home, context.profile) : undefined }) ?? error;
}

function allCommands(command: CommandUnknownOpts): CommandUnknownOpts[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}
