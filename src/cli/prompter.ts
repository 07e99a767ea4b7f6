import { CancelledError } from '../domain/errors.js';
import type { IO } from '../output/io.js';

/** The questions commands ask; tests script the answers. */
export interface Prompter {
  confirm(message: string): Promise<boolean>;
}

/** Prompts need a person: stdin and stderr (where prompts are drawn) must both be terminals. */
export function canPrompt(io: IO): boolean {
  return io.isStdinTTY && io.isStderrTTY;
}

/** The real prompter, drawn on stderr so stdout stays clean for data. Loaded only when a question is asked. */
export function terminalPrompter(io: IO): Prompter {
  return {
    async confirm(message) {
      const { confirm } = await import('@inquirer/prompts');
      try {
        return await confirm({ message, default: false }, { input: io.stdin, output: io.stderr as NodeJS.WritableStream });
      } catch (error) {
        if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') throw new CancelledError();
        throw error;
      }
    },
  };
}
