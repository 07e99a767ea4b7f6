import type { Readable } from 'node:stream';
import { UsageError } from '../domain/errors.js';

/** The most numbers one command takes: bigger batches are refused before anything is read or pushed. */
export const MAX_BATCH = 10_000;

/**
 * The numbers a batch works on: the arguments, or with `-` standard input, one a line, taking the
 * first tab- or space-separated column (so `numbers list --plain` output feeds straight in).
 */
export async function readNumberArguments(args: readonly string[], stdin: Readable, stdinIsTTY: boolean): Promise<string[]> {
  const numbers = await readRaw(args, stdin, stdinIsTTY);
  if (numbers.length > MAX_BATCH) {
    throw new UsageError(`a batch holds at most ${MAX_BATCH.toLocaleString('en-US')} numbers; this one has ${numbers.length.toLocaleString('en-US')}`, `split it, e.g. split -l ${MAX_BATCH} numbers.txt, and run one batch per part`);
  }
  return numbers;
}

async function readRaw(args: readonly string[], stdin: Readable, stdinIsTTY: boolean): Promise<string[]> {
  if (!args.includes('-')) return [...args];
  if (args.length > 1) throw new UsageError('give numbers as arguments or as `-` for standard input, not both');
  if (stdinIsTTY) throw new UsageError('`-` reads numbers from standard input, but it is a terminal', 'pipe numbers in, one a line');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.includes('\u0000')) throw new UsageError('standard input holds binary data, not numbers one a line');
  const numbers = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\t/)[0]!.trim());
  if (numbers.length === 0) throw new UsageError('no numbers on standard input', 'pipe numbers in, one a line (e.g. from `voicenum numbers list --plain`)');
  return numbers;
}
