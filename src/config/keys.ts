import { UsageError } from '../domain/errors.js';
import type { Settings } from './settings.js';

/** The settings `voicenum config` knows, by the name operators type. */
export interface SettingKey {
  name: string;
  field: keyof Settings;
  description: string;
}

export const SETTING_KEYS: readonly SettingKey[] = [
  { name: 'policy.one-agent-per-number', field: 'oneAgentPerNumber', description: 'all slots of a number name one agent' },
  { name: 'policy.one-number-per-agent', field: 'oneNumberPerAgent', description: 'an agent holds at most one number per slot; assigning a second moves it' },
  { name: 'default-country', field: 'defaultCountry', description: 'country for numbers typed without a country code (ISO code, e.g. US, GB)' },
  { name: 'cache-max-age', field: 'cacheMaxAge', description: 'warn when the cache is older than this (e.g. 30m, 24h, 7d)' },
  { name: 'output', field: 'output', description: 'output on a terminal when no format flag is given: table or json' },
  { name: 'default-region', field: 'defaultRegion', description: 'the inbound processing region carrier numbers should use (us1, ie1, au1), or none' },
];

export function settingKey(name: string): SettingKey {
  const key = SETTING_KEYS.find((k) => k.name === name.toLowerCase());
  if (!key) throw new UsageError(`unknown setting "${name}"`, `settings: ${SETTING_KEYS.map((k) => k.name).join(', ')}`);
  return key;
}

/** The name `config set` takes for a field of the file. */
export function settingName(field: keyof Settings): string {
  return SETTING_KEYS.find((k) => k.field === field)!.name;
}

/**
 * Turn typed text into the value to store, or refuse it naming what is valid. The same schema
 * judges the config file, so the file and the command line take one vocabulary.
 */
export async function parseSetting(key: SettingKey, text: string): Promise<Settings[keyof Settings]> {
  const { parseSettingValue, SETTING_SCHEMAS } = await import('./schema.js');
  const value = await parseSettingValue(key.field, text);
  if (value === undefined) throw new UsageError(`${key.name} is ${SETTING_SCHEMAS[key.field].valid}, not "${text}"`);
  return value;
}

/** A value as `config get` and `config list` print it: policies as on/off, the rest as stored. */
export function showSetting(value: Settings[keyof Settings]): string {
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : value;
}
