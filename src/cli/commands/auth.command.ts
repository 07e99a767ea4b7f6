import { Command } from '@commander-js/extra-typings';
import { HELP } from '../../providers/help-text.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';

/** `auth status --json`: `{ profile, providers: [...] }`; the fields are those of each provider. */
export const AUTH_STATUS_FIELDS = ['provider', 'configured', 'source', 'key', 'account', 'check', 'detail'] as const;

const loginDefinition = () =>
  new Command('login')
    .description('ask for a key (hidden), check it with one cheap call, and store it (file mode 0600)')
    .argument('<provider>', HELP.provider)
    .option('--stdin', HELP.loginStdin)
    .option('--account-sid <sid>', HELP.loginAccountSid)
    .option('--api-key <sid>', HELP.loginApiKey);

const statusDefinition = () =>
  new Command('status')
    .description('each provider: configured or not, from the environment or the config, key masked to its last four characters')
    .option('--check', 'also make one cheap call per provider to see whether the key works')
    .addOption(jsonOption(AUTH_STATUS_FIELDS))
    .addOption(jqOption());

const logoutDefinition = () => new Command('logout').description("forget the profile's stored key of a provider").argument('<provider>', HELP.provider);

export type LoginOptions = OptionsOf<typeof loginDefinition>;
export type AuthStatusOptions = OptionsOf<typeof statusDefinition>;

export const authLogin = defineCommand(loginDefinition, async (ctx, [provider], options) => (await import('./auth.js')).runAuthLogin(ctx, provider, options), { implies: { allowsNewProfile: true } });
export const authStatus = defineCommand(statusDefinition, async (ctx, _args, options) => (await import('./auth.js')).runAuthStatus(ctx, options));
export const authLogout = defineCommand(logoutDefinition, async (ctx, [provider]) => (await import('./auth.js')).runAuthLogout(ctx, provider));
