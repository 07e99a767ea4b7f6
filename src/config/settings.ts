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
}

export const DEFAULT_SETTINGS: Settings = {
  defaultCountry: 'US',
  cacheMaxAge: '24h',
  oneAgentPerNumber: false,
  oneNumberPerAgent: false,
  output: 'table',
};

/** What the config file holds (written by store.ts under a lock; read here directly). */
export interface ConfigFileShape {
  profiles?: Record<string, { settings?: Partial<Settings>; credentials?: Record<string, Record<string, string>> }>;
}

/**
 * The config file as it is on disk; {} when there is none. A file that cannot be read or is not a
 * voicenum configuration ends in a LocalStateError naming it.
 */
export function readConfigFile(home: string): ConfigFileShape {
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
  const problem = shapeProblem(parsed);
  if (problem) throw damagedConfigError(file, problem);
  return parsed as ConfigFileShape;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What makes `value` something other than a ConfigFileShape, checked as deep as the code reads it. */
function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it does not hold a JSON object';
  if (value.profiles === undefined) return undefined;
  if (!isObject(value.profiles)) return '"profiles" is not an object';
  for (const [name, profile] of Object.entries(value.profiles)) {
    if (!isObject(profile)) return `profile "${name}" is not an object`;
    for (const part of ['settings', 'credentials'] as const) {
      if (profile[part] !== undefined && !isObject(profile[part])) return `"${part}" of profile "${name}" is not an object`;
    }
    for (const [field, setting] of Object.entries((profile.settings ?? {}) as Record<string, unknown>)) {
      const wanted = typeof DEFAULT_SETTINGS[field as keyof Settings];
      if (wanted !== 'undefined' && typeof setting !== wanted) return `setting ${field} of profile "${name}" is not a ${wanted}`;
    }
    for (const [provider, credentials] of Object.entries((profile.credentials ?? {}) as Record<string, unknown>)) {
      if (!isObject(credentials)) return `the ${provider} credentials of profile "${name}" are not an object`;
    }
  }
  return undefined;
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
