import type { Jq } from 'jq-wasm';
import { UsageError } from '../domain/errors.js';
import { neutralize } from './sanitize.js';

/**
 * `--jq EXPR`: real jq (1.8, compiled to WebAssembly and shipped inside the jq-wasm package, so
 * nothing is fetched at run time), printed the way `gh --jq` prints: each output on a line of its
 * own, strings raw, anything else as JSON.
 */

let engine: Promise<Jq> | undefined;

/**
 * The package and its wasm load on the first --jq of the process (about 80 ms), never otherwise.
 * jq-wasm reads its jq.wasm from its own folder in node_modules, which the build leaves external.
 */
function loadEngine(): Promise<Jq> {
  engine ??= import('jq-wasm').then(({ loadJq }) => loadJq());
  return engine;
}

export interface JqRun {
  /** What goes to stdout: one line per output of the filter. */
  text: string;
  /** What jq itself wrote to stderr without failing (`debug`, `stderr`), neutralised. */
  messages: string[];
  /** Set when the filter failed part way; `text` then holds the outputs before the failure. */
  error?: UsageError;
}

export class JqFilter {
  private constructor(
    private readonly jq: Jq,
    readonly expression: string,
  ) {}

  /**
   * Checks the expression before any command runs, so a typo costs nothing: given no input at all,
   * jq compiles the program and runs it zero times, so only compile errors (exit 3) come back.
   */
  static async compile(expression: string): Promise<JqFilter> {
    const jq = await loadEngine();
    const check = jq.raw('', expression);
    if (check.exitCode !== 0) throw compileError(check.stderr, check.exitCode);
    return new JqFilter(jq, expression);
  }

  /**
   * Runs the filter on one value. On a terminal a string is neutralised (upstream text may hold
   * escape sequences) and other values are indented, like the rest of voicenum's JSON; piped, the
   * output is exactly what a script expects of `jq -r -c`.
   */
  run(value: unknown, options: { terminal?: boolean } = {}): JqRun {
    return this.runText(JSON.stringify(value) ?? 'null', options);
  }

  /** run() on a value already serialised as JSON text (the cache stores list records so). */
  runText(json: string, options: { terminal?: boolean } = {}): JqRun {
    // -c makes each output one line (compact JSON escapes every newline), so lines are outputs.
    const result = this.jq.raw(json, this.expression, ['-c']);
    const outputs = result.stdout === '' ? [] : result.stdout.split('\n');
    const text = outputs.map((line) => `${printable(line, options.terminal ?? false)}\n`).join('');
    if (result.exitCode !== 0) return { text, messages: [], error: runtimeError(result.stderr, result.exitCode) };
    const messages = result.stderr === '' ? [] : result.stderr.split('\n').map(neutralize);
    return { text, messages };
  }
}

/** Compile `expression`, run it on `value`, and return what `--jq` prints; jq's errors are UsageErrors. */
export async function applyJq(value: unknown, expression: string, options: { terminal?: boolean } = {}): Promise<string> {
  const run = (await JqFilter.compile(expression)).run(value, options);
  if (run.error) throw run.error;
  return run.text;
}

function printable(line: string, terminal: boolean): string {
  if (line.startsWith('"')) {
    const text = JSON.parse(line) as string;
    return terminal ? neutralize(text) : text;
  }
  // Re-indenting goes through JS numbers; jq's own compact text is kept when piped.
  return terminal ? JSON.stringify(JSON.parse(line) as unknown, null, 2) : line;
}

/**
 * jq's compile errors come as `jq: error: MESSAGE:` followed by the expression and a caret line,
 * then `jq: N compile error(s)`; the messages alone make one line for voicenum's error output.
 */
function compileError(stderr: string, exitCode: number): UsageError {
  const messages = stderr
    .split('\n')
    .filter((line) => line.startsWith('jq: error'))
    .map((line) => line.replace(/^jq: error: /, '').replace(/:$/, ''));
  const message = messages.length ? messages.join('; ') : stderr.trim() || `jq exited with code ${exitCode}`;
  return new UsageError(`invalid --jq expression: ${message}`, 'jq syntax: https://jqlang.org/manual/');
}

/** A failure while running (`.[]` on a string, `error("…")`, `halt_error`): jq's message without its prefix. */
function runtimeError(stderr: string, exitCode: number): UsageError {
  const message = stderr.replace(/^jq: error(?: \([^)]*\))*: ?/, '').trim();
  return new UsageError(`--jq failed: ${message || `jq exited with code ${exitCode}`}`);
}
