import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** `drift --json`: one object per field that changed upstream since voicenum last knew it. */
export const DRIFT_JSON_FIELDS = ['e164', 'provider', 'id', 'field', 'kind', 'known', 'upstream', 'knownAt', 'restore'] as const;

const definition = () =>
  new Command('drift')
    .description('read every provider and report what changed upstream since voicenum last knew it (a dashboard edit); changes nothing')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .addOption(jsonOption(DRIFT_JSON_FIELDS))
    .addOption(jqOption())
    .option('--plain', 'tab-separated rows without header (the default when piped)')
    .addHelpText('after', `
Compares each number's slots, label, fallback and region upstream with the cache as the last sync or
the last voicenum change left it. Nothing is written: the same drift is reported until you accept it
(\`voicenum sync\`) or put it back (each line's restore command).

Exit codes: 0 no drift; 11 drift found; 7 some providers could not be read (the others are reported);
4 or 5 when none could be read.

Piped: number, provider, field, upstream, known, kind, restore — one row per changed field.`);

export type DriftOptions = OptionsOf<typeof definition>;

export const drift = defineCommand(definition, async (ctx, _args, options) => (await import('./drift.js')).runDrift(ctx, options));
