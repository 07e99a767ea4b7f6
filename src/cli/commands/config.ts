import { SETTING_KEYS, settingKey } from '../../config/keys.js';
import { DEFAULT_SETTINGS } from '../../config/settings.js';
import { updateConfig } from '../../config/store.js';
import type { Context } from '../context.js';

/** `config get KEY`: the value in force for the profile. */
export async function runConfigGet(ctx: Context, name: string): Promise<number> {
  const key = settingKey(name);
  const value = ctx.settings()[key.field];
  if (ctx.printer.format({ json: ctx.jsonFlag }) === 'json') ctx.printer.json({ key: key.name, value, profile: ctx.profile });
  else ctx.printer.data(`${String(value)}\n`);
  return 0;
}

/** `config set KEY VALUE`: stored for the profile; bad keys and values are refused with what is valid. */
export async function runConfigSet(ctx: Context, name: string, text: string): Promise<number> {
  const key = settingKey(name);
  const value = key.parse(text);
  await updateConfig(ctx.home, (config) => {
    config.profiles ??= {};
    const profile = (config.profiles[ctx.profile] ??= {});
    profile.settings = { ...profile.settings, [key.field]: value };
  });
  ctx.printer.success(`${key.name} = ${String(value)} (profile ${ctx.profile})`);
  return 0;
}

/** `config list`: every setting, its value in force, and whether it is the default. */
export async function runConfigList(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const stored = ctx.configFile().profiles?.[ctx.profile]?.settings ?? {};
  const rows = SETTING_KEYS.map((key) => ({ key: key.name, value: settings[key.field], source: key.field in stored ? 'config' : 'default', default: DEFAULT_SETTINGS[key.field], description: key.description }));
  const format = ctx.printer.format({ json: ctx.jsonFlag });
  if (format === 'json') {
    ctx.printer.json({ profile: ctx.profile, settings: rows });
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
