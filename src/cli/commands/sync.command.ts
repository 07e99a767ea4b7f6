import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** `sync --json`: one object per provider. */
export const SYNC_FIELDS = ['provider', 'ok', 'numbers', 'agents', 'added', 'removed', 'skipped', 'kept', 'cleared', 'requests', 'error'] as const;

const definition = () =>
  new Command('sync')
    .description('fill the cache from every configured provider (concurrently)')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .addOption(jsonOption(SYNC_FIELDS))
    .addOption(jqOption());

export type SyncOptions = OptionsOf<typeof definition>;

export const sync = defineCommand(definition, async (ctx, _args, options) => (await import('./sync.js')).runSync(ctx, options), { shortcut: true });
