import { RefusedError, UsageError, VoicenumError } from '../domain/errors.js';
import type { IO } from './io.js';
import { csvCell, neutralize } from './sanitize.js';
import { renderGrid } from './grid.js';
import { renderTable, renderTsv, type Column } from './table.js';
import type { ChalkInstance } from 'chalk';
import { makeTheme, PLAIN_THEME, type Theme } from './theme.js';

/** Whether `--json` was given, with or without a field list. */
export function jsonRequested(flag: boolean | string | undefined): boolean {
  return flag !== undefined && flag !== false;
}

export type OutputFormat = 'table' | 'tsv' | 'csv' | 'json';

export interface FormatFlags {
  json?: boolean | string;
  csv?: boolean;
  plain?: boolean;
}

/**
 * Everything a command prints goes through here: data to stdout, messages to stderr, colour
 * decided once per stream.
 */
export class Printer {
  readonly out: Theme;
  readonly err: Theme;
  /** Removes the keys in use from messages; set once the command knows them (Context.httpSettings). */
  private redact: (text: string) => string = (text) => text;

  constructor(
    readonly io: IO,
    private readonly options: { quiet: boolean; verbose: boolean; terminalFormat?: () => 'table' | 'json'; chalk?: ChalkInstance },
  ) {
    this.out = io.colorOut && options.chalk ? makeTheme(options.chalk) : PLAIN_THEME;
    this.err = io.colorErr && options.chalk ? makeTheme(options.chalk) : PLAIN_THEME;
  }

  /** Table on a terminal, tab-separated when piped, or what the flags ask for. */
  format(flags: FormatFlags): OutputFormat {
    const chosen = [jsonRequested(flags.json), Boolean(flags.csv), Boolean(flags.plain)].filter(Boolean).length;
    if (chosen > 1) throw new UsageError('choose one of --json, --csv and --plain');
    if (jsonRequested(flags.json)) return 'json';
    if (flags.csv) return 'csv';
    if (flags.plain) return 'tsv';
    if (!this.io.isStdoutTTY) return 'tsv';
    return this.options.terminalFormat?.() ?? 'table';
  }

  data(text: string): void {
    this.io.stdout.write(text);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, this.io.isStdoutTTY ? 2 : undefined)}\n`);
  }

  rows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], format: Exclude<OutputFormat, 'json'>): void {
    if (format === 'table') {
      if (rows.length === 0) return;
      this.data(renderTable(rows, columns, { color: this.io.colorOut, header: this.out.header, width: this.io.columns }));
    } else if (format === 'tsv') {
      this.data(renderTsv(rows, columns));
    } else {
      const lines = [columns.map((column) => csvCell(column.header.toLowerCase())).join(',')];
      for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(','));
      this.data(`${lines.join('\n')}\n`);
    }
  }

  /**
   * Like rows(), but the terminal table wraps long cells instead of cutting them (grid.ts, whose
   * wrapper is loaded on first use): for tables of a bounded size, such as a number's own facts.
   */
  async shortRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], format: Exclude<OutputFormat, 'json'>): Promise<void> {
    if (format !== 'table') return this.rows(rows, columns, format);
    if (rows.length === 0) return;
    this.data(await renderGrid(rows, columns, { color: this.io.colorOut, header: this.out.header, width: this.io.columns }));
  }

  /**
   * Every message on stderr (errors, warnings, notes, traces) passes through `redact` from here on:
   * a provider's error may quote a key back, raw or encoded, in a sentence voicenum builds around it.
   */
  redactWith(redact: (text: string) => string): void {
    this.redact = redact;
  }

  /** A note for the operator (stderr); silenced by --quiet. */
  info(text: string): void {
    if (!this.options.quiet) this.io.stderr.write(`${this.redact(text)}\n`);
  }

  /** A success line: only on a terminal, where a person reads it. */
  success(text: string): void {
    if (!this.options.quiet && this.io.isStderrTTY) this.io.stderr.write(`${this.err.success('✓')} ${this.redact(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.err.warn('warning:')} ${this.redact(text)}\n`);
  }

  /** A trace line (`--verbose`): it quotes upstream URLs and failures, so it is neutralised too. */
  verbose(text: string): void {
    if (this.options.verbose) this.io.stderr.write(`${this.err.dim(neutralize(this.redact(text)))}\n`);
  }

  get isVerbose(): boolean {
    return this.options.verbose;
  }

  error(error: unknown): void {
    if (error instanceof RefusedError && error.reasons.length > 1) {
      // Each reason is neutralised whole: a newline inside an upstream name stays visible as \n.
      this.io.stderr.write(`${this.err.fail('error:')} refused for ${error.reasons.length} reasons:\n${error.reasons.map((reason) => `  - ${this.shown(reason)}`).join('\n')}\n`);
      if (error.hint) this.io.stderr.write(`${this.err.dim('hint:')} ${this.shown(error.hint)}\n`);
      return;
    }
    if (error instanceof VoicenumError) {
      this.io.stderr.write(`${this.err.fail('error:')} ${this.shown(error.message)}\n`);
      if (error.hint) this.io.stderr.write(`${this.err.dim('hint:')} ${this.shown(error.hint)}\n`);
      return;
    }
    const message = this.redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
    this.io.stderr.write(`${this.err.fail('error:')} unexpected failure, please report it: ${message}\n`);
  }

  /** Upstream text in a message: keys removed, then hidden characters made visible. */
  private shown(text: string): string {
    return neutralize(this.redact(text));
  }

  /** Live progress on a terminal's stderr; nothing when piped. */
  progress(text: string): void {
    if (this.io.isStderrTTY && !this.options.quiet) this.io.stderr.write(`\r\u001b[2K${text}`);
  }

  endProgress(): void {
    if (this.io.isStderrTTY && !this.options.quiet) this.io.stderr.write('\r\u001b[2K');
  }
}

/**
 * `--json` alone prints every field; `--json a,b` only those, refusing unknown names with the list
 * of valid ones.
 */
export function pickFields<T extends Record<string, unknown>>(records: T[], json: boolean | string | undefined, valid: readonly string[]): Record<string, unknown>[] {
  if (typeof json !== 'string' || json === '') return records;
  const fields = json.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = fields.filter((f) => !valid.includes(f));
  if (unknown.length) throw new UsageError(`unknown JSON field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `valid fields: ${valid.join(', ')}`);
  return records.map((record) => Object.fromEntries(fields.map((f) => [f, record[f]])));
}
