import type * as InquirerPrompts from '@inquirer/prompts';
import { CancelledError } from '../domain/errors.js';
import type { IO } from '../output/io.js';

/** One choice in a list; a disabled one is shown with the reason instead of vanishing. */
export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: string | false;
}

/**
 * What a search list shows for what was typed, best first. The default (filterChoices) keeps the
 * choices whose name or description holds every typed word, in list order.
 */
export type SearchSource<T> = (term: string, choices: Choice<T>[]) => Choice<T>[];

/** Every choice whose name or description holds each typed word (any case), in list order. */
export function filterChoices<T>(term: string | undefined, choices: Choice<T>[]): Choice<T>[] {
  const words = (term ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return choices.filter((choice) => words.every((word) => `${choice.name} ${choice.description ?? ''}`.toLowerCase().includes(word)));
}

/** The questions commands ask. Tests script the answers; the real one draws on stderr. */
export interface Prompter {
  confirm(message: string): Promise<boolean>;
  input(message: string, validate?: (value: string) => true | string): Promise<string>;
  /** Hidden input for keys and tokens: never echoed. */
  password(message: string): Promise<string>;
  select<T>(message: string, choices: Choice<T>[]): Promise<T>;
  /** A list filtered as the operator types: by `source` when given, else by filterChoices. */
  search<T>(message: string, choices: Choice<T>[], source?: SearchSource<T>): Promise<T>;
  checkbox<T>(message: string, choices: Choice<T>[]): Promise<T[]>;
}

/** Prompts need a person: stdin and stderr (where prompts are drawn) must both be terminals. */
export function canPrompt(io: IO): boolean {
  return io.isStdinTTY && io.isStderrTTY;
}

/**
 * The real prompter (@inquirer/prompts, loaded on the first question), drawn on stderr so stdout
 * stays clean for data. Ctrl-C and Esc cancel: they become a CancelledError, never an exit.
 */
export function terminalPrompter(io: IO): Prompter {
  const ask = async <R>(run: (prompts: typeof InquirerPrompts, context: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal: AbortSignal }) => Promise<R>): Promise<R> => {
    const prompts = await import('@inquirer/prompts');
    const controller = new AbortController();
    const stdin = io.stdin as NodeJS.ReadStream;
    // node:readline loads here, with the first prompt, not at every start.
    process.getBuiltinModule('node:readline').emitKeypressEvents(stdin);
    const onKey = (_text: string, key: { name?: string } | undefined) => {
      if (key?.name === 'escape') controller.abort();
    };
    stdin.on('keypress', onKey);
    try {
      return await run(prompts, { input: stdin, output: io.promptStream ?? (io.stderr as NodeJS.WritableStream), signal: controller.signal });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw new CancelledError();
      throw error;
    } finally {
      stdin.off('keypress', onKey);
    }
  };
  return {
    confirm: (message) => ask((p, context) => p.confirm({ message, default: false }, context)),
    input: (message, validate) => ask((p, context) => p.input({ message, validate: validate ?? (() => true) }, context)),
    password: (message) => ask((p, context) => p.password({ message, mask: '•', validate: (value) => (value.trim() ? true : 'cannot be empty') }, context)),
    select: (message, choices) => ask((p, context) => p.select({ message, choices: choices.map((c) => ({ ...c, disabled: c.disabled || false })), pageSize: 12 }, context)),
    search: (message, choices, source) =>
      ask((p, context) =>
        p.search({ message, source: (term) => (source ? source(term ?? '', choices) : filterChoices(term, choices)).map((c) => ({ ...c, disabled: c.disabled || false })), pageSize: 12 }, context),
      ),
    checkbox: (message, choices) => ask((p, context) => p.checkbox({ message, choices: choices.map((c) => ({ ...c, disabled: c.disabled || false })), required: true }, context)),
  };
}
