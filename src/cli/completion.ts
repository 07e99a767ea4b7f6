import type { CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { SETTING_KEYS } from '../config/keys.js';
import { cacheFile, chosenProfile } from '../config/paths.js';
import { listProfiles } from '../config/profiles.js';
import { UsageError } from '../domain/errors.js';
import { PROVIDERS, SLOTS } from '../domain/model.js';
import { REGION_PROVIDER } from '../providers/registry.js';
import { completionNames } from '../store/completion-reads.js';
import { SORT_FIELDS } from '../store/record-fields.js';
import type { Context } from './context.js';
import { jsonFieldsOf } from './json-fields.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * The shell side stays tiny: it hands the words typed so far to `voicenum __complete`, which walks
 * the same command tree that parses command lines, so completion never drifts from the commands.
 */
const SCRIPTS: Record<(typeof SHELLS)[number], string> = {
  bash: `# voicenum completion for bash. Load it with: eval "$(voicenum completion bash)"
_voicenum_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(voicenum __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _voicenum_complete voicenum
`,
  zsh: `#compdef voicenum
# voicenum completion for zsh. Load it with: eval "$(voicenum completion zsh)" (after compinit)
_voicenum_complete() {
  local -a candidates
  candidates=("\${(@f)$(voicenum __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -Q -- \${candidates:#}
}
compdef _voicenum_complete voicenum
`,
  fish: `# voicenum completion for fish. Load it with: voicenum completion fish | source
complete -c voicenum -f -a '(voicenum __complete -- (commandline -opc)[2..-1] (commandline -ct))'
`,
};

export async function runCompletion(ctx: Context, shell: string): Promise<number> {
  const script = SCRIPTS[shell as (typeof SHELLS)[number]];
  if (!script) throw new UsageError(`no completion for "${shell}"`, `shells: ${SHELLS.join(', ')}`);
  ctx.printer.data(script);
  return 0;
}

/** `voicenum __complete -- WORDS…`: the candidates for the last word, one a line. */
export async function runComplete(ctx: Context, root: CommandUnknownOpts, words: string[]): Promise<number> {
  const candidates = complete(root, words, {
    names: (kind, prefix) => completionNames(cacheFile(ctx.home, profileOf(words, ctx.env)), kind, prefix),
    // The config file was read (and checked) before the command ran.
    profiles: () => listProfiles(ctx.home, ctx.configFile()).map((profile) => profile.name),
  });
  if (candidates.length) ctx.printer.data(`${candidates.join('\n')}\n`);
  return 0;
}

/** Where names that change with the account come from: the cache and the profile folders. */
export interface CompletionSources {
  names(kind: 'numbers' | 'agents', prefix: string): string[];
  profiles(): string[];
}

/** The candidates for the last of `words` (the words after `voicenum`; the last may be empty). */
export function complete(root: CommandUnknownOpts, words: readonly string[], sources: CompletionSources): string[] {
  const partial = words.at(-1) ?? '';
  let command = root;
  let pendingValue: Option | undefined;
  let positional = 0;
  for (const word of words.slice(0, -1)) {
    if (pendingValue) {
      pendingValue = undefined;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      const option = findOption(command, word.split('=')[0]!);
      if (option?.required && !word.includes('=')) pendingValue = option;
      continue;
    }
    const sub = positional === 0 ? command.commands.find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
    if (sub) command = sub;
    else positional++;
  }
  const starting = (list: readonly string[]) => list.filter((item) => item.startsWith(partial));
  if (pendingValue) return valuesOf(command, pendingValue, partial, sources);
  const last = words.at(-2);
  if (last?.startsWith('--') && !partial.startsWith('-')) {
    // An optional value (`--json [fields]`, `--unassigned [slot]`) or the next argument: offer both.
    const option = findOption(command, last);
    if (option?.optional) return [...valuesOf(command, option, partial, sources), ...argumentValues(command, positional, partial, sources)];
  }
  if (partial.startsWith('-')) {
    const flags = [command, ...ancestors(command)].flatMap((c) => c.options.filter((o) => !o.hidden).map((o) => o.long ?? o.short ?? ''));
    return starting([...new Set(flags.filter(Boolean))]);
  }
  // Internal commands (`__complete`) start with an underscore and are never offered.
  const subcommands = command.commands.map((c) => c.name()).filter((name) => !name.startsWith('_'));
  if (subcommands.length && positional === 0) return starting(subcommands);
  return argumentValues(command, positional, partial, sources);
}

function ancestors(command: CommandUnknownOpts): CommandUnknownOpts[] {
  const out: CommandUnknownOpts[] = [];
  for (let parent = command.parent; parent; parent = parent.parent) out.push(parent);
  return out;
}

function findOption(command: CommandUnknownOpts, flag: string): Option | undefined {
  for (const c of [command, ...ancestors(command)]) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return option as unknown as Option;
  }
  return undefined;
}

function valuesOf(command: CommandUnknownOpts, option: Option, partial: string, sources: CompletionSources): string[] {
  const starting = (list: readonly string[]) => list.filter((item) => item.startsWith(partial));
  switch (option.attributeName()) {
    case 'json': {
      const fields = jsonFieldsOf(command) ?? [];
      // Complete the last name of a comma-separated list, keeping the ones already typed.
      const done = partial.includes(',') ? partial.slice(0, partial.lastIndexOf(',') + 1) : '';
      const typed = done.split(',').filter(Boolean);
      const tail = partial.slice(done.length);
      return fields.filter((f) => f.startsWith(tail) && !typed.includes(f)).map((f) => `${done}${f}`);
    }
    case 'provider':
      return starting(PROVIDERS);
    case 'unassigned':
      return starting(SLOTS);
    case 'sort':
      return starting(SORT_FIELDS);
    case 'region':
      return starting(REGION_PROVIDER?.regions ?? []);
    case 'profile':
      return starting(sources.profiles());
    case 'agent':
      return sources.names('agents', partial);
    case 'inbound':
    case 'outbound':
    case 'sms':
      return option.required ? sources.names('agents', partial) : [];
    default:
      return [];
  }
}

function argumentValues(command: CommandUnknownOpts, positional: number, partial: string, sources: CompletionSources): string[] {
  const args = command.registeredArguments;
  const argument = args[Math.min(positional, args.length - 1)];
  if (!argument || (positional >= args.length && !argument.variadic)) return [];
  const starting = (list: readonly string[]) => list.filter((item) => item.startsWith(partial));
  switch (argument.name()) {
    case 'number':
    case 'numbers':
      return sources.names('numbers', partial);
    case 'agent':
      return sources.names('agents', partial);
    case 'provider':
      return starting(PROVIDERS);
    case 'key':
      return starting(SETTING_KEYS.map((key) => key.name));
    case 'region':
      return starting(REGION_PROVIDER?.regions ?? []);
    case 'shell':
      return starting(SHELLS);
    default:
      return [];
  }
}

/** The profile the words being completed name, as a run of that line would use. */
function profileOf(words: readonly string[], env: NodeJS.ProcessEnv): string {
  const at = words.indexOf('--profile');
  const inline = words.find((w) => w.startsWith('--profile='));
  const profile = (at >= 0 ? words[at + 1] : inline?.slice('--profile='.length)) || undefined;
  return chosenProfile({ sandbox: words.includes('--sandbox'), profile }, env);
}
