import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';

/** `config get|set --json`: the setting in force. */
export const SETTING_VALUE_FIELDS = ['key', 'value', 'profile'] as const;
/** `config list --json`: `{ profile, settings: [...] }`; the fields are those of each setting. */
export const SETTING_ROW_FIELDS = ['key', 'value', 'source', 'default', 'description'] as const;

/** `config profiles --json`: one object per profile. */
export const PROFILE_FIELDS = ['name', 'active', 'credentials', 'cache'] as const;

/** The help of the `config` group: every setting. */
export const SETTINGS_HELP = `
Settings:
  policy.one-agent-per-number   on|off  all slots of a number name one agent (default off)
  policy.one-number-per-agent   on|off  an agent holds at most one number per slot (default off)
  default-country               ISO code for numbers typed without +country (default US)
  cache-max-age                 warn when the cache is older (default 24h; e.g. 30m, 7d)
  output                        table|json on a terminal when no format flag is given (default table)
  default-region                us1|ie1|au1|none: the region carrier numbers should use (doctor; default none)`;

const getDefinition = () => new Command('get').argument('<key>', 'a setting name').description('print the value in force').addOption(jsonOption(SETTING_VALUE_FIELDS))
    .addOption(jqOption());
const setDefinition = () =>
  new Command('set').argument('<key>', 'a setting name').argument('<value>', 'its new value').description('store a value for the profile').addOption(jsonOption(SETTING_VALUE_FIELDS))
    .addOption(jqOption());
const listDefinition = () => new Command('list').description('every setting with its value and where it comes from').addOption(jsonOption(SETTING_ROW_FIELDS))
    .addOption(jqOption());

const profilesDefinition = () => new Command('profiles').description('every profile: stored credentials, cache, and which one is in use').addOption(jsonOption(PROFILE_FIELDS)).addOption(jqOption());

export type ConfigValueOptions = OptionsOf<typeof getDefinition>;
export type ConfigListOptions = OptionsOf<typeof listDefinition>;
export type ConfigProfilesOptions = OptionsOf<typeof profilesDefinition>;

export const configGet = defineCommand(getDefinition, async (ctx, [key], options) => (await import('./config.js')).runConfigGet(ctx, key, options));
export const configSet = defineCommand(setDefinition, async (ctx, [key, value], options) => (await import('./config.js')).runConfigSet(ctx, key, value, options), { implies: { allowsNewProfile: true } });
export const configList = defineCommand(listDefinition, async (ctx, _args, options) => (await import('./config.js')).runConfigList(ctx, options));
export const configProfiles = defineCommand(profilesDefinition, async (ctx, _args, options) => (await import('./config.js')).runConfigProfiles(ctx, options), { implies: { allowsNewProfile: true } });
