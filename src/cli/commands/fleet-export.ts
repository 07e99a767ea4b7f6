import { ExitCode } from '../../domain/errors.js';
import type { Context } from '../context.js';
import { cachedFleetRows, fleetEntries, fleetFile, fleetJson, fleetYaml } from '../fleet/emit.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeOutput } from '../fleet/output-file.js';
import { parseProviders } from '../options.js';
import { warnIfStale } from '../staleness.js';
import type { ExportOptions } from './fleet.command.js';

/** `export`: the cache as a fleet file (it never loads the YAML parser: the writer is emit.ts). */
export async function runExport(ctx: Context, options: ExportOptions): Promise<number> {
  if (options.schema) {
    // The schema is built from the zod checks: loaded only here, so a plain export never loads zod.
    const { fleetJsonSchema } = await import('../fleet/schema.js');
    writeOutput(ctx, options.output, `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`);
    return ExitCode.Ok;
  }
  const providers = parseProviders(options.provider);
  const store = await ctx.store();
  warnIfStale(ctx, store);
  const rows = cachedFleetRows(store, providers);
  let written: { text: string; count: number };
  if (options.format !== 'json' && options.output && existsSync(options.output)) {
    // Onto a fleet file that is there: updated in place, keeping the person's comments and order
    // (update-in-place.ts has the rule). The yaml package loads for this case only.
    const file = fleetFile(rows, providers);
    const { updateFleetYaml } = await import('../fleet/update-in-place.js');
    const updated = updateFleetYaml(readFileSync(options.output, 'utf8'), file);
    if (updated === null) ctx.printer.warn(`${options.output} is not a fleet file that can be updated in place (YAML errors, or no numbers list): it is written anew`);
    written = { text: updated ?? fleetYaml(file.numbers, providers).text, count: file.numbers.length };
  } else if (options.format === 'json') {
    const file = fleetFile(rows, providers);
    written = { text: fleetJson(file), count: file.numbers.length };
  } else {
    written = fleetYaml(fleetEntries(rows), providers);
  }
  writeOutput(ctx, options.output, written.text);
  if (options.output) ctx.printer.info(`wrote ${written.count} number${written.count === 1 ? '' : 's'} to ${options.output}`);
  return ExitCode.Ok;
}
