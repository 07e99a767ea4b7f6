import { RefusedError, UsageError, VoicenumError } from '../domain/errors.js';
import type { IO } from './io.js';
import { csvCell, neutralize } from './sanitize.js';
import { renderGrid } from './grid.js';
import { delimitedLine, measureTable, tableLines, type Column } from './table.js';
import type { ChalkInstance } from 'chalk';
import { makeTheme, PLAIN_THEME, type Theme } from './theme.js';
import type { JqFilter, JqRun } from './jq.js';

/** A command's parsed `--json`: every field (`true` or an empty list), or the chosen names. */
export type JsonSelection = true | readonly string[] | undefined;

/** Whether `--json` was given, with or without a field list. */
export function jsonRequested(flag: JsonSelection): boolean {
  return flag !== undefined;
}

export type OutputFormat = 'table' | 'tsv' | 'csv' | 'json';

export interface FormatFlags {
  json?: JsonSelection;
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
  private jqFilter: JqFilter | undefined;
  /** Removes the keys in use from messages; set once the command knows them (Context.httpSettings). */
  private redact: (text: string) => string = (text) => text;

  constructor(
    readonly io: IO,
    /** jq: the --jq expression every json() goes through (compiled by prepareJq()). */
    private readonly options: { quiet: boolean; verbose: boolean; terminalFormat?: () => 'table' | 'json'; chalk?: ChalkInstance; jq?: string; hintCommand?: (command: string) => string },
  ) {
    this.out = io.colorOut && options.chalk ? makeTheme(options.chalk) : PLAIN_THEME;
    this.err = io.colorErr && options.chalk ? makeTheme(options.chalk) : PLAIN_THEME;
  }

  /** Table on a terminal, tab-separated when piped, or what the flags ask for. */
  format(flags: FormatFlags): OutputFormat {
    const chosen = [jsonRequested(flags.json), Boolean(flags.csv), Boolean(flags.plain)].filter(Boolean).length;
    if (this.options.jq !== undefined && (flags.csv || flags.plain)) throw new UsageError(`--jq filters JSON output; it cannot be combined with ${flags.csv ? '--csv' : '--plain'}`);
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
    if (this.options.jq !== undefined) return this.jq((filter) => filter.run(value, { terminal: this.io.isStdoutTTY }));
    this.io.stdout.write(`${JSON.stringify(value, null, this.io.isStdoutTTY ? 2 : undefined)}\n`);
  }

  /** JSON that is already serialised (compact), printed as it is, or through --jq. */
  jsonText(text: string): void {
    if (this.options.jq !== undefined) return this.jq((filter) => filter.runText(text, { terminal: this.io.isStdoutTTY }));
    this.io.stdout.write(`${text}\n`);
  }

  /**
   * Records already serialised as compact JSON, printed as one array as they come: a list of 10,000
   * numbers goes from the cache to stdout in chunks and never sits in memory whole. Through --jq
   * (which needs the whole document) they are joined first.
   */
  jsonRecords(records: Iterable<string>): void {
    if (this.options.jq !== undefined) return this.jsonText(`[${[...records].join(',')}]`);
    writeInChunks(this.io.stdout, records, '[', ',', ']\n');
  }

  /**
   * An object whose last field is a long list, as json() prints it, the list written in chunks when
   * piped: a report of thousands of findings never becomes one big string. On a terminal (indented)
   * and through --jq, json() prints it whole.
   */
  jsonWithList(head: Record<string, unknown>, field: string, items: readonly unknown[]): void {
    if (this.options.jq !== undefined || this.io.isStdoutTTY) return this.json({ ...head, [field]: items });
    const fields = JSON.stringify(head).slice(0, -1);
    writeInChunks(this.io.stdout, serialised(items), `${fields}${fields === '{' ? '' : ','}${JSON.stringify(field)}:[`, ',', ']}\n');
  }

  /** Lines (without their newline), each printed with a newline, in chunks as they come. */
  dataLines(lines: Iterable<string>): void {
    writeInChunks(this.io.stdout, lines, '', '\n', '\n', '');
  }

  /**
   * Loads jq and compiles the --jq expression (nothing without --jq). Called before the command
   * runs, so a bad expression stops it before it reads or writes anything, and json() stays
   * synchronous for every command.
   */
  async prepareJq(): Promise<void> {
    if (this.options.jq === undefined || this.jqFilter) return;
    const { JqFilter } = await import('./jq.js');
    this.jqFilter = await JqFilter.compile(this.options.jq);
  }

  private jq(apply: (filter: JqFilter) => JqRun): void {
    if (!this.jqFilter) throw new Error('--jq output before prepareJq()');
    const run = apply(this.jqFilter);
    this.io.stdout.write(run.text);
    for (const message of run.messages) this.io.stderr.write(`${message}\n`);
    if (run.error) throw run.error;
  }

