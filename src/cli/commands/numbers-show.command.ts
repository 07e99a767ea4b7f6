import { Command } from '@commander-js/extra-typings';
import { NUMBER_RECORD_FIELDS } from '../../store/record-fields.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** A number's record, with what only `show` adds. */
export const SHOW_FIELDS = [...NUMBER_RECORD_FIELDS, 'lifecycle', 'manualSteps', 'removed', 'firstSeenAt', 'otherRecords', 'history'] as const;

const definition = () =>
  new Command('show')
    .description('all facts of one number: slots, carrier, region, status')
    .argument('<number>', 'the number, in E.164 or national form')
    .option('--provider <name>', 'which record, when two platforms hold the number', collectList)
    .addOption(jsonOption(SHOW_FIELDS))
    .addOption(jqOption())
    .option('--plain', 'key<TAB>value lines');

export type NumbersShowOptions = OptionsOf<typeof definition>;

export const numbersShow = defineCommand(definition, async (ctx, [number], options) => (await import('./numbers-show.js')).runNumbersShow(ctx, number, options));
