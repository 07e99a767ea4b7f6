import { isSupportedCountry } from 'libphonenumber-js/max';
import { UsageError } from '../domain/errors.js';
import { parseDuration, type Settings } from './settings.js';

/** The settings `voicenum config` knows, by the name operators type. */
export interface SettingKey {
  name: string;
  field: keyof Settings;
  description: string;
  /** Turn typed text into the stored value, or throw a UsageError naming what is valid. */
  parse(text: string): Settings[keyof Settings];
}

const booleanValue = (name: string) => (text: string) => {
  const value = text.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(value)) return true;
  if (['off', 'false', 'no', '0'].includes(value)) return false;
  throw new UsageError(`${name} is on or off, not "${text}"`);
};

export const SETTING_KEYS: readonly SettingKey[] = [
  { name: 'policy.one-agent-per-number', field: 'oneAgentPerNumber', description: 'all slots of a number name one agent', parse: booleanValue('policy.one-agent-per-number') },
  { name: 'policy.one-number-per-agent', field: 'oneNumberPerAgent', description: 'an agent holds at most one number per slot; assigning a second moves it', parse: booleanValue('policy.one-number-per-agent') },
  {
    name: 'default-country',
    field: 'defaultCountry',
    description: 'country for numbers typed without a country code (ISO code, e.g. US, GB)',
    parse: (text) => {
      const code = text.toUpperCase();
      if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) throw new UsageError(`default-country is a two-letter ISO country code (US, GB, IE, AU...), not "${text}"`);
      return code;
    },
  },
  {
    name: 'cache-max-age',
    field: 'cacheMaxAge',
    description: 'warn when the cache is older than this (e.g. 30m, 24h, 7d)',
    parse: (text) => {
      parseDuration(text);
      return text.trim();
    },
  },
  {
    name: 'output',
    field: 'output',
    description: 'output on a terminal when no format flag is given: table or json',
    parse: (text) => {
      const value = text.toLowerCase();
      if (value !== 'table' && value !== 'json') throw new UsageError(`output is table or json, not "${text}"`);
      return value;
    },
  },
];

export function settingKey(name: string): SettingKey {
  const key = SETTING_KEYS.find((k) => k.name === name.toLowerCase());
  if (!key) throw new UsageError(`unknown setting "${name}"`, `settings: ${SETTING_KEYS.map((k) => k.name).join(', ')}`);
  return key;
}
