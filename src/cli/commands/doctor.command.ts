import { Command } from '@commander-js/extra-typings';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** The fields of each finding in `doctor --json` (the object also has healthy, counts and accounts). */
export const DOCTOR_FIELDS = ['check', 'severity', 'scope', 'subject', 'provider', 'problem', 'impact', 'fix', 'manual'] as const;

const definition = () =>
  new Command('doctor')
    .description('check the accounts, numbers and agents for what stops calls and texts, with the command that fixes each')
    .argument('[numbers...]', 'only these numbers (and their providers\' accounts)')
    .option('--provider <name>', 'only this provider (repeat or comma-separate)', collectList)
    .addOption(jsonOption(DOCTOR_FIELDS))
    .addOption(jqOption())
    .option('--plain', 'tab-separated rows without header (the default when piped)')
    .addHelpText(
      'after',
      `
Findings are grouped as errors, warnings and notes. With --offline (a global flag) the checks that
need the providers (the credentials check) are skipped; everything else reads the cache.
Exit codes: 0 no errors (warnings and notes may be printed), 12 errors found; others as usual.
--json prints { healthy, counts, accounts, findings }; --json FIELDS picks the fields of each finding.`,
    );

export type DoctorOptions = OptionsOf<typeof definition>;

export const doctor = defineCommand(definition, async (ctx, [numbers], options) => (await import('./doctor.js')).runDoctor(ctx, numbers, options));
