import type { $ZodIssue } from 'zod/v4/core';
import * as z from 'zod/mini';
import { LocalStateError } from '../domain/errors.js';
import { REGIONS } from '../domain/model.js';
import { CREDENTIAL_PROVIDERS, storedCredentialsSchema } from '../providers/credentials-schema.js';
import { PHONE_COUNTRIES } from './countries.js';
import { settingName } from './keys.js';
import { damagedConfigError } from './local-state.js';
import { PROFILE_NAME } from './paths.js';
import { isDuration, type ConfigFileShape, type Settings } from './settings.js';

/**
 * The zod schemas of the config file and of the values `config set` takes. One schema per setting
 * serves both: what an operator may type is what the file may hold, so a value written by hand
 * into the file is judged exactly as one set on the command line. Every command with a config file
 * loads this module, so it uses zod/mini, which the build tree-shakes into a small chunk (the full
 * zod is some 700 KB of modules to load before a `numbers list`).
 */

/** The words a policy takes; `config get` prints on/off, the others are accepted on input. */
const POLICY_WORDS: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false };

const trimmed = (transform: (text: string) => string = (text) => text) => z.pipe(z.string(), z.transform((text: string) => transform(text.trim())));

const policy = z.union([
  z.boolean(),
  z.pipe(z.pipe(trimmed((text) => text.toLowerCase()), z.enum(Object.keys(POLICY_WORDS) as [string, ...string[]])), z.transform((word: string) => POLICY_WORDS[word]!)),
]);

const country = trimmed((text) => text.toUpperCase()).check(z.refine((code: string) => PHONE_COUNTRIES.has(code)));

const duration = trimmed().check(z.refine(isDuration));

const region = z.pipe(trimmed((text) => text.toLowerCase()), z.enum(['none', ...REGIONS]));

const output = z.pipe(trimmed((text) => text.toLowerCase()), z.enum(['table', 'json']));

/** Each setting's schema, and the valid values in words for the messages. */
export const SETTING_SCHEMAS: { [F in keyof Settings]: { schema: z.ZodMiniType<Settings[F], unknown>; valid: string } } = {
  oneAgentPerNumber: { schema: policy, valid: 'on or off' },
  oneNumberPerAgent: { schema: policy, valid: 'on or off' },
  defaultCountry: { schema: country, valid: 'a two-letter ISO country code (US, GB, IE, AU...)' },
  cacheMaxAge: { schema: duration, valid: 'a duration: a number with s, m, h or d (90s, 30m, 24h, 7d)' },
  output: { schema: output, valid: 'table or json' },
  defaultRegion: { schema: region, valid: `a region (${REGIONS.join(', ')}) or none` },
};

const SETTING_FIELDS = Object.keys(SETTING_SCHEMAS) as (keyof Settings)[];

const settingsSchema = z.strictObject(Object.fromEntries(SETTING_FIELDS.map((field) => [field, z.optional(SETTING_SCHEMAS[field].schema)])) as { [F in keyof Settings]: z.ZodMiniOptional<z.ZodMiniType<Settings[F], unknown>> });

const profileSchema = z.strictObject({ settings: z.optional(settingsSchema), credentials: z.optional(storedCredentialsSchema) });

/**
 * The whole file. Unknown keys at the top are kept (the file is voicenum's, but `conf` or a later
 * version may keep its own entries there); inside a profile every key must be one voicenum knows,
 * so a misspelt setting is reported instead of silently doing nothing.
 */
export const configFileSchema = z.looseObject({
  profiles: z.optional(z.record(z.string().check(z.regex(PROFILE_NAME)), profileSchema)),
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

function describeConfigIssue(issue: $ZodIssue, parsed: unknown): ConfigIssue {
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
