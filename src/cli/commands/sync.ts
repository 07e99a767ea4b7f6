import { AuthError, CancelledError, ExitCode, VoicenumError } from '../../domain/errors.js';
import { PROVIDERS, type ProviderName, type ProviderSnapshot } from '../../domain/model.js';
import { jsonRequested, selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import { SyncProgress } from '../../output/sync-progress.js';
import { CREDENTIAL_VARIABLES } from '../../providers/credentials.js';
import type { SyncCounts } from '../../store/index.js';
import type { Context } from '../context.js';
import type { SyncOptions } from './sync.command.js';
import { parseProviders } from '../options.js';


interface ProviderOutcome {
  provider: ProviderName;
  ok: boolean;
  counts?: SyncCounts;
  requests: number;
  error?: string;
  exitCode?: number;
  skippedRecords?: ProviderSnapshot['skipped'];
}

/**
 * Read every configured provider at once and replace each one's rows in the cache in its own
 * transaction. A provider that fails leaves its previous rows whole; the others still land.
 */
export async function runSync(ctx: Context, options: SyncOptions): Promise<number> {
  const only = parseProviders(options.provider);
  const { adapters, skipped } = await ctx.adapters(only);
  if (adapters.length === 0) {
    const which = only ?? [...PROVIDERS];
    throw new AuthError(
      `no credentials for ${only ? which.join(', ') : 'any provider'}`,
      `set ${which.map((p) => CREDENTIAL_VARIABLES[p]).join('; ')} — or try everything on built-in fake providers: voicenum --sandbox sync`,
    );
  }
  for (const skip of skipped) ctx.printer.info(`skipped ${skip.provider}: ${skip.reason}`);
  const store = await ctx.store();
  store.clearDeadLocks(); // locks of killed voicenum processes would otherwise pile up
  // A live line on a terminal's stderr only: never in a pipe, --json, --quiet or a CI log.
  const live = jsonRequested(options.json) ? null : ctx.printer.liveLine();
  const progress = live ? new SyncProgress(live.write, live.width) : null;
  progress?.start(adapters.map((adapter) => adapter.name));
  const outcomes = await Promise.all(
    adapters.map(async (adapter): Promise<ProviderOutcome> => {
      try {
        // Rows a write changes after this point hold newer facts than this read: the sync keeps them.
        const since = store.writeSeq();
        const snapshot = await adapter.fetchAll({
          // Ctrl-C cancels the reads (writes never get this signal); a provider's own failure
          // cancels its other requests inside fetchAll.
          signal: ctx.interrupt.readSignal,
          onProgress: ({ numbers, step }) => progress?.report(adapter.name, { numbers, step }),
        });
        progress?.report(adapter.name, { numbers: snapshot.numbers.length });
        progress?.phase(adapter.name, 'saving');
        const counts = store.replaceProvider(snapshot, ctx.now(), { since });
        progress?.phase(adapter.name, 'done');
        return { provider: adapter.name, ok: true, counts, requests: adapter.requestCount, skippedRecords: snapshot.skipped };
      } catch (error) {
        progress?.phase(adapter.name, 'failed');
        if (!(error instanceof VoicenumError) || error instanceof CancelledError) throw error;
        return { provider: adapter.name, ok: false, requests: adapter.requestCount, error: error.message, exitCode: error.exitCode };
      }
    }),
  ).finally(() => progress?.clear()); // also when Ctrl-C rejects the read: the line goes before the message
  report(ctx, outcomes, options);
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return ExitCode.Ok;
  if (failed.length < outcomes.length) return ExitCode.Partial;
  return failed[0]!.exitCode ?? ExitCode.Provider;
}

function report(ctx: Context, outcomes: ProviderOutcome[], options: SyncOptions): void {
  const { printer } = ctx;
  for (const outcome of outcomes) {
    for (const record of outcome.skippedRecords ?? []) {
      printer.warn(`${outcome.provider}: skipped ${record.kind} ${neutralize(record.id)}: ${neutralize(record.reason)}`);
    }
  }
  if (jsonRequested(options.json)) {
    printer.json(selectFields(
      outcomes.map((o) => ({
        provider: o.provider,
        ok: o.ok,
        numbers: o.counts?.numbers ?? null,
        agents: o.counts?.agents ?? null,
        added: o.counts?.added ?? null,
        removed: o.counts?.removed ?? null,
        skipped: o.counts?.skipped ?? null,
        kept: o.counts?.kept ?? null,
        cleared: o.counts?.cleared ?? null,
        requests: o.requests,
        error: o.error ?? null,
      })),
      options.json,
    ));
  }
  for (const outcome of outcomes) {
    for (const e164 of outcome.counts?.cleared ?? []) printer.info(`${e164} no longer needs attention: ${outcome.provider} now holds what the fix asked for`);
    for (const flagged of outcome.counts?.stillFlagged ?? []) printer.warn(`${flagged.e164} still needs attention at ${outcome.provider}: ${neutralize(flagged.differs)}`);
  }
  for (const outcome of outcomes) {
    if (outcome.ok && outcome.counts) {
      const c = outcome.counts;
      const extras = [c.added ? `${c.added} new` : '', c.removed ? `${c.removed} removed upstream` : '', c.skipped ? `${c.skipped} malformed skipped` : '', c.kept ? `${c.kept} changed by a write during the sync, kept as written` : '', c.cleared.length ? `${c.cleared.length} no longer need attention` : ''].filter(Boolean).join(', ');
      printer.info(`${printer.err.success('✓')} ${outcome.provider}: ${c.numbers} numbers, ${c.agents} agents${extras ? ` (${extras})` : ''}`);
    } else {
      printer.info(`${printer.err.fail('✗')} ${neutralize(outcome.error ?? `${outcome.provider} failed`)}; its cached rows are unchanged`);
    }
    printer.verbose(`  ${outcome.provider}: ${outcome.requests} requests`);
  }
}
