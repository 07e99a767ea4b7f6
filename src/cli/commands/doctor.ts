import { ExitCode, VoicenumError } from '../../domain/errors.js';
import { PROVIDERS, type ProviderName } from '../../domain/model.js';
import { toE164 } from '../../domain/phone.js';
import { parseDuration } from '../../config/settings.js';
import { readSnapshot } from '../../engine/doctor/snapshot.js';
import { countBySeverity, runChecks } from '../../engine/doctor/run.js';
import type { AccountProbe, Finding, Severity } from '../../engine/doctor/types.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Context } from '../context.js';
import { parseProviders } from '../options.js';
import type { DoctorOptions } from './doctor.command.js';

const HEADINGS: Record<Severity, string> = { error: 'errors', warning: 'warnings', info: 'notes' };

/** `voicenum doctor`: every check over the cache (and, online, one credentials call per provider). */
export async function runDoctor(ctx: Context, numbers: string[], options: DoctorOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const providers = parseProviders(options.provider);
  const settings = ctx.settings();
  const e164s = numbers.map((number) => toE164(number, settings.defaultCountry));
  const credentials = await ctx.credentials();
  const configured = PROVIDERS.filter((provider) => credentials[provider] !== undefined && (!providers || providers.includes(provider)));
  const store = await ctx.store();
  const probes = ctx.options.offline ? null : await probeAccounts(ctx, configured);
  const snapshot = readSnapshot(store, {
    now: ctx.now(),
    configured,
    probes,
    command: (text) => ctx.hintCommand(text),
    settings: {
      cacheMaxAge: settings.cacheMaxAge,
      cacheMaxAgeMs: parseDuration(settings.cacheMaxAge),
      defaultRegion: settings.defaultRegion === 'none' ? null : settings.defaultRegion,
      oneAgentPerNumber: settings.oneAgentPerNumber,
      oneNumberPerAgent: settings.oneNumberPerAgent,
    },
  });
  const findings = runChecks(snapshot, { numbers: e164s, providers });
  const counts = countBySeverity(findings);
  const code = counts.error > 0 ? ExitCode.Unhealthy : ExitCode.Ok;
  if (format === 'json') {
    // The findings last: thousands of them are written in chunks, not as one string.
    ctx.printer.jsonWithList({ healthy: counts.error === 0, counts, accounts: probes }, 'findings', selectFields(findings, options.json) as unknown[]);
    return code;
  }
  if (format === 'tsv' || format === 'csv') ctx.printer.dataLines(findings.map(findingRow));
  else ctx.printer.dataLines(reportLines(ctx, findings, probes));
  ctx.printer.info(summary(findings, ctx.options.offline === true));
  return code;
}

/** The last line on stderr: how many of each, or that nothing was found. */
function summary(findings: readonly Finding[], offline: boolean): string {
  const counts = countBySeverity(findings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const text = findings.length === 0 ? 'no problems found' : `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'note')}`;
  return offline ? `${text} (offline: credentials not checked)` : text;
}

/** One cheap call per configured provider, all at once, each timed. */
async function probeAccounts(ctx: Context, providers: ProviderName[]): Promise<AccountProbe[]> {
  if (providers.length === 0) return [];
  const { adapters } = await ctx.adapters(providers);
  return Promise.all(
    adapters.map(async (adapter): Promise<AccountProbe> => {
      const started = performance.now();
      try {
        await adapter.verifyCredentials();
        return { provider: adapter.name, ok: true, rejected: false, latencyMs: Math.round(performance.now() - started), detail: null };
      } catch (error) {
        if (!(error instanceof VoicenumError)) throw error;
        return { provider: adapter.name, ok: false, rejected: error.exitCode === ExitCode.Auth, latencyMs: Math.round(performance.now() - started), detail: error.message };
      }
    }),
  );
}

/** A finding as one tab-separated line (tabs and newlines inside a cell become spaces). */
function findingRow(f: Finding): string {
  return [f.severity, f.check, f.subject, f.provider ?? '', neutralize(f.problem), f.fix ?? '', neutralize(f.manual ?? '')].map((cell) => cell.replace(/[\t\n]/g, ' ')).join('\t');
}

/**
 * The terminal report, printed in chunks as it comes: the accounts, then each severity's findings
 * (runChecks sorts errors first, then warnings, then notes), a blank line between blocks; one piece
 * per finding, its lines joined.
 */
function* reportLines(ctx: Context, findings: readonly Finding[], probes: AccountProbe[] | null): Generator<string> {
  const theme = ctx.printer.out;
  let blocks = 0;
  if (probes?.length) {
    blocks++;
    yield theme.header('accounts');
    for (const probe of probes) yield `  ${theme.provider(probe.provider)}  ${probe.ok ? theme.success('credentials work') : theme.fail(probe.rejected ? 'credentials rejected' : 'no answer')}  ${probe.latencyMs} ms`;
  }
  const counts = countBySeverity(findings);
  let severity: Severity | null = null;
  for (const f of findings) {
    if (f.severity !== severity) {
      severity = f.severity;
      if (blocks++) yield '';
      const paint = severity === 'error' ? theme.fail : severity === 'warning' ? theme.warn : theme.dim;
      yield paint(`${HEADINGS[severity]} (${counts[severity]})`);
    }
    let text = `  ${neutralize(f.subject)}${f.provider && f.provider !== f.subject ? ` ${theme.provider(f.provider)}` : ''}  ${neutralize(f.problem)}  ${theme.dim(`[${f.check}]`)}\n      why: ${f.impact}`;
    if (f.fix) text += `\n      fix: ${f.fix}`;
    if (f.manual) text += `\n      ${f.fix ? 'or:  ' : 'fix: '}${neutralize(f.manual)}`;
    yield text;
  }
}
