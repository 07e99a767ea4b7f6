import { UsageError } from '../../domain/errors.js';
import { PROVIDERS } from '../../domain/model.js';
import { cacheFile, sandboxStateFile } from '../../config/paths.js';
import type { Context } from '../context.js';
import type { ResetOptions, ServeOptions } from './sandbox.command.js';


/** Restore the sandbox's seeded account (optionally at another size) and empty its cache. */
export async function runSandboxReset(ctx: Context, options: ResetOptions): Promise<number> {
  const size = options.numbers === undefined ? undefined : Number(options.numbers);
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 1_000_000)) throw new UsageError(`--numbers takes a whole number from 1 to 1000000, not "${options.numbers}"`);
  const { resetSandbox } = await import('../../sandbox/index.js');
  const { rmSync } = await import('node:fs');
  const total = resetSandbox(sandboxStateFile(ctx.home, ctx.profile), size);
  const cache = cacheFile(ctx.home, ctx.profile);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${cache}${suffix}`, { force: true });
  ctx.printer.info(`sandbox reset: ${total} provider number records seeded; cache emptied. Next: ${ctx.hintCommand('sync')}`);
  return 0;
}


/**
 * Run the fakes on their own, in memory, until interrupted, and print the environment that points
 * voicenum (or any other tool) at them: for test rigs and benchmarks that keep the fakes out of the
 * measured process.
 */
export async function runSandboxServe(ctx: Context, options: ServeOptions, untilStopped: () => Promise<void>): Promise<number> {
  const size = options.numbers === undefined ? undefined : Number(options.numbers);
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > 1_000_000)) throw new UsageError(`--numbers takes a whole number from 1 to 1000000, not "${options.numbers}"`);
  const latency = options.latency === undefined ? 0 : Number(options.latency);
  if (!Number.isInteger(latency) || latency < 0 || latency > 60_000) throw new UsageError(`--latency takes milliseconds from 0 to 60000, not "${options.latency}"`);
  const { seedSandboxState, startSandbox } = await import('../../sandbox/index.js');
  const faults = latency ? Object.fromEntries(PROVIDERS.map((p) => [p, { latencyMs: latency }])) : {};
  const sandbox = await startSandbox({ state: seedSandboxState(size), faults });
  ctx.printer.data(`${Object.entries(sandbox.env).map(([key, value]) => `export ${key}=${value}`).join('\n')}\n`);
  ctx.printer.info(`fake providers listening on 127.0.0.1 (state in memory${latency ? `, ${latency} ms a request` : ''}); Ctrl-C stops them`);
  await untilStopped();
  await sandbox.close();
  return 0;
}
