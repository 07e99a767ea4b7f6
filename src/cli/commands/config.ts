import { parseSetting, SETTING_KEYS, settingKey, showSetting } from '../../config/keys.js';
import { listProfiles } from '../../config/profiles.js';
import { DEFAULT_SETTINGS } from '../../config/settings.js';
import { updateConfig } from '../../config/store.js';
import { selectFields } from '../../output/printer.js';
import { SANDBOX_PROFILE } from '../../config/paths.js';
import type { Context } from '../context.js';
import type { ConfigListOptions, ConfigProfilesOptions, ConfigValueOptions } from './config.command.js';

/** `config get KEY`: the value in force for the profile, in the words `config set` takes. */
export async function runConfigGet(ctx: Context, name: string, options: ConfigValueOptions): Promise<number> {
  const key = settingKey(name);
  const value = showSetting(ctx.settings()[key.field]);
  if (ctx.printer.format({ json: options.json }) === 'json') ctx.printer.json(selectFields({ key: key.name, value, profile: ctx.profile }, options.json));
  else ctx.printer.data(`${value}\n`);
  return 0;
}

/** `config set KEY VALUE`: stored for the profile; bad keys and values are refused with what is valid. */
export async function runConfigSet(ctx: Context, name: string, text: string, options: ConfigValueOptions): Promise<number> {
  const key = settingKey(name);
  const value = await parseSetting(key, text);
  await updateConfig(ctx.home, (config) => {
    config.profiles ??= {};
    const profile = (config.profiles[ctx.profile] ??= {});
    profile.settings = { ...profile.settings, [key.field]: value };
  });
  if (options.json) ctx.printer.json(selectFields({ key: key.name, value: showSetting(value), profile: ctx.profile }, options.json));
  ctx.printer.success(`${key.name} = ${showSetting(value)} (profile ${ctx.profile})`);
  return 0;
}

/** `config list`: every setting, its value in force, and whether it is the default. */
export async function runConfigList(ctx: Context, options: ConfigListOptions): Promise<number> {
  const settings = ctx.settings();
  const stored = ctx.configFile().profiles?.[ctx.profile]?.settings ?? {};
  const rows = SETTING_KEYS.map((key) => ({ key: key.name, value: showSetting(settings[key.field]), source: key.field in stored ? 'config' : 'default', default: showSetting(DEFAULT_SETTINGS[key.field]), description: key.description }));
  const format = ctx.printer.format({ json: options.json });
  if (format === 'json') {
    ctx.printer.json(selectFields({ profile: ctx.profile, settings: rows }, options.json, 'settings'));
    return 0;
  }
  ctx.printer.rows(rows, [
    { header: 'KEY', value: (r) => r.key },
    { header: 'VALUE', value: (r) => r.value },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'DESCRIPTION', value: (r) => r.description },
  ], format === 'csv' ? 'csv' : format);
  return 0;
}

/**
 * `config profiles`: every profile (the built-in ones, those in the config file, those with a
 * cache folder), which providers it stores credentials for, whether it has a cache, and which one
 * this command line uses.
 */
export async function runConfigProfiles(ctx: Context, options: ConfigProfilesOptions): Promise<number> {
  const rows = listProfiles(ctx.home, ctx.configFile()).map((p) => ({
    name: p.name,
    active: p.name === ctx.profile,
    // The sandbox's fakes take built-in keys; stored credentials are never used there.
    credentials: p.name === SANDBOX_PROFILE ? ['built-in'] : p.credentials,
    cache: p.cache,
  }));
  const format = ctx.printer.format({ json: options.json });
  if (format === 'json') {
    ctx.printer.json(selectFields({ active: ctx.profile, profiles: rows }, options.json, 'profiles'));
    return 0;
  }
  ctx.printer.rows(rows, [
    { header: 'PROFILE', value: (r) => r.name },
    { header: 'ACTIVE', value: (r) => (r.active ? '*' : '') },
    { header: 'CREDENTIALS', value: (r) => (r.credentials.length ? r.credentials.join(',') : '-') },
    { header: 'CACHE', value: (r) => (r.cache ? 'yes' : 'no') },
  ], format === 'csv' ? 'csv' : format);
  return 0;
}
