import { readFileSync } from 'node:fs';
import { UsageError } from '../domain/errors.js';
import { configFile } from './paths.js';

/** The settings a profile can hold, with their defaults. */
export interface Settings {
  /** Country used for numbers typed without a country code. */
  defaultCountry: string;
  /** Warn when a provider's cache is older than this (e.g. `24h`, `30m`, `7d`). */
  cacheMaxAge: string;
  /** Team policy: all slots of a number name one agent. */
  oneAgentPerNumber: boolean;
  /** Team policy: an agent holds at most one number per slot. */
  oneNumberPerAgent: boolean;
  /** Output when stdout is a terminal and no format flag is given. */
  output: 'table' | 'json';
}

export const DEFAULT_SETTINGS: Settings = {
  defaultCountry: 'US',
  cacheMaxAge: '24h',
  oneAgentPerNumber: false,
  oneNumberPerAgent: false,
  output: 'table',
};

/** What the config file holds (written through `conf`; read here directly, which is ~60 ms cheaper). */
export interface ConfigFileShape {
  profiles?: Record<string, { settings?: Partial<Settings>; credentials?: Record<string, Record<string, string>> }>;
}

export function readConfigFile(home: string): ConfigFileShape {
  try {
    return JSON.parse(readFileSync(configFile(home), 'utf8')) as ConfigFileShape;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read the configuration ${configFile(home)}: ${(error as Error).message}`, 'fix or delete the file');
  }
}

export function profileSettings(config: ConfigFileShape, profile: string): Settings {
  return { ...DEFAULT_SETTINGS, ...config.profiles?.[profile]?.settings };
}

/** `90s`, `30m`, `24h`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration`, 'write a number with s, m, h or d, e.g. 24h');
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
