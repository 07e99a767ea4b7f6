import { UsageError } from '../../domain/errors.js';
import type { Context } from '../context.js';

export interface ResetOptions {
  numbers?: string;
}

/** Restore the sandbox's seeded account (optionally at another size) and empty its cache. */
export async function runSandboxReset(ctx: Context, options: ResetOptions): Promise<number> {
  const size = options.numbers === undefined ? undefined : Number(options.numbers);
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 1_000_000)) throw new UsageError(`--numbers takes a whole number from 1 to 1000000, not "${options.numbers}"`);
  const { resetSandbox } = await import('../../sandbox/index.js');
  const { rmSync } = await import('node:fs');
  const { cacheFile } = await import('../../config/paths.js');
  const total = resetSandbox(ctx.sandboxStatePath(), size);
  const cache = cacheFile(ctx.home, ctx.profile);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${cache}${suffix}`, { force: true });
  ctx.printer.info(`sandbox reset: ${total} provider number records seeded; cache emptied. Next: voicenum --sandbox sync`);
  return 0;
}
