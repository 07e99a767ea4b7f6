import { Command, type OptionValues } from '@commander-js/extra-typings';
import { HELP } from '../../providers/help-text.js';
import { defineCommand, type OptionsOf } from '../define-command.js';
import { jqOption, jsonOption } from '../json-fields.js';
import { collectList } from '../options.js';

/** `--json` of a setting change: its plan (`--dry-run`) or its outcome. */
export const SETTING_FIELDS = ['e164', 'provider', 'id', 'field', 'before', 'after', 'outcome', 'conflict'] as const;
/** `--json` of `numbers region NUMBER` without a region: what it is now. */
export const REGION_SHOW_FIELDS = ['e164', 'provider', 'id', 'region', 'valid'] as const;

/** The flags every setting command shares, then its `--json`. */
const settingFlags = <Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>) =>
  command
    .option('--provider <name>', 'which record, when two platforms hold the number', collectList)
    .option('--dry-run', 'print the plan, with conflicts found by reading each number upstream, and change nothing')
    .option('--force', 'overwrite even if it changed upstream since the last sync');

const regionDefinition = () =>
  settingFlags(new Command('region').description(HELP.region).argument('<number>', HELP.regionNumber).argument('[region]', HELP.regionValue))
    .addOption(jsonOption([...new Set([...SETTING_FIELDS, ...REGION_SHOW_FIELDS])]))
    .addOption(jqOption())
    .addHelpText('after', `\nJSON: with a region, the change (${SETTING_FIELDS.join(', ')}); without, the number's region (${REGION_SHOW_FIELDS.join(', ')}).`);

const labelDefinition = () =>
  settingFlags(new Command('label').description(HELP.label).argument('<number>', 'the number').argument('<text>', 'the new label'))
    .addOption(jsonOption(SETTING_FIELDS))
    .addOption(jqOption());

const fallbackDefinition = () =>
  settingFlags(new Command('fallback').description(HELP.fallback).argument('<number>', 'the number').argument('<target>', HELP.fallbackTarget))
    .addOption(jsonOption(SETTING_FIELDS))
    .addOption(jqOption());

export type SettingOptions = OptionsOf<typeof labelDefinition>;
export type RegionOptions = OptionsOf<typeof regionDefinition>;

export const region = defineCommand(regionDefinition, async (ctx, [number, value], options) => (await import('./settings.js')).runRegion(ctx, number, value, options), { shortcut: true });
export const label = defineCommand(labelDefinition, async (ctx, [number, text], options) => (await import('./settings.js')).runLabel(ctx, number, text, options));
export const fallback = defineCommand(fallbackDefinition, async (ctx, [number, target], options) => (await import('./settings.js')).runFallback(ctx, number, target, options));
