import type { Readable } from 'node:stream';

/** Where a command writes. The only door to the terminal: commands never touch `console` or `process`. */
export interface IO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: Readable;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  isStdinTTY: boolean;
  /** Colour on stdout / stderr, after NO_COLOR, --no-color, TERM=dumb and FORCE_COLOR. */
  colorOut: boolean;
  colorErr: boolean;
  /** Terminal width for tables; 0 when unknown. */
  columns: number;
}

export function colorAllowed(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function systemIO(env: NodeJS.ProcessEnv, noColorFlag: boolean): IO {
  // VOICENUM_FORCE_TTY=1 renders for a terminal even into a pipe (benchmarks, `less -R`).
  const forced = env.VOICENUM_FORCE_TTY === '1';
  const isStdoutTTY = forced || Boolean(process.stdout.isTTY);
  const isStderrTTY = Boolean(process.stderr.isTTY);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    isStdoutTTY,
    isStderrTTY,
    isStdinTTY: Boolean(process.stdin.isTTY),
    colorOut: colorAllowed(isStdoutTTY, env, noColorFlag),
    colorErr: colorAllowed(isStderrTTY, env, noColorFlag),
    columns: process.stdout.columns ?? (forced ? Number(env.COLUMNS ?? 0) : 0),
  };
}
