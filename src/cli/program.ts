import { Command } from '@commander-js/extra-typings';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { HELP } from '../providers/help-text.js';
import { agentsList } from './commands/agents-list.command.js';
import { agentsShow } from './commands/agents-show.command.js';
import { assign, unassign } from './commands/assign.command.js';
import { authLogin, authLogout, authStatus } from './commands/auth.command.js';
import { complete, completion } from './commands/completion.command.js';
import { environment } from './commands/environment.command.js';
import { fleetApply, fleetExport, fleetPlan } from './commands/fleet.command.js';
import { doctor } from './commands/doctor.command.js';
import { configGet, configList, configProfiles, configSet, SETTINGS_HELP } from './commands/config.command.js';
import { history } from './commands/history.command.js';
import { drift } from './commands/drift.command.js';
import { undo } from './commands/undo.command.js';
import { numbersBuy, numbersImport, numbersRelease, numbersRepair } from './commands/lifecycle.command.js';
import { numbersList } from './commands/numbers-list.command.js';
import { numbersShow } from './commands/numbers-show.command.js';
import { sandboxReset, sandboxServe } from './commands/sandbox.command.js';
import { fallback, label, region } from './commands/settings.command.js';
import { sync } from './commands/sync.command.js';
import { wizard } from './commands/wizard.command.js';
import type { GlobalOptions } from './context.js';
import { instantiate, type CommandDefinition, type Dispatch } from './define-command.js';

import { VERSION } from './version.js';

export type { Dispatch } from './define-command.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  2    usage error (unknown command or flag, bad value)
  3    refused by voicenum's rules before anything was pushed
  4    missing or rejected credentials
  5    provider error
  6    conflict: the number changed upstream since the last sync
  7    partial: some items of a batch (or some providers of a sync) failed
  8    local state: the cache or config could not be read or written
  10   plan --detailed-exitcode: changes are pending
  11   drift found: upstream changed since voicenum last knew it (voicenum drift)
  12   doctor found errors
  130  cancelled
  1    unexpected internal error`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions of any shape
type AnyDefinition = CommandDefinition<any, any>;

/**
 * The command tree: groups and where each command sits, each command under the words that name it
 * (its name and aliases: a unit test holds them to the built commands). A command's own definition
 * (arguments, options, JSON fields, help) and its run code live together in `commands/`; this file
 * only places them. Shortcuts (`voicenum assign` for `voicenum numbers assign`) come from the same
 * definition.
 */
export const TREE: { group?: { name: string; description: string; help?: string }; commands: Record<string, AnyDefinition> }[] = [
  {
    group: { name: 'numbers', description: 'list, show, sync, assign and configure phone numbers' },
    commands: { list: numbersList, ls: numbersList, show: numbersShow, assign, unassign, region, label, fallback, sync, buy: numbersBuy, import: numbersImport, release: numbersRelease, repair: numbersRepair },
  },
  { commands: { history } },
  { commands: { drift, undo } },
  { commands: { doctor } },
  { group: { name: 'agents', description: 'list agents and how many numbers each holds' }, commands: { list: agentsList, ls: agentsList, show: agentsShow } },
  { commands: { wizard } },
  { commands: { export: fleetExport, plan: fleetPlan, apply: fleetApply } },
  { group: { name: 'auth', description: 'provider credentials of the profile' }, commands: { login: authLogin, status: authStatus, logout: authLogout } },
  { group: { name: 'config', description: 'settings of the profile: policies, default country, cache age, output', help: SETTINGS_HELP }, commands: { get: configGet, set: configSet, list: configList, profiles: configProfiles } },
  { group: { name: 'sandbox', description: 'the built-in fake providers' }, commands: { reset: sandboxReset, serve: sandboxServe } },
  { commands: { completion, __complete: complete, environment } },
];

/** Global flags that may come before the command's words, and the one of them that takes a value. */
const GLOBAL_FLAGS = new Set(['--sandbox', '--no-color', '-q', '--quiet', '--verbose', '--offline']);
const GLOBAL_WITH_VALUE = '--profile';
/** Commands whose run reads the command tree (completion lists the commands): they need all of it. */
const TREE_READERS = new Set<AnyDefinition>([completion, complete]);

/** Where a command line's command sits: its definition and its group (none: the top level). */
interface NamedCommand {
  definition: AnyDefinition;
  group?: string;
}

/**
 * The one command a command line names, read from its words without building a command (each costs
 * its options and help text at every start); null when the line needs the whole tree: help, a
 * group alone, a word voicenum does not know, a flag it does not expect before the command, or
 * completion.
 */
export function namedCommand(argv: readonly string[]): NamedCommand | null {
  let at = 0;
  for (let word = argv[at]; word?.startsWith('-'); word = argv[at]) {
    if (GLOBAL_FLAGS.has(word) || word.startsWith(`${GLOBAL_WITH_VALUE}=`)) at += 1;
    else if (word === GLOBAL_WITH_VALUE) at += 2;
    else return null;
  }
  const first = argv[at];
  if (first === undefined) return null;
  const wordIn = (commands: Record<string, AnyDefinition>, word: string | undefined) => (word !== undefined && Object.hasOwn(commands, word) ? commands[word] : undefined);
  let found: NamedCommand | null = null;
  const group = TREE.find((entry) => entry.group?.name === first);
  if (group) {
    const definition = wordIn(group.commands, argv[at + 1]);
    found = definition ? { definition, group: first } : null;
  } else {
    for (const entry of TREE) {
      const definition = wordIn(entry.commands, first);
      if (definition && (!entry.group || definition.shortcut)) found = { definition };
    }
  }
  return found && !TREE_READERS.has(found.definition) ? found : null;
}

/**
 * Whether the line asks for the top level's help alone (`voicenum`, `voicenum --help`): it lists
 * each group by its name and description, never the commands inside one.
 */
export function asksTopLevelHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'));
}

/**
 * The program, with every command, or with only the one `argv` names (see namedCommand), or for the
 * top level's help without the commands inside the groups: building them all cost every start
 * some milliseconds.
 */
export function buildProgram(dispatch: Dispatch, argv?: readonly string[]): CommandUnknownOpts {
  const only = argv ? namedCommand(argv) : null;
  const topLevel = argv !== undefined && asksTopLevelHelp(argv);
  const wanted = (definition: AnyDefinition, group: string | undefined) => (only ? only.definition === definition && only.group === group : !(topLevel && group));
  const program = new Command('voicenum')
    .description(HELP.program)
    .version(VERSION, '-V, --version', 'print the version')
    .option('--profile <name>', 'use this profile: its credentials, policies and cache (env VOICENUM_PROFILE)')
    .option('--sandbox', 'run against the built-in fake providers (the "sandbox" profile)')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'print only data and errors')
    .option('--verbose', 'also print each HTTP request (keys are never shown)')
    .option('--offline', 'never contact a provider; use the cache only')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', `
