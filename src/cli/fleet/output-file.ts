import { renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '../../domain/errors.js';
import type { Context } from '../context.js';

/** To standard output, or to a file replaced in one step (a reader never sees half a fleet or plan). */
export function writeOutput(ctx: Context, output: string | undefined, text: string): void {
  if (!output) {
    ctx.printer.data(text);
    return;
  }
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, output);
  } catch (error) {
    throw new UsageError(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
