import { SETTING_KEYS, settingKey } from '../../config/keys.js';
import { DEFAULT_SETTINGS } from '../../config/settings.js';
import { updateConfig } from '../../config/store.js';
import { selectFields } from '../../output/printer.js';
import type { Context } from '../context.js';
import type { ConfigListOptions, ConfigValueOptions } from './config.command.js';

/** `config get KEY`: the value in force for the profile. */
export async function runConfigGet(ctx: Context, name: string, options: ConfigValueOptions): Promise<number> {
  const key = settingKey(name);
  const value = ctx.settings()[key.field];
  if (ctx.printer.format({ json: options.json }) === 'json') ctx.printer.json(selectFields({ key: key.name, value, profile: ctx.profile }, options.json));
  else ctx.printer.data(`${String(value)}\n`);
  return 0;
}

/** `config set KEY VALUE`: stored for the profile; bad keys and values are refused with what is valid. */
export async function runConfigSet(ctx: Context, name: string, text: string, options: ConfigValueOptions): Promise<number> {
  const key = settingKey(name);
  const value = key.parse(text);
  await updateConfig(ctx.home, (config) => {
    config.profiles ??= {};
    const profile = (config.profiles[ctx.profile] ??= {});
    profile.settings = { ...profile.settings, [key.field]: value };
  });
  if (options.json) ctx.printer.json(selectFields({ key: key.name, value, profile: ctx.profile }, options.json));
  ctx.printer.success(`${key.name} = ${String(value)} (profile ${ctx.profile})`);
  return 0;
}

/** `config list`: every setting, its value in force, and whether it is the default. */
export async function runConfigList(ctx: Context, options: ConfigListOptions): Promise<number> {
  const settings = ctx.settings();
  const stored = ctx.configFile().profiles?.[ctx.profile]?.settings ?? {};
  const rows = SETTING_KEYS.map((key) => ({ key: key.name, value: settings[key.field], source: key.field in stored ? 'config' : 'default', default: DEFAULT_SETTINGS[key.field], description: key.description }));
  const format = ctx.printer.format({ json: options.json });
  if (format === 'json') {
    ctx.printer.json(selectFields({ profile: ctx.profile, settings: rows }, options.json, 'settings'));
    return 0;
  }
  ctx.printer.rows(rows, [
    { header: 'KEY', value: (r) => r.key },
    { header: 'VALUE', value: (r) => String(r.value) },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'DESCRIPTION', value: (r) => r.description },
  ], format === 'csv' ? 'csv' : format);
  return 0;
}
