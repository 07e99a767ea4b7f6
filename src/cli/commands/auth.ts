import { updateConfig } from '../../config/store.js';
import { AuthError, UsageError, VoicenumError } from '../../domain/errors.js';
import { PROVIDERS, type ProviderName } from '../../domain/model.js';
import { neutralize } from '../../output/sanitize.js';
import { CREDENTIAL_VARIABLES, resolveCredentials, type ResolvedCredentials } from '../../providers/credentials.js';
import { capabilitiesOf, createAdapter } from '../../providers/registry.js';
import { selectFields } from '../../output/printer.js';
import type { Context } from '../context.js';
import type { AuthStatusOptions, LoginOptions } from './auth.command.js';
import { parseProvider } from '../options.js';
import { canPrompt } from '../prompter.js';


/** Show only the last four characters of a secret. */
export function mask(secret: string): string {
  return secret.length <= 4 ? '••••' : `••••${secret.slice(-4)}`;
}

async function readStdinSecret(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const secret = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!.trim();
  if (!secret) throw new UsageError('no key on standard input');
  return secret;
}

/** The credentials typed or piped in, in the shape the config file keeps them. */
async function ask(ctx: Context, name: ProviderName, options: LoginOptions): Promise<Record<string, string>> {
  const interactive = !options.stdin;
  if (interactive && !canPrompt(ctx.io)) {
    throw new UsageError(`auth login asks for the key with hidden input, but there is no terminal`, `pipe the key in with --stdin${capabilitiesOf(name).credentials === 'account' ? ' (with --account-sid, and --api-key when the secret is an API key secret)' : ''}, or set ${CREDENTIAL_VARIABLES[name]}`);
  }
  const prompter = interactive ? ctx.prompter() : null;
  if (capabilitiesOf(name).credentials === 'api-key') {
    const apiKey = prompter ? await prompter.password(`${name} API key`) : await readStdinSecret(ctx);
    return { apiKey: apiKey.trim() };
  }
  const validSid = (value: string) => (/^AC[0-9a-f]{32}$/i.test(value.trim()) ? true : 'an account SID is AC followed by 32 hex characters');
  let accountSid = options.accountSid ?? '';
  if (!accountSid && !prompter) throw new UsageError(`auth login ${name} --stdin needs --account-sid AC…: standard input holds only the secret`, 'add --api-key SK… too when the secret is an API key secret');
  if (!accountSid && prompter) accountSid = await prompter.input('Twilio account SID', validSid);
  if (validSid(accountSid) !== true) throw new UsageError(`"${accountSid}" is not a Twilio account SID`, 'pass --account-sid AC…');
  let apiKey = options.apiKey;
  if (prompter && apiKey === undefined) {
    const kind = await prompter.select('Sign in with', [
      { name: 'the auth token', value: 'token' },
      { name: 'an API key and its secret', value: 'key' },
    ]);
    if (kind === 'key') apiKey = (await prompter.input('API key SID', (v) => (/^SK[0-9a-f]{32}$/i.test(v.trim()) ? true : 'an API key SID is SK followed by 32 hex characters'))).trim();
  }
  const secret = prompter ? await prompter.password(apiKey ? 'API key secret' : 'Auth token') : await readStdinSecret(ctx);
  return apiKey ? { accountSid: accountSid.trim(), apiKey, apiSecret: secret.trim() } : { accountSid: accountSid.trim(), authToken: secret.trim() };
}

/** `auth login PROVIDER`: ask for the key, prove it with one cheap call, then store it (0600). */
export async function runAuthLogin(ctx: Context, name: string, options: LoginOptions): Promise<number> {
  if (ctx.sandbox) throw new UsageError('the sandbox profile needs no login: its fakes accept built-in keys');
  const which = parseProvider(name);
  const stored = await ask(ctx, which, options);
  // Only the typed credentials: the environment must not stand in for them during the check.
  const credentials = resolveCredentials({}, { [which]: stored });
  const env = await ctx.providerEnv();
  const adapter = await createAdapter(which, credentials, env, await ctx.httpSettings(credentials));
  if (!adapter) throw new UsageError(`incomplete ${which} credentials`);
  ctx.printer.info(`checking the ${which} credentials…`);
  try {
    await adapter.verifyCredentials();
  } catch (error) {
    // The provider's own hint says to run `auth login`: the very command that was just run.
    const account = capabilitiesOf(which).credentials === 'account';
    if (error instanceof AuthError) throw new AuthError(error.message, `nothing was stored; check the ${account ? 'account SID and the secret' : 'key'} (copy ${account ? 'them' : 'it'} again from the ${which} dashboard) and try again`);
    throw error;
  }
  await updateConfig(ctx.home, (config) => {
    config.profiles ??= {};
    const profile = (config.profiles[ctx.profile] ??= {});
    profile.credentials = { ...profile.credentials, [which]: stored };
  });
  // Said with --stdin too (a script's log shows it worked); --quiet silences it.
  ctx.printer.info(`${ctx.printer.err.success('✓')} ${which} credentials work and are stored for profile ${ctx.profile}`);
  if (ctx.env[CREDENTIAL_VARIABLES[which].split(' ')[0]!]) ctx.printer.warn(`${CREDENTIAL_VARIABLES[which].split(' ')[0]} is set in the environment and wins over the stored key`);
  return 0;
}

