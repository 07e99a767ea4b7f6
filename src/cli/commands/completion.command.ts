import { Command } from '@commander-js/extra-typings';
import { defineCommand } from '../define-command.js';

const completionDefinition = () =>
  new Command('completion')
    .description('print the shell completion script (commands, flags, JSON fields, providers, and numbers and agents from the cache)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', `
Load it in the shell's start-up file:
  bash   eval "$(voicenum completion bash)"          in ~/.bashrc
  zsh    eval "$(voicenum completion zsh)"           in ~/.zshrc, after compinit
  fish   voicenum completion fish | source           in ~/.config/fish/config.fish`);

/** What the scripts call on Tab: the candidates for the last word. Not shown in help. */
const completeDefinition = () => new Command('__complete').argument('[words...]', 'the words after voicenum, the last one being completed');

export const completion = defineCommand(completionDefinition, async (ctx, [shell]) => (await import('../completion.js')).runCompletion(ctx, shell));

export const complete = defineCommand(completeDefinition, async (ctx, [words], _options, command) => {
  let root = command;
  while (root.parent) root = root.parent;
  return (await import('../completion.js')).runComplete(ctx, root, words);
}, { hidden: true });
