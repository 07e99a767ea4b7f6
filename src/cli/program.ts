import { Command, Option } from 'commander';
import type { Context, GlobalOptions } from './context.js';
import { collectList } from './options.js';
import { HELP } from '../providers/help-text.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** How a command's action reaches its implementation: loaded on demand, given the Context. */
export type Dispatch = (load: (ctx: Context) => Promise<number>, command: Command, overrides?: Partial<GlobalOptions>) => Promise<void>;

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  2    usage error (unknown command or flag, bad value)
  3    refused by voicenum's rules before anything was pushed
  4    missing or rejected credentials
  5    provider error
  6    conflict: the number changed upstream since the last sync
  7    partial: some items of a batch (or some providers of a sync) failed
  130  cancelled
  1    unexpected internal error`;

/**
 * The command tree. Every action imports its command module lazily, so `--help` and `--version`
 * load commander and nothing else.
 */
export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command('voicenum')
    .description(HELP.program)
    .version(VERSION, '-V, --version', 'print the version')
    .option('--profile <name>', 'use this profile: its credentials, policies and cache (env VOICENUM_PROFILE)')
    .option('--sandbox', 'run against the built-in fake providers (the "sandbox" profile)')
    .option('--json [fields]', 'print JSON; optionally only these comma-separated fields')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'print only data and errors')
    .option('--verbose', 'also print each HTTP request (keys are never shown)')
    .option('--offline', 'never contact a provider; use the cache only')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
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
${EXIT_CODES_HELP}`);

  const numbers = program.command('numbers').description('list, show, sync, assign and configure phone numbers');

  const listOptions = (command: Command) =>
    command
      .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
      .option('--agent <agent>', 'only numbers held by this agent (name, id, or provider:name)')
      .option('--unassigned [slot]', 'only numbers with nothing in SLOT (inbound, outbound, sms), or in any slot')
      .option('--status <status>', 'only this status (active, blocked, removed, needs-attention, ...)')
      .option('--region <region>', HELP.regionFilter)
      .option('--search <text>', 'match number, label or agent name')
      .option('--sort <field>', 'sort by e164, provider, label, status or region', 'e164')
      .option('--limit <n>', 'print at most N numbers')
      .option('--csv', 'comma-separated with a header')
      .option('--plain', 'tab-separated rows without header (the default when piped)')
      .addHelpText('after', `
Output: a table on a terminal; tab-separated rows when piped (first column: the number, so
  voicenum numbers list --unassigned inbound --plain | cut -f1   feeds other commands);
--json [fields] for scripts; --csv for spreadsheets.`);

  listOptions(numbers.command('list').alias('ls').description('list numbers with their agents per slot')).action((_options, command: Command) =>
    dispatch(async (ctx) => (await import('./commands/numbers-list.js')).runNumbersList(ctx, command.optsWithGlobals()), command),
  );

  numbers
    .command('show')
    .description('all facts of one number: slots, carrier, region, status')
    .argument('<number>', 'the number, in E.164 or national form')
    .option('--provider <name>', 'which record, when two platforms hold the number', collectList)
    .option('--plain', 'key<TAB>value lines')
    .action((number: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/numbers-show.js')).runNumbersShow(ctx, number, command.optsWithGlobals()), command));

  const assignCommand = (command: Command) =>
    command
      .description('set the agent of a slot on one or more numbers, checked against the cache and the provider\'s rules first')
      .argument('[numbers...]', 'numbers (E.164 or national form), or - to read them from standard input, one a line')
      .option('--inbound <agent>', HELP.inbound)
      .option('--outbound <agent>', HELP.outbound)
      .option('--sms <agent>', 'agent that sends and receives texts')
      .option('--provider <name>', 'which record, when two platforms hold a number', collectList)
      .option('-y, --yes', 'confirm moves (replacing an agent) without asking')
      .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
      .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
      .option('--allow-draft', 'allow an agent that has no published version')
      .addHelpText('after', `
Examples:
  $ voicenum assign +14155551234 --inbound receptionist
  $ voicenum assign +14155551234 --inbound sales=0.7,support=0.3 --dry-run
  $ voicenum numbers list --unassigned inbound --plain | head -20 | voicenum assign - --inbound sales --yes

Every write is journalled before it is sent; Ctrl-C lets the writes in flight finish and be recorded,
starts nothing new and reports each number (exit 130); a second Ctrl-C quits at once.`)
      .action((numbers: string[], _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/assign.js')).runAssign(ctx, numbers, cmd.optsWithGlobals()), cmd));
  const unassignCommand = (command: Command) =>
    command
      .description('empty slots of one or more numbers (no slot flag: every slot that holds an agent)')
      .argument('[numbers...]', 'numbers, or - to read them from standard input, one a line')
      .option('--inbound', 'empty the inbound slot')
      .option('--outbound', 'empty the outbound slot')
      .option('--sms', 'empty the sms slot')
      .option('--provider <name>', 'which record, when two platforms hold a number', collectList)
      .option('-y, --yes', 'confirm without asking (calls or texts to the number stop being answered)')
      .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
      .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
      .action((numbers: string[], _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/assign.js')).runUnassign(ctx, numbers, cmd.optsWithGlobals()), cmd));
  assignCommand(numbers.command('assign'));
  unassignCommand(numbers.command('unassign'));
  assignCommand(program.command('assign'));
  unassignCommand(program.command('unassign'));

  const settingFlags = (command: Command) =>
    command
      .option('--provider <name>', 'which record, when two platforms hold the number', collectList)
      .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
      .option('--force', 'overwrite even if it changed upstream since the last sync');
  const regionCommand = (command: Command) =>
    settingFlags(
      command
        .description(HELP.region)
        .argument('<number>', HELP.regionNumber)
        .argument('[region]', HELP.regionValue),
    ).action((number: string, region: string | undefined, _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/settings.js')).runRegion(ctx, number, region, cmd.optsWithGlobals()), cmd));
  regionCommand(numbers.command('region'));
  regionCommand(program.command('region'));
  settingFlags(
    numbers
      .command('label')
      .description(HELP.label)
      .argument('<number>', 'the number')
      .argument('<text>', 'the new label'),
  ).action((number: string, text: string, _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/settings.js')).runLabel(ctx, number, text, cmd.optsWithGlobals()), cmd));
  settingFlags(
    numbers
      .command('fallback')
      .description(HELP.fallback)
      .argument('<number>', 'the number')
      .argument('<target>', HELP.fallbackTarget),
  ).action((number: string, target: string, _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/settings.js')).runFallback(ctx, number, target, cmd.optsWithGlobals()), cmd));

  program
    .command('history')
    .description('the audit log: every change voicenum pushed or tried to push')
    .argument('[number]', 'only this number')
    .option('--limit <n>', 'the last N entries')
    .option('--csv', 'comma-separated with a header')
    .option('--plain', 'tab-separated rows without header (the default when piped)')
    .action((number: string | undefined, _options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/history.js')).runHistory(ctx, number, cmd.optsWithGlobals()), cmd));

  const syncCommand = (command: Command) =>
    command
      .description('fill the cache from every configured provider (concurrently)')
      .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
      .action((_options, cmd: Command) => dispatch(async (ctx) => (await import('./commands/sync.js')).runSync(ctx, cmd.optsWithGlobals()), cmd));
  syncCommand(numbers.command('sync'));
  syncCommand(program.command('sync'));

  const agents = program.command('agents').description('list agents and how many numbers each holds');
  agents
    .command('list')
    .alias('ls')
    .description('agents of every provider with their number counts per slot')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .option('--csv', 'comma-separated with a header')
    .option('--plain', 'tab-separated rows without header (the default when piped)')
    .action((_options, command: Command) => dispatch(async (ctx) => (await import('./commands/agents-list.js')).runAgentsList(ctx, command.optsWithGlobals()), command));

  agents
    .command('show')
    .description('one agent: whether it is live, and its numbers per slot')
    .argument('<agent>', 'name, id, or provider:name')
    .option('--plain', 'key<TAB>value lines')
    .action((agent: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/agents-show.js')).runAgentsShow(ctx, agent, command.optsWithGlobals()), command));

  program
    .command('wizard')
    .description('assign interactively: pick a number, slots and agents (only ones the rules accept), see the plan, confirm')
    .option('--allow-draft', 'offer agents that have no published version')
    .option('--force', 'overwrite even if the number changed upstream since the last sync (a move still needs a yes)')
    .action((_options, command: Command) => dispatch(async (ctx) => (await import('./commands/wizard.js')).runWizard(ctx, command.optsWithGlobals()), command));

  const auth = program.command('auth').description('provider credentials of the profile');
  auth
    .command('login')
    .description('ask for a key (hidden), check it with one cheap call, and store it (file mode 0600)')
    .argument('<provider>', HELP.provider)
    .option('--stdin', HELP.loginStdin)
    .option('--account-sid <sid>', HELP.loginAccountSid)
    .option('--api-key <sid>', HELP.loginApiKey)
    .action((name: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/auth.js')).runAuthLogin(ctx, name, command.optsWithGlobals()), command, { allowsNewProfile: true }));
  auth
    .command('status')
    .description('each provider: configured or not, from the environment or the config, key masked to its last four characters')
    .option('--check', 'also make one cheap call per provider to see whether the key works')
    .action((_options, command: Command) => dispatch(async (ctx) => (await import('./commands/auth.js')).runAuthStatus(ctx, command.optsWithGlobals()), command));
  auth
    .command('logout')
    .description("forget the profile's stored key of a provider")
    .argument('<provider>', HELP.provider)
    .action((name: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/auth.js')).runAuthLogout(ctx, name), command));

  const config = program.command('config').description('settings of the profile: policies, default country, cache age, output').addHelpText('after', `
Settings:
  policy.one-agent-per-number   on|off  all slots of a number name one agent (default off)
  policy.one-number-per-agent   on|off  an agent holds at most one number per slot (default off)
  default-country               ISO code for numbers typed without +country (default US)
  cache-max-age                 warn when the cache is older (default 24h; e.g. 30m, 7d)
  output                        table|json on a terminal when no format flag is given (default table)`);
  config
    .command('get')
    .argument('<key>', 'a setting name')
    .description('print the value in force')
    .action((key: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/config.js')).runConfigGet(ctx, key), command));
  config
    .command('set')
    .argument('<key>', 'a setting name')
    .argument('<value>', 'its new value')
    .description('store a value for the profile')
    .action((key: string, value: string, _options, command: Command) => dispatch(async (ctx) => (await import('./commands/config.js')).runConfigSet(ctx, key, value), command, { allowsNewProfile: true }));
  config
    .command('list')
    .description('every setting with its value and where it comes from')
    .action((_options, command: Command) => dispatch(async (ctx) => (await import('./commands/config.js')).runConfigList(ctx), command));
  config
    .command('profiles')
    .description('every profile: stored credentials, cache, and which one is in use')
    .action((_options, command: Command) => dispatch(async (ctx) => (await import('./commands/config.js')).runConfigProfiles(ctx), command, { allowsNewProfile: true }));

  const sandbox = program.command('sandbox').description('the built-in fake providers');
  sandbox
    .command('reset')
    .description('restore the seeded sandbox account and empty the sandbox cache')
    .addOption(new Option('--numbers <n>', 'seed this many numbers, spread over the providers'))
    .action((_options, command: Command) =>
      dispatch(async (ctx) => (await import('./commands/sandbox.js')).runSandboxReset(ctx, command.optsWithGlobals()), command, { sandbox: true }),
    );

  sandbox
    .command('serve')
    .description('run the fake providers on their own (in memory) and print the environment that points voicenum at them')
    .addOption(new Option('--numbers <n>', 'seed this many numbers'))
    .addOption(new Option('--latency <ms>', 'delay every answer by this many milliseconds'))
    .action((_options, command: Command) =>
      dispatch(
        async (ctx) =>
          (await import('./commands/sandbox.js')).runSandboxServe(ctx, command.optsWithGlobals(), () => new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          })),
        command,
      ),
    );

  return program;
}

export function globalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals() as GlobalOptions & { color?: boolean };
  return { profile: all.profile, sandbox: all.sandbox, json: all.json, color: all.color, quiet: all.quiet, verbose: all.verbose, offline: all.offline };
}

/**
 * `--json` takes an optional field list, so `voicenum --json numbers list` would read `numbers` as
 * fields and `show --json +1415...` the number. Before any command word, a command word after
 * `--json` is the command; anywhere, a word that is not a field list is not one. Such a `--json`
 * becomes `--json=` (all fields).
 */
export function normalizeJsonFlag(argv: readonly string[], commandWords: ReadonlySet<string>): string[] {
  const out = [...argv];
  let commandSeen = false;
  for (let i = 0; i < out.length; i++) {
    const token = out[i]!;
    if (!token.startsWith('-') && commandWords.has(token)) commandSeen = true;
    if (token !== '--json' || i === out.length - 1) continue;
    const next = out[i + 1]!;
    const fieldList = /^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/.test(next);
    if (!fieldList || (!commandSeen && commandWords.has(next))) out[i] = '--json=';
  }
  return out;
}
