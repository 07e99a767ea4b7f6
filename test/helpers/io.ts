import { Readable } from 'node:stream';
import type { IO } from '../../src/output/io.js';

/** IO that records what a command prints; every TTY flag off unless asked. */
export function testIO(options: { stdin?: string; tty?: boolean; columns?: number } = {}): IO & { out(): string; err(): string } {
  let stdout = '';
  let stderr = '';
  const tty = options.tty ?? false;
  return {
    stdout: { write: (text: string | Uint8Array) => (stdout += typeof text === 'string' ? text : Buffer.from(text).toString('utf8')) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    isStdoutTTY: tty,
    isStderrTTY: tty,
    isStdinTTY: tty,
    colorOut: false,
    colorErr: false,
    columns: options.columns ?? 0,
    out: () => stdout,
    err: () => stderr,
  };
}
