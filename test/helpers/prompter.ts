import { CancelledError } from '../../src/domain/errors.js';
import type { Choice, Prompter, SearchSource } from '../../src/cli/prompter.js';

export const CANCEL = Symbol('cancel');

type Kind = 'confirm' | 'input' | 'password' | 'select' | 'search' | 'checkbox';

/** One scripted answer: for lists, pick by the choice's visible name (a matcher) or cancel. */
export type Answer = { kind: Kind; answer: boolean | string | RegExp | RegExp[] | typeof CANCEL };

export interface AskedQuestion {
  kind: Kind;
  message: string;
  choices?: Choice<unknown>[];
  /** A search's own ranking of what is typed, when it has one (the wizard's number search). */
  source?: SearchSource<unknown>;
}

/**
 * A prompter that plays back answers in order and records every question and the choices it
 * offered; an unexpected question (wrong kind, or none scripted) fails the test.
 */
export function scriptedPrompter(script: Answer[]): Prompter & { asked: AskedQuestion[] } {
  const asked: AskedQuestion[] = [];
  const next = (kind: Kind, message: string, choices?: Choice<unknown>[], source?: SearchSource<unknown>) => {
    asked.push({ kind, message, choices, ...(source ? { source } : {}) });
    const step = script.shift();
    if (!step) throw new Error(`unexpected ${kind} question: ${message}`);
    if (step.kind !== kind) throw new Error(`expected a ${step.kind} question, got ${kind}: ${message}`);
    if (step.answer === CANCEL) throw new CancelledError();
    return step.answer;
  };
  const pick = <T>(choices: Choice<T>[], matcher: RegExp): Choice<T> => {
    const found = choices.find((choice) => matcher.test(choice.name));
    if (!found) throw new Error(`no choice matches ${matcher}: ${choices.map((c) => c.name).join(' | ')}`);
    if (found.disabled) throw new Error(`choice ${found.name} is disabled: ${found.disabled}`);
    return found;
  };
  return {
    asked,
    confirm: async (message) => next('confirm', message) as boolean,
    input: async (message) => next('input', message) as string,
    password: async (message) => next('password', message) as string,
    select: async (message, choices) => pick(choices, next('select', message, choices) as RegExp).value,
    search: async (message, choices, source) => pick(choices, next('search', message, choices, source as SearchSource<unknown> | undefined) as RegExp).value,
    checkbox: async (message, choices) => (next('checkbox', message, choices) as RegExp[]).map((matcher) => pick(choices, matcher).value),
  };
}
