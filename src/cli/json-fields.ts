import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { UsageError } from '../domain/errors.js';
import { closestNames, didYouMean } from '../domain/suggest.js';

/**
 * A command's `--json [fields]`: every field, or only the named ones. The field list is part of the
 * command's definition: it is checked while the command line is parsed (before anything runs) and
 * listed in the command's `--help` and by shell completion.
 *
 * The parsed value is `true` (plain `--json`), an empty list (`--json=`, every field too) or the
 * chosen names in the order given.
 */
export type JsonFlag = true | readonly string[] | undefined;

/** The fields each `--json` option accepts, read back by help, completion and the checks below. */
const FIELDS_OF = new WeakMap<object, readonly string[]>();

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export function jsonOption(fields: readonly string[]) {
  const option = new Option('--json [fields]', 'print JSON: every field, or only the comma-separated FIELDS listed below').argParser((value: string): string[] => parseFieldList(value, fields));
  FIELDS_OF.set(option, fields);
  return option;
}

/**
 * `--jq EXPR` beside a command's `--json`: the JSON goes through jq (loaded only then). It implies
 * `--json` (every field): see `instantiate`, which sets it after parsing.
 */
export function jqOption() {
  return new Option('--jq <expression>', 'filter the JSON output with jq (implies --json); strings print raw, one output a line');
}

/** The fields a command's `--json` accepts, when it has one. */
export function jsonFieldsOf(command: { options: readonly object[] }): readonly string[] | undefined {
  for (const option of command.options) {
    const fields = FIELDS_OF.get(option);
    if (fields) return fields;
  }
  return undefined;
}

export function parseFieldList(value: string, fields: readonly string[]): string[] {
  if (value === '') return [];
  // Commander gives an optional option-value the next word when it is not a flag: a number or `-`
  // after --json is meant as the command's argument. Say so instead of guessing.
  if (!/^[A-Za-z]/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a list of field names; put --json after the command's arguments, or write --json= for every field`);
  }
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError(`the field list "${value}" has an empty name; separate names with single commas`);
  for (const name of names) {
    if (fields.includes(name)) continue;
    if (!NAME.test(name)) throw new InvalidArgumentError(`"${name}" is not a field name: fields are top-level names (${fields.join(', ')}); pick the field and filter inside it with --jq`);
    throw new InvalidArgumentError(`unknown field "${name}"${didYouMean(closestNames(name, fields))}; fields: ${fields.join(', ')}`);
  }
  return [...new Set(names)];
}

/**
 * A command whose output has several shapes (a plan or a result) accepts the fields of all of them
 * on the command line; before it starts, the run checks the names against the shape it will print.
 */
export function requireJsonFields(flag: JsonFlag, fields: readonly string[], shape: string): void {
  if (flag === undefined || flag === true) return;
  const wrong = flag.filter((name) => !fields.includes(name));
  if (wrong.length) throw new UsageError(`${shape} has no field${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')}`, `its fields: ${fields.join(', ')}`);
}

/** The help section that lists a command's JSON fields, wrapped to the terminal. */
export function jsonFieldsHelp(fields: readonly string[], width = 80): string {
  const lines: string[] = [];
  let line = '  ';
  for (const [index, field] of fields.entries()) {
    const word = `${field}${index < fields.length - 1 ? ',' : ''}`;
    if (line.length + word.length + 1 > Math.max(40, width) && line.trim()) {
      lines.push(line.trimEnd());
      line = '  ';
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return `\nJSON fields (--json a,b prints only those):\n${lines.join('\n')}`;
}
