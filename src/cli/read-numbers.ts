import type { Readable } from 'node:stream';
import { UsageError } from '../domain/errors.js';

/** The most numbers one command takes: bigger batches are refused before anything is read or pushed. */
export const MAX_BATCH = 10_000;

/** One number of a batch as the operator gave it, and where it came from, so a refusal can name it. */
export interface NumberInput {
  /** The argument, or the first column of a line of standard input. */
  text: string;
  /** The line of standard input it is on (1-based, blank and comment lines counted); none for an argument. */
  line?: number;
  /** Why the line cannot be a number whatever it says (its bytes are not UTF-8). */
  problem?: string;
}

/**
 * The numbers a batch works on: the arguments, or with `-` standard input, one a line, taking the
 * first tab-separated column (so `numbers list --plain` output feeds straight in).
 */
export async function readNumberArguments(args: readonly string[], stdin: Readable, stdinIsTTY: boolean): Promise<NumberInput[]> {
  const numbers = await readRaw(args, stdin, stdinIsTTY);
  if (numbers.length > MAX_BATCH) {
    throw new UsageError(`a batch holds at most ${MAX_BATCH.toLocaleString('en-US')} numbers; this one has ${numbers.length.toLocaleString('en-US')}`, `split it, e.g. split -l ${MAX_BATCH} numbers.txt, and run one batch per part`);
  }
  return numbers;
}

/** A refusal of one input names where it came from: a line of standard input by its number. */
export function describeInput(input: NumberInput, message: string): string {
  return input.line === undefined ? message : `line ${input.line}: ${message}`;
}

async function readRaw(args: readonly string[], stdin: Readable, stdinIsTTY: boolean): Promise<NumberInput[]> {
  if (!args.includes('-')) return args.map((text) => ({ text }));
  if (args.length > 1) throw new UsageError('give numbers as arguments or as `-` for standard input, not both');
  if (stdinIsTTY) throw new UsageError('`-` reads numbers from standard input, but it is a terminal', 'pipe numbers in, one a line');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) throw new UsageError('standard input holds binary data, not numbers one a line');
  const numbers: NumberInput[] = [];
  decodeLines(bytes).forEach(({ text, problem }, index) => {
    const line = text.trim();
    if (line === '' || line.startsWith('#')) return;
    numbers.push({ text: line.split(/\t/)[0]!.trim(), line: index + 1, ...(problem ? { problem } : {}) });
  });
  if (numbers.length === 0) throw new UsageError('no numbers on standard input', 'pipe numbers in, one a line (e.g. from `voicenum numbers list --plain`)');
  return numbers;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

/**
 * Standard input as lines. Bytes that are not UTF-8 never turn into a number: a lenient decoder
 * would make them U+FFFD and the number around them could still be read. The whole input is decoded
 * strictly in one go; only when that fails is it decoded line by line, to name the lines at fault.
 */
function decodeLines(bytes: Buffer): { text: string; problem?: string }[] {
  const split = (text: string) => text.split(/\r?\n/);
  try {
    return split(strictUtf8.decode(bytes)).map((text) => ({ text }));
  } catch {
    const lines: { text: string; problem?: string }[] = [];
    let start = 0;
    while (start <= bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end === -1) end = bytes.length;
      const raw = bytes.subarray(start, end);
      try {
        lines.push({ text: strictUtf8.decode(raw).replace(/\r$/, '') });
      } catch {
        lines.push({ text: lossyUtf8.decode(raw).replace(/\r$/, ''), problem: 'its bytes are not valid UTF-8' });
      }
      start = end + 1;
    }
    return lines;
  }
}
