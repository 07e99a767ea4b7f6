import { readFileSync } from 'node:fs';
import { UsageError } from '../domain/errors.js';
import { damagedConfigError, fileFailure } from './local-state.js';
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
  /** The team's inbound processing region for carrier numbers (`doctor` flags others), or `none`. */
  defaultRegion: string;
}

export const DEFAULT_SETTINGS: Settings = {
  defaultCountry: 'US',
  cacheMaxAge: '24h',
  oneAgentPerNumber: false,
  oneNumberPerAgent: false,
  output: 'table',
  defaultRegion: 'none',
};

/** What the config file holds (written by store.ts under a lock; read here directly). */
export interface ConfigFileShape {
  profiles?: Record<string, { settings?: Partial<Settings>; credentials?: Record<string, Record<string, string>> }>;
}

/**
 * The config file as it is on disk, checked against its schema; {} when there is none. A file that
 * cannot be read, is not JSON, or holds a value voicenum cannot use ends in a LocalStateError
 * naming it (exit 8, like a damaged cache). zod loads only when there is a file to check.
 */
export async function loadConfigFile(home: string): Promise<ConfigFileShape> {
  const file = configFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw fileFailure(error, home) ?? error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damagedConfigError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const { validateConfigFile } = await import('./schema.js');
  return validateConfigFile(parsed, file);
}

export function profileSettings(config: ConfigFileShape, profile: string): Settings {
  return { ...DEFAULT_SETTINGS, ...config.profiles?.[profile]?.settings };
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/;

export function isDuration(text: string): boolean {
  return DURATION.test(text.trim());
}

/** `90s`, `30m`, `24h`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration`, 'write a number with s, m, h or d, e.g. 24h');
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
