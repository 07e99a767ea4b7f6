import { ExitCode } from '../../domain/errors.js';
import type { Context } from '../context.js';
import { cachedRows } from '../fleet/cached-rows.js';
import { fleetFile, fleetJson, fleetYaml } from '../fleet/emit.js';
import { writeOutput } from '../fleet/output-file.js';
import { fleetJsonSchema } from '../fleet/schema.js';
import { parseProviders } from '../options.js';
import { warnIfStale } from '../staleness.js';
import type { ExportOptions } from './fleet.command.js';

/** `export`: the cache as a fleet file (it never loads the YAML parser: the writer is emit.ts). */
export async function runExport(ctx: Context, options: ExportOptions): Promise<number> {
  if (options.schema) {
    writeOutput(ctx, options.output, `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`);
    return ExitCode.Ok;
  }
  const providers = parseProviders(options.provider);
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const rows = cachedRows(store, providers);
  const file = fleetFile(rows, providers);
  writeOutput(ctx, options.output, options.format === 'json' ? fleetJson(file) : fleetYaml(file));
  if (options.output) ctx.printer.info(`wrote ${file.numbers.length} number${file.numbers.length === 1 ? '' : 's'} to ${options.output}`);
  return ExitCode.Ok;
}