Examples:
  $ voicenum --sandbox sync                 try everything on built-in fake providers
  $ voicenum sync                           fill the cache from every configured provider
  $ voicenum numbers list --unassigned inbound
  $ voicenum numbers show +14155551234
  $ voicenum numbers list --provider retell --json e164,slots
  $ voicenum assign +14155551234 --inbound receptionist
  $ voicenum numbers list --unassigned inbound --plain | voicenum assign - --inbound sales --yes
  $ voicenum wizard
  $ voicenum help environment               the environment variables voicenum reads
${EXIT_CODES_HELP}`);

  const place = (parent: CommandUnknownOpts, definition: AnyDefinition) => {
    const command = instantiate(definition, dispatch) as unknown as CommandUnknownOpts;
    // addCommand (unlike .command()) does not pass on the parent's help and error settings; a
    // command's own help settings (a help topic's text) win over the inherited ones.
    const own = command.configureHelp();
    command.copyInheritedSettings(parent);
    command.configureHelp({ ...command.configureHelp(), ...own });
    parent.addCommand(command, { hidden: Boolean(definition.hidden) });
  };
  const root = program as unknown as CommandUnknownOpts;
  const shortcuts: AnyDefinition[] = [];
  for (const { group, commands } of TREE) {
    // Each definition once, in the order written (an alias is a second word for the same one).
    const definitions = [...new Set(Object.values(commands))];
    if (!group) {
      for (const definition of definitions) if (wanted(definition, undefined)) place(root, definition);
      continue;
    }
    const placed = definitions.filter((definition) => wanted(definition, group.name));
    if (placed.length > 0 || topLevel) {
      const parent = program.command(group.name).description(group.description) as unknown as CommandUnknownOpts;
      if (group.help) parent.addHelpText('after', group.help);
      for (const definition of placed) place(parent, definition);
    }
    shortcuts.push(...definitions.filter((definition) => definition.shortcut));
    // The shortcuts of the numbers group read best right after it.
    if (group.name === 'numbers') for (const definition of shortcuts.splice(0)) if (wanted(definition, undefined)) place(root, definition);
  }
  return program as unknown as CommandUnknownOpts;
}

/** The global flags as the Context takes them. */
export function globalOptions(command: CommandUnknownOpts): GlobalOptions {
  const all = command.optsWithGlobals() as GlobalOptions & { color?: boolean };
  return { profile: all.profile, sandbox: all.sandbox, jq: all.jq, color: all.color, quiet: all.quiet, verbose: all.verbose, offline: all.offline };
}
