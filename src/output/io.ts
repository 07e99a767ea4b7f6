import { writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { isTerminal } from '../util/lazy-builtins.js';

/** Where a command writes. The only door to the terminal: commands never touch `console` or `process`. */
export interface IO {
  /** Text, or bytes already encoded (a long list read from the cache as stored UTF-8). */
  stdout: { write(text: string | Uint8Array): unknown };
  stderr: { write(text: string): unknown };
  /** The real stream interactive prompts draw on (they pipe into it); stderr's own stream. */
  promptStream?: NodeJS.WritableStream;
  stdin: Readable;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  isStdinTTY: boolean;
  /** Colour on stdout / stderr, after NO_COLOR, --no-color, TERM=dumb and FORCE_COLOR. */
  colorOut: boolean;
  colorErr: boolean;
  /** Terminal width for tables; 0 when unknown. */
  columns: number;
  /** stderr's own width, for a line redrawn there; 0 when unknown, undefined: use `columns`. */
  stderrColumns?: number;
  /**
   * Whether stderr may be redrawn in place (live progress): a terminal, but not a CI log (CI set:
   * some CI runners hand out a pseudo-terminal whose every frame would stay in the log) nor a
   * terminal that cannot clear a line (TERM=dumb). Undefined: stderr being a terminal decides.
   */
  liveStderr?: boolean;
  /**
   * Why stdout stopped taking output, other than a reader closing the pipe (which is quiet): a full
   * disk under `> file`, say. Undefined while it works.
   */
  outputFailure?: () => NodeJS.ErrnoException | undefined;
}

/** A reader that stopped reading (`| head -1`): the output simply ends, as with `git log | head`. */
const CLOSED_BY_READER = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/**
 * A process stream that a reader may close at any time. The first error stops all further writes
 * (so a long output written in chunks cannot raise again); a closed pipe is not an error at all,
 * anything else is kept for main() to report. Writes go to `sink`; `stream`, when writes go through
 * one, reports the failures of those it finishes later.
 */
function guardedWriter(sink: (text: string | Uint8Array) => boolean, onFailure: (error: NodeJS.ErrnoException) => void, stream?: () => NodeJS.WriteStream): { write(text: string | Uint8Array): boolean } {
  let stopped = false;
  let listening = false;
  const stop = (error: NodeJS.ErrnoException) => {
    if (stopped) return;
    stopped = true;
    if (!CLOSED_BY_READER.has(error.code ?? '')) onFailure(error);
  };
  return {
    write(text: string | Uint8Array): boolean {
      if (stopped) return false;
      // The stream is opened by the first write (a command that prints nothing there never opens it).
      if (stream && !listening) {
        listening = true;
        stream().on('error', stop);
      }
      try {
        return sink(text);
      } catch (error) {
        // Into a file, writes are synchronous and throw (ENOSPC under `> file` on a full disk).
        stop(error as NodeJS.ErrnoException);
        return false;
      }
    },
  };
}

/**
 * Standard output that is not a terminal (a pipe, or `> out.txt`), written synchronously: each write
 * is on its way when it returns, so a long output goes out in chunks without a queue of them
 * building up in memory behind a slow reader, and on a full disk every byte is written or it throws
 * (Node's own file stdout would cut the output silently with exit 0). process.stdout is never
 * opened for it: that would switch a pipe to non-blocking mode. A pipe something else made
 * non-blocking answers EAGAIN while full; the write then waits a moment and goes on.
 */
function descriptorSink(fd: number): (text: string | Uint8Array) => boolean {
  const pausing = <T>(write: () => T): T | undefined => {
    try {
      return write();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(PAUSE, 0, 0, 2);
      return undefined;
    }
  };
  return (text) => {
    let rest: Uint8Array;
    if (typeof text === 'string') {
      // Nearly always written whole at once, encoded by Node without a buffer of ours.
      const written = pausing(() => writeSync(fd, text)) ?? 0;
      if (written === Buffer.byteLength(text)) return true;
      rest = Buffer.from(text).subarray(written);
    } else rest = text;
    while (rest.length > 0) rest = rest.subarray(pausing(() => writeSync(fd, rest)) ?? 0);
    return true;
  };
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export function colorAllowed(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** CI services set CI (GitHub Actions, GitLab, CircleCI, Travis, Buildkite…); `CI=false` or `0` opts out. */
export function inCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The process streams voicenum opened (process.stdout on a terminal, process.stderr once written
 * to or prompted on): each costs some milliseconds to open, so a piped list opens neither.
 */
const opened: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream } = {};
const processStdout = () => (opened.stdout ??= process.stdout);
const processStderr = () => (opened.stderr ??= process.stderr);

/** Bytes the streams voicenum opened still hold (the executable exits at once when none). */
export function queuedOutput(): number {
  return (opened.stdout?.writableLength ?? 0) + (opened.stderr?.writableLength ?? 0);
}

export function systemIO(env: NodeJS.ProcessEnv, noColorFlag: boolean): IO {
  // VOICENUM_FORCE_TTY=1 renders for a terminal even into a pipe (benchmarks, `less -R`).
  const forced = env.VOICENUM_FORCE_TTY === '1';
  // process.stdout is touched only on a terminal (see descriptorSink).
  const stdoutTerminal = isTerminal(1);
  const isStdoutTTY = forced || stdoutTerminal;
  const isStderrTTY = isTerminal(2);
  let outputFailure: NodeJS.ErrnoException | undefined;
  return {
    stdout: stdoutTerminal ? guardedWriter((text) => processStdout().write(text), (error) => (outputFailure = error), processStdout) : guardedWriter(descriptorSink(1), (error) => (outputFailure = error)),
    // stderr shares a pipe with stdout under `2>&1 | head`; failing to print a message is not news.
    stderr: guardedWriter((text) => processStderr().write(text), () => undefined, processStderr),
    get promptStream() {
      return processStderr();
    },
    // Opened when read (a batch from `-`, a prompt), like the output streams.
    get stdin() {
      return process.stdin;
    },
    isStdoutTTY,
    isStderrTTY,
    isStdinTTY: isTerminal(0),
    colorOut: colorAllowed(isStdoutTTY, env, noColorFlag),
    colorErr: colorAllowed(isStderrTTY, env, noColorFlag),
    columns: stdoutTerminal ? processStdout().columns ?? 0 : forced ? Number(env.COLUMNS ?? 0) : 0,
    stderrColumns: isStderrTTY ? processStderr().columns ?? 0 : 0,
    liveStderr: isStderrTTY && !inCI(env) && env.TERM !== 'dumb',
    outputFailure: () => outputFailure,
  };
}
