import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';

const resetDefinition = () =>
  new Command('reset').description('restore the seeded sandbox account and empty the sandbox cache').option('--numbers <n>', 'seed this many numbers, spread over the providers');

const serveDefinition = () =>
  new Command('serve')
    .description('run the fake providers on their own (in memory) and print the environment that points voicenum at them')
    .option('--numbers <n>', 'seed this many numbers')
    .option('--latency <ms>', 'delay every answer by this many milliseconds');

export type ResetOptions = OptionsOf<typeof resetDefinition>;
export type ServeOptions = OptionsOf<typeof serveDefinition>;

export const sandboxReset = defineCommand(resetDefinition, async (ctx, _args, options) => (await import('./sandbox.js')).runSandboxReset(ctx, options), { implies: { sandbox: true } });

export const sandboxServe = defineCommand(serveDefinition, async (ctx, _args, options) =>
  (await import('./sandbox.js')).runSandboxServe(ctx, options, () => ctx.interrupt.untilSignal()),
);
