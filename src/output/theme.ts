import type { ChalkInstance } from 'chalk';
import type { ProviderColour } from '../domain/capabilities.js';
import { CAPABILITIES } from '../providers/registry.js';

/** Colours for one stream, decided once from the IO's colour flag. */
export interface Theme {
  header(text: string): string;
  dim(text: string): string;
  success(text: string): string;
  warn(text: string): string;
  fail(text: string): string;
  provider(name: string): string;
  status(status: string): string;
}

/** Each provider's colour, as its descriptor says. */
const PROVIDER_COLOURS = new Map<string, ProviderColour>(CAPABILITIES.all.map((c) => [c.name, c.colour]));

const plain = (text: string) => text;

/** No colour at all: every style is the text itself (and chalk is never loaded). */
export const PLAIN_THEME: Theme = { header: plain, dim: plain, success: plain, warn: plain, fail: plain, provider: plain, status: plain };

/** Colours for a stream that shows them; `chalk` is loaded by the caller only when one does. */
export function makeTheme(chalk: ChalkInstance): Theme {
  return {
    header: (text) => chalk.bold.underline(text),
    dim: (text) => chalk.dim(text),
    success: (text) => chalk.green(text),
    warn: (text) => chalk.yellow(text),
    fail: (text) => chalk.red(text),
    provider: (name) => {
      const colour = PROVIDER_COLOURS.get(name);
      return (colour ? chalk[colour] : chalk.reset)(name);
    },
    status: (status) => {
      if (status === 'blocked' || status === 'needs-attention') return chalk.red(status);
      if (status === 'removed') return chalk.dim(status);
      if (status === 'activating') return chalk.yellow(status);
      return status;
    },
  };
}
