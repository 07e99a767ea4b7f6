import { AuthError, ExitCode } from '../../domain/errors.js';
import { PROVIDERS, type ProviderName } from '../../domain/model.js';
import { describeSlot, type PlannedAgent } from '../../domain/rules.js';
import { readDrift, type DriftItem } from '../../engine/drift.js';
import { describeSetting } from '../../engine/settings.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import type { Column } from '../../output/table.js';
import { CREDENTIAL_VARIABLES } from '../../providers/credentials.js';
import type { Context } from '../context.js';
import { parseProviders } from '../options.js';
import type { DriftOptions } from './drift.command.js';

type AgentNames = Map<string, string>;

/** A slot value of the audit log's form with the names voicenum knows, for describeSlot. */
function named(value: unknown, provider: ProviderName, names: AgentNames): PlannedAgent[] {
  return (Array.isArray(value) ? (value as { agentId: string; weight: number; version: string | null }[]) : []).map((a) => ({
    agentId: a.agentId,
    name: names.get(`${provider}:${a.agentId}`) ?? null,
    kind: 'unknown',
    weight: a.weight,
    version: a.version,
  }));
}

function describe(item: DriftItem, value: unknown, names: AgentNames): string {
  if (item.field === 'record') return String(value);
  if (item.field === 'label' || item.field === 'fallback' || item.field === 'region') return describeSetting(value as string | null);
  return describeSlot(named(value, item.provider, names));
}

/** A word a POSIX shell reads back as it is. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that puts back what voicenum knew: the cache first takes upstream's state (`sync`), then
 * the ordinary change command writes the known value through the rules, the confirmation and the push
 * path. Null where voicenum has no command for it (a record that appeared or vanished, an unknown region).
 */
function restoreCommand(ctx: Context, item: DriftItem): string | null {
  const where = `${item.e164} --provider ${item.provider}`;
  let change: string | null = null;
  if (item.field === 'record') return null;
  if (item.field === 'label') change = `numbers label ${where} ${shellWord(item.known === null ? '' : String(item.known))}`;
  else if (item.field === 'fallback') change = `numbers fallback ${where} ${shellWord(item.known === null ? 'none' : String(item.known))}`;
  else if (item.field === 'region') change = item.known === null ? null : `region ${where} ${shellWord(String(item.known))}`;
  else {
    const agents = item.known as { agentId: string; weight: number; version: string | null }[];
    change = agents.length === 0
      ? `unassign ${where} --${item.field} --yes`
      : `assign ${where} --${item.field} ${shellWord(agents.map((a) => `${a.agentId}${a.version !== null ? `@${a.version}` : ''}${agents.length > 1 ? `=${a.weight}` : ''}`).join(','))} --yes`;
  }
  return change === null ? null : `${ctx.hintCommand(`sync --provider ${item.provider}`)} && ${ctx.hintCommand(change)}`;
}

interface DriftLine {
  item: DriftItem;
  upstream: string;
  known: string;
  restore: string | null;
}

/**
 * `voicenum drift`: read upstream as `sync` does, but write nothing; report each field that differs
 * from what voicenum last knew, with the command that puts it back. Exit 11 when there is drift.
 */
export async function runDrift(ctx: Context, options: DriftOptions): Promise<number> {
  const format = ctx.printer.format(options);
  const only = parseProviders(options.provider);
  const { adapters, skipped } = await ctx.adapters(only);
  if (adapters.length === 0) {
    const which = only ?? [...PROVIDERS];
    throw new AuthError(`no credentials for ${only ? which.join(', ') : 'any provider'}`, `set ${which.map((p) => CREDENTIAL_VARIABLES[p]).join('; ')}`);
  }
  for (const skip of skipped) ctx.printer.info(`skipped ${skip.provider}: ${skip.reason}`);
  const store = await ctx.store();
  const read = await readDrift(adapters, store, ctx.interrupt.readSignal);

  const names: AgentNames = new Map(store.listAgents({ includeRemoved: true }).map((a) => [`${a.provider}:${a.id}`, a.name]));
  for (const provider of read) for (const agent of provider.agents) names.set(`${agent.provider}:${agent.id}`, agent.name);
  const lines: DriftLine[] = read.flatMap((provider) => provider.items).map((item) => ({ item, upstream: describe(item, item.upstream, names), known: describe(item, item.known, names), restore: restoreCommand(ctx, item) }));

  if (format === 'json') {
    ctx.printer.json(selectFields(lines.map(({ item, restore }) => ({ e164: item.e164, provider: item.provider, id: item.providerId, field: item.field, kind: item.kind, known: item.known, upstream: item.upstream, knownAt: item.knownAt, restore })), options.json));
  } else {
    const theme = ctx.printer.out;
    const columns: Column<DriftLine>[] = [
      { header: 'NUMBER', value: (l) => l.item.e164 },
      { header: 'PROVIDER', value: (l) => l.item.provider, style: (t) => theme.provider(t) },
      { header: 'FIELD', value: (l) => l.item.field },
      { header: 'UPSTREAM NOW', value: (l) => neutralize(l.upstream), style: (t) => theme.warn(t) },
      { header: 'VOICENUM KNEW', value: (l) => neutralize(l.known) },
      { header: 'KIND', value: (l) => l.item.kind },
      { header: 'RESTORE', value: (l) => neutralize(l.restore ?? '') },
    ];
    // On a terminal the long restore commands wrap instead of being cut; piped, one row per field.
    await ctx.printer.shortRows(lines, columns, format);
  }

  for (const provider of read) {
    if (!provider.ok) ctx.printer.warn(`${neutralize(provider.error ?? `${provider.provider} failed`)}; its drift is unknown`);
    ctx.printer.verbose(`  ${provider.provider}: ${provider.requests} requests`);
  }
  const failed = read.filter((provider) => !provider.ok);
  const numbers = new Set(lines.map((l) => `${l.item.provider}:${l.item.providerId}`)).size;
  if (lines.length === 0) ctx.printer.info(`no drift: upstream holds what voicenum knew${failed.length ? ` (at ${read.filter((p) => p.ok).map((p) => p.provider).join(', ') || 'no provider'})` : ''}`);
  else {
    ctx.printer.info(`drift: ${lines.length} change${lines.length === 1 ? '' : 's'} on ${numbers} number${numbers === 1 ? '' : 's'} since voicenum last knew them`);
    ctx.printer.hint(`accept them into the cache with \`${ctx.hintCommand(`sync${only ? ` --provider ${only.join(',')}` : ''}`)}\`, or put one back with its restore command`);
  }
  // An unread provider outweighs a finding: its drift is unknown, and cron must not read that as clean.
  if (failed.length === read.length) return failed[0]!.exitCode ?? ExitCode.Provider;
  if (failed.length) return ExitCode.Partial;
  return lines.length ? ExitCode.DriftFound : ExitCode.Ok;
}
