import { Command } from '@commander-js/extra-typings';
import { defineCommand } from '../define-command.js';
import { ENVIRONMENT_HELP } from '../environment-help.js';

/**
 * `voicenum help environment` (commander's help command shows this command's help, which is the
 * topic itself); `voicenum environment` prints it too. Hidden: a help topic, not a command.
 */
const definition = () =>
  new Command('environment')
    .description('the environment variables voicenum reads')
    .configureHelp({ formatHelp: () => ENVIRONMENT_HELP });

export const environment = defineCommand(definition, async (ctx) => {
  ctx.printer.data(ENVIRONMENT_HELP);
  return 0;
}, { hidden: true });