  rows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], format: Exclude<OutputFormat, 'json'>): void {
    this.rowsFrom(() => rows, columns, format);
  }

  /**
   * Like rows(), for rows that `read` yields afresh each time it is called (a query over the cache):
   * they are printed in chunks as they come and never held, the table reading them twice (once to
   * measure its columns). Returns how many rows there were.
   */
  rowsFrom<Row>(read: () => Iterable<Row>, columns: readonly Column<Row>[], format: Exclude<OutputFormat, 'json'>): number {
    if (format === 'table') {
      const { widths, count } = measureTable(read(), columns, this.io.columns);
      if (count > 0) writeInChunks(this.io.stdout, tableLines(read(), columns, widths, { color: this.io.colorOut, header: this.out.header }), '', '\n', '\n');
      return count;
    }
    let count = 0;
    const lines = function* () {
      for (const row of read()) {
        count++;
        yield format === 'tsv' ? delimitedLine(row, columns) : delimitedLine(row, columns, ',', csvCell);
      }
    };
    // CSV opens with its header line, even over no rows; TSV is the rows alone.
    const header = format === 'csv' ? `${columns.map((column) => csvCell(column.header.toLowerCase())).join(',')}\n` : '';
    writeInChunks(this.io.stdout, lines(), header, '\n', '\n', header);
    return count;
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
    if (!this.options.quiet) this.io.stderr.write(`${this.withProfile(this.redact(text))}\n`);
  }

  /** A success line: only on a terminal, where a person reads it. */
  success(text: string): void {
    if (!this.options.quiet && this.io.isStderrTTY) this.io.stderr.write(`${this.err.success('✓')} ${this.redact(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.err.warn('warning:')} ${this.withProfile(this.redact(text))}\n`);
  }

  /** What to do next, on its own line (a batch says each hint once, after its results). */
  hint(text: string): void {
    this.io.stderr.write(`${this.err.dim('hint:')} ${this.withProfile(this.shown(text))}\n`);
  }

  /**
   * The layers below the command line (engine, rules, adapters) do not know the profile, so the
   * commands they suggest read \`voicenum sync\`; the run's profile flags are added here, on the way
   * out, so that the suggestion works when pasted. Commands that already carry them are left alone.
   */
  private withProfile(text: string): string {
    const command = this.options.hintCommand;
    return command ? text.replace(/`voicenum (?!--sandbox\b|--profile\b)/g, () => `\`${command('')}`) : text;
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
      this.io.stderr.write(`${this.err.fail('error:')} refused for ${error.reasons.length} reasons:\n${error.reasons.map((reason) => `  - ${this.withProfile(this.shown(reason))}`).join('\n')}\n`);
      if (error.hint) this.hint(error.hint);
      return;
    }
    if (error instanceof UsageError && error.details.length) {
      // Each line is neutralised on its own, as a refusal's reasons are: the line breaks are voicenum's.
      this.io.stderr.write(`${this.err.fail('error:')} ${this.withProfile(this.shown(error.head))}\n${error.details.map((line) => `  ${this.withProfile(this.shown(line))}`).join('\n')}\n`);
      if (error.hint) this.hint(error.hint);
      return;
    }
    if (error instanceof VoicenumError) {
      this.io.stderr.write(`${this.err.fail('error:')} ${this.withProfile(this.shown(error.message))}\n`);
      if (error.hint) this.hint(error.hint);
      return;
    }
    const message = this.redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
    this.io.stderr.write(`${this.err.fail('error:')} unexpected failure, please report it: ${message}\n`);
  }

  /**
   * Whether a line may be redrawn in place on stderr: a terminal a person watches, not --quiet, a
   * CI log or a dumb terminal, and not --verbose, whose trace lines would land inside it.
   */
  private get live(): boolean {
    return (this.io.liveStderr ?? this.io.isStderrTTY) && !this.options.quiet && !this.options.verbose;
  }

  /** Where a line redrawn in place goes (see sync-progress.ts), or null where nobody watches it live. */
  liveLine(): { write(text: string): void; width: number } | null {
    if (!this.live) return null;
    return { write: (text) => this.io.stderr.write(text), width: this.io.stderrColumns ?? this.io.columns };
  }

  /** Upstream text in a message: keys removed, then hidden characters made visible. */
  private shown(text: string): string {
    return neutralize(this.redact(text));
  }

  /** Live progress on a terminal's stderr; nothing when piped. */
  progress(text: string): void {
    if (this.live) this.io.stderr.write(`\r\u001b[2K${text}`);
  }

  endProgress(): void {
    if (this.live) this.io.stderr.write('\r\u001b[2K');
  }
}

/**
 * The fields `--json a,b` chose, in that order, of each record (a list) or of the one record; the
 * names were checked against the command's field list when its command line was parsed. `within`
 * names the list inside a wrapper object (`{ profile, providers: [...] }`) whose items are the records.
 */
export function selectFields(value: unknown, json: JsonSelection, within?: string): unknown {
  if (json === undefined || json === true || json.length === 0) return value;
  const pick = (record: unknown) => (record && typeof record === 'object' ? Object.fromEntries(json.map((field) => [field, (record as Record<string, unknown>)[field] ?? null])) : record);
  if (within && value && typeof value === 'object' && !Array.isArray(value)) {
    const wrapper = value as Record<string, unknown>;
    return { ...wrapper, [within]: Array.isArray(wrapper[within]) ? (wrapper[within] as unknown[]).map(pick) : wrapper[within] };
  }
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

/** Each item as compact JSON, as JSON.stringify writes it inside an array (`null` for what it leaves out). */
function* serialised(items: readonly unknown[]): Generator<string> {
  for (const item of items) yield JSON.stringify(item) ?? 'null';
}

/**
 * Writes the pieces joined, some 32 KB at a time. Holding a whole 10,000-row output (and then its
 * encoded copy) costs more than producing it: on a fresh process every new megabyte of memory is
 * paid for in page faults, while chunks this size stay in V8's young generation and are reused.
 * `empty` is what an empty list prints (the open and close by default).
 */
function writeInChunks(out: IO['stdout'], pieces: Iterable<string>, open: string, separator: string, close: string, empty = `${open}${close}`): void {
  let chunk = open;
  let first = true;
  for (const piece of pieces) {
    chunk += first ? piece : `${separator}${piece}`;
    first = false;
    if (chunk.length >= CHUNK_CHARACTERS) {
      out.write(chunk);
      chunk = '';
    }
  }
  if (first) out.write(empty);
  else out.write(`${chunk}${close}`);
}

const CHUNK_CHARACTERS = 32 * 1024;
