import { z } from 'zod';
import { LocalStateError } from '../domain/errors.js';
import { CREDENTIAL_PROVIDERS, storedCredentialsSchema } from '../providers/credentials-schema.js';
import { settingName } from './keys.js';
import { damagedConfigError } from './local-state.js';
import { PROFILE_NAME } from './paths.js';
import { isDuration, type ConfigFileShape, type Settings } from './settings.js';

/**
 * The zod schemas of the config file and of the values `config set` takes. One schema per setting
 * serves both: what an operator may type is what the file may hold, so a value written by hand
 * into the file is judged exactly as one set on the command line. This module loads zod, so it is
 * imported only when there is a file to check or a value to set.
 */

/** The words a policy takes; `config get` prints on/off, the others are accepted on input. */
const POLICY_WORDS: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false };

const policy = z.union([z.boolean(), z.string().transform((text, ctx) => {
  const value = POLICY_WORDS[text.trim().toLowerCase()];
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not on or off' });
    return z.NEVER;
  }
  return value;
})]);

/**
 * The phone library's list of countries is large, so it loads only when a country is checked
 * (the refinement is async: the schemas are parsed with safeParseAsync).
 */
const country = z.string().transform((text) => text.trim().toUpperCase()).refine(async (code) => /^[A-Z]{2}$/.test(code) && (await import('libphonenumber-js/max')).isSupportedCountry(code));

const duration = z.string().transform((text) => text.trim()).refine(isDuration);

const output = z.string().transform((text) => text.trim().toLowerCase()).pipe(z.enum(['table', 'json']));

/** Each setting's schema, and the valid values in words for the messages. */
export const SETTING_SCHEMAS: { [F in keyof Settings]: { schema: z.ZodType<Settings[F], unknown>; valid: string } } = {
  oneAgentPerNumber: { schema: policy, valid: 'on or off' },
  oneNumberPerAgent: { schema: policy, valid: 'on or off' },
  defaultCountry: { schema: country, valid: 'a two-letter ISO country code (US, GB, IE, AU...)' },
  cacheMaxAge: { schema: duration, valid: 'a duration: a number with s, m, h or d (90s, 30m, 24h, 7d)' },
  output: { schema: output, valid: 'table or json' },
};

const SETTING_FIELDS = Object.keys(SETTING_SCHEMAS) as (keyof Settings)[];

const settingsSchema = z.strictObject(Object.fromEntries(SETTING_FIELDS.map((field) => [field, SETTING_SCHEMAS[field].schema.optional()])) as { [F in keyof Settings]: z.ZodOptional<z.ZodType<Settings[F], unknown>> });

const profileSchema = z.strictObject({ settings: settingsSchema.optional(), credentials: storedCredentialsSchema.optional() });

/**
 * The whole file. Unknown keys at the top are kept (the file is voicenum's, but `conf` or a later
 * version may keep its own entries there); inside a profile every key must be one voicenum knows,
 * so a misspelt setting is reported instead of silently doing nothing.
 */
export const configFileSchema = z.looseObject({
  profiles: z.record(z.string().regex(PROFILE_NAME), profileSchema).optional(),
});

/**
 * Check a parsed config file. A wrong shape (not an object, a profile that is not one) is reported
 * as damage; a wrong value names the profile, the setting and the values it takes. Secrets are
 * never quoted.
 */
export async function validateConfigFile(parsed: unknown, file: string): Promise<ConfigFileShape> {
  const result = await configFileSchema.safeParseAsync(parsed);
  if (result.success) return result.data as ConfigFileShape;
  const problems = result.error.issues.map((issue) => describeConfigIssue(issue, parsed));
  const valueProblems = problems.filter((p) => p.kind === 'value').map((p) => p.text);
  if (valueProblems.length !== problems.length) throw damagedConfigError(file, problems.filter((p) => p.kind === 'shape').map((p) => p.text).join('; '));
  throw invalidConfigError(file, valueProblems);
}

function invalidConfigError(file: string, problems: string[]): LocalStateError {
  return new LocalStateError(
    file,
    `the configuration ${file} holds ${problems.length === 1 ? 'a value' : `${problems.length} values`} voicenum cannot use: ${problems.join('; ')}`,
    'fix it in an editor (`voicenum config set` reads the whole file first, so it refuses too); the file holds the settings and stored credentials of every profile',
  );
}

interface ConfigIssue {
  kind: 'value' | 'shape';
  text: string;
}

function describeConfigIssue(issue: z.core.$ZodIssue, parsed: unknown): ConfigIssue {
  const path = issue.path.map(String);
  const [top, profile, part, key, field] = path;
  if (top !== 'profiles') return { kind: 'shape', text: path.length ? `"${path.join('.')}": ${issue.message}` : 'it does not hold a JSON object' };
  if (profile === undefined) return { kind: 'shape', text: '"profiles" is not an object' };
  if (issue.code === 'invalid_key') return { kind: 'value', text: `"${profile}" is not a valid profile name (letters, digits, - and _, up to 40)` };
  const where = `profile "${profile}"`;
  if (part === undefined) return { kind: 'shape', text: `${where} is not an object` };
  if (issue.code === 'unrecognized_keys') {
    const unknown = issue.keys.map((k) => `"${k}"`).join(', ');
    if (part === 'settings' && key === undefined) return { kind: 'value', text: `${where} has unknown setting ${unknown} (the file names them ${SETTING_FIELDS.join(', ')})` };
    if (part === 'credentials' && key === undefined) return { kind: 'value', text: `${where} has credentials of unknown provider ${unknown} (providers: ${CREDENTIAL_PROVIDERS.join(', ')})` };
    if (part === 'credentials') return { kind: 'value', text: `${where} has unknown ${key} credential ${unknown}` };
    return { kind: 'shape', text: `${where} has unknown key ${unknown} (a profile holds "settings" and "credentials")` };
  }
  if (key === undefined) return { kind: 'shape', text: `"${part}" of ${where} is not an object` };
  if (part === 'settings') {
    const settingField = key as keyof Settings;
    const value = (((parsed as ConfigFileShape).profiles?.[profile]?.settings ?? {}) as Record<string, unknown>)[key];
    return { kind: 'value', text: `${where}, setting ${settingName(settingField)} ("${key}" in the file) is ${JSON.stringify(value)} (valid: ${SETTING_SCHEMAS[settingField].valid})` };
  }
  if (field === undefined) return { kind: 'value', text: `the ${key} credentials of ${where} are not an object` };
  return { kind: 'value', text: `the ${key} credential "${field}" of ${where} is not a non-empty string` };
}

/** A value typed for `config set`, checked by the setting's schema; undefined when it is not valid. */
export async function parseSettingValue<F extends keyof Settings>(field: F, text: string): Promise<Settings[F] | undefined> {
  const result = await SETTING_SCHEMAS[field].schema.safeParseAsync(text);
  return result.success ? result.data : undefined;
}