/** `auth logout PROVIDER`: forget the stored key of the profile. */
export async function runAuthLogout(ctx: Context, name: string): Promise<number> {
  const which = parseProvider(name);
  const had = Boolean(ctx.configFile().profiles?.[ctx.profile]?.credentials?.[which]);
  await updateConfig(ctx.home, (config) => {
    const credentials = config.profiles?.[ctx.profile]?.credentials;
    if (credentials) delete credentials[which];
  });
  ctx.printer.info(had ? `forgot the stored ${which} credentials of profile ${ctx.profile}` : `profile ${ctx.profile} had no stored ${which} credentials`);
  if (ctx.env[CREDENTIAL_VARIABLES[which].split(' ')[0]!]) ctx.printer.warn(`${CREDENTIAL_VARIABLES[which].split(' ')[0]} is still set in the environment`);
  return 0;
}

interface StatusRow {
  provider: ProviderName;
  configured: boolean;
  source: string | null;
  key: string | null;
  account: string | null;
  check: 'ok' | 'rejected' | 'error' | null;
  detail: string | null;
}

/** `auth status [--check]`: each provider, where its key comes from (masked), and whether it works. */
export async function runAuthStatus(ctx: Context, options: AuthStatusOptions): Promise<number> {
  const credentials: ResolvedCredentials = await ctx.credentials();
  const rows: StatusRow[] = [];
  for (const name of PROVIDERS) {
    const found = credentials[name];
    const row: StatusRow = { provider: name, configured: Boolean(found), source: found?.source ?? null, key: null, account: null, check: null, detail: found ? null : (credentials.missing.find((m) => m.provider === name)?.reason ?? null) };
    if (found && 'apiKey' in found) row.key = mask(found.apiKey);
    if (found && 'accountSid' in found) {
      row.account = found.accountSid;
      row.key = mask(found.password);
    }
    rows.push(row);
  }
  if (options.check) {
    const { adapters } = await ctx.adapters();
    await Promise.all(
      adapters.map(async (adapter) => {
        const row = rows.find((r) => r.provider === adapter.name)!;
        try {
          await adapter.verifyCredentials();
          row.check = 'ok';
        } catch (error) {
          if (!(error instanceof VoicenumError)) throw error;
          row.check = error.exitCode === 4 ? 'rejected' : 'error';
          row.detail = error.message;
        }
      }),
    );
  }
  const format = ctx.printer.format({ json: options.json });
  if (format === 'json') ctx.printer.json(selectFields({ profile: ctx.profile, providers: rows }, options.json, 'providers'));
  else {
    const theme = ctx.printer.out;
    await ctx.printer.shortRows(rows, [
      { header: 'PROVIDER', value: (r) => r.provider, style: (t) => theme.provider(t) },
      { header: 'STATUS', value: (r) => (r.configured ? 'configured' : 'not configured'), style: (t) => (t === 'configured' ? theme.success(t) : theme.dim(t)) },
      { header: 'FROM', value: (r) => r.source ?? '' },
      { header: 'KEY', value: (r) => r.key ?? '' },
      { header: 'ACCOUNT', value: (r) => r.account ?? '' },
      { header: 'CHECK', value: (r) => r.check ?? '', style: (t) => (t === 'ok' ? theme.success(t) : theme.fail(t)) },
      { header: 'DETAIL', value: (r) => neutralize(r.detail ?? ''), max: 60 },
    ], format === 'csv' ? 'csv' : format);
  }
  return options.check && rows.some((r) => r.check === 'rejected') ? 4 : 0;
}
