import { AuthError, CancelledError, RefusedError, UsageError, VoicenumError } from '../../domain/errors.js';
import type { ProviderName } from '../../domain/model.js';
import { toE164 } from '../../domain/phone.js';
import { withArticle } from '../../domain/wording.js';
import { applyPorts, type RunPorts } from '../../engine/ports.js';
import { buyNumber, importNumber, LifecycleFailure, releaseIsIrreversible, releaseNumber, resumeOrRepair, searchAvailable, type LifecycleOutcome, type LifecyclePorts } from '../../engine/lifecycle/index.js';
import { selectFields } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import { carrierSource } from '../../providers/credentials.js';
import { CAPABILITIES, capabilitiesOf, CARRIER } from '../../providers/registry.js';
import type { PurchaseRequest } from '../../providers/types.js';
import type { Store } from '../../store/index.js';
import type { Context } from '../context.js';
import { parseProvider } from '../options.js';
import { canPrompt } from '../prompter.js';
import type { BuyOptions, ImportOptions, ReleaseOptions, RepairOptions } from './lifecycle.command.js';
import { agentRequests, assignAfter, assignmentText, checkAgentsFirst, type AgentRequests } from './lifecycle-agents.js';
import type { ApplyResult } from '../../engine/apply.js';
import { ExitCode } from '../../domain/errors.js';

/**
 * `numbers buy | import | release | repair`: the life of a number. The steps, their journal, undo
 * and repair are the engine's (src/engine/lifecycle); here: the operator's choice and confirmation,
 * the cache refreshed for the providers touched, and what happened said.
 */

function lifecyclePorts(ctx: Context, store: Store): LifecyclePorts & Pick<RunPorts, 'adapters'> {
  return { ...applyPorts(ctx, store), capabilities: CAPABILITIES };
}

/** --verbose: the upstream requests the operation itself made (the cache refresh after it aside). */
async function countRequests(ctx: Context, ports: Pick<RunPorts, 'adapters'>, operation: string): Promise<void> {
  const adapters = await Promise.allSettled([...ports.adapters.values()]);
  const counts = adapters.flatMap((settled) => (settled.status === 'fulfilled' ? [[settled.value.name, settled.value.requestCount] as const] : []));
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  ctx.printer.verbose(`${total} upstream requests for the ${operation} (${counts.map(([name, count]) => `${name} ${count}`).join(', ')})`);
}

/** Asks at a terminal, or takes --yes; without either, refuses (nothing has been done yet). */
async function confirmed(ctx: Context, yes: boolean | undefined, question: string, what: string): Promise<void> {
  if (yes) return;
  if (!canPrompt(ctx.io)) throw new RefusedError([`${what} — confirm with --yes (there is no terminal to ask on)`]);
  if (!(await ctx.prompter().confirm(question))) throw new CancelledError();
}

/** The operation's own records in the cache: the platforms it touched are read again. */
async function refresh(ctx: Context, store: Store, providers: ProviderName[]): Promise<void> {
  const { adapters } = await ctx.adapters([...new Set(providers)]);
  for (const adapter of adapters) {
    try {
      const since = store.writeSeq();
      store.replaceProvider(await adapter.fetchAll(), ctx.now(), { since });
    } catch (error) {
      ctx.printer.warn(`the cache of ${adapter.name} could not be refreshed (${error instanceof Error ? error.message : String(error)}); run \`${ctx.hintCommand(`sync --provider ${adapter.name}`)}\``);
    }
  }
}

function report(ctx: Context, operation: string, outcome: LifecycleOutcome, e164: string, provider: ProviderName, json: BuyOptions['json'], text: string, assignment: ApplyResult | null = null): number {
  for (const warning of outcome.warnings) ctx.printer.warn(warning);
  const assigned = assignment === null || assignment.exitCode === ExitCode.Ok;
  if (json) {
    const shown = assignment && { outcome: assignment.outcome, changes: assignment.changes, error: assigned ? null : assignment.message };
    ctx.printer.json(selectFields({ operation, id: outcome.opId, state: outcome.state, e164: outcome.number?.e164 ?? e164, provider, providerId: outcome.number?.providerId ?? null, reusedTrunk: outcome.reusedTrunk, imported: outcome.imported, warnings: outcome.warnings, assignment: shown }, json));
  } else {
    ctx.printer.data(`${ctx.io.isStdoutTTY ? `${ctx.printer.out.success('✓')} ` : ''}${text}${assignment && assigned ? `; ${neutralize(assignmentText(assignment))}` : ''}\n`);
  }
  if (assigned) return 0;
  // The number was made; only its assignment failed: partial, with the command to finish it.
  ctx.printer.error(new VoicenumError(`${operation === 'buy' ? 'bought' : 'imported'} ${outcome.number?.e164 ?? e164}, but assigning its agents failed: ${assignment!.message ?? assignment!.outcome}`, ExitCode.Partial, `retry with \`${ctx.hintCommand(`assign ${outcome.number?.e164 ?? e164} --provider ${provider} ...`)}\``));
  return ExitCode.Partial;
}

/** The rules on agents given at buy or import, before anything is made; what needs a yes is asked with the operation. */
function agentsFirst(ctx: Context, store: Store, number: Parameters<typeof checkAgentsFirst>[2], options: { inbound?: string; outbound?: string; sms?: string; allowDraft?: boolean }): { requests: AgentRequests; confirmations: string[] } {
  const requests = agentRequests(options);
  return { requests, confirmations: checkAgentsFirst(ctx, store, number, requests, Boolean(options.allowDraft)) };
}

/** A failed operation: the error says what failed; a corrupted one lists what to remove by hand. */
async function reported<T>(ctx: Context, run: () => Promise<T>): Promise<T> {
  try {
    return await ctx.interrupt.writePhase(run);
  } catch (error) {
    if (error instanceof LifecycleFailure && error.manualSteps.length) {
      ctx.printer.warn(`${error.state === 'corrupted' ? 'the number is corrupted' : 'left behind'}; remove by hand:\n${error.manualSteps.map((step) => `  - ${neutralize(step)}`).join('\n')}`);
    }
    throw error;
  }
}

/**
 * The wizard runs buy and import through these same functions (checks, plan, confirmation at the
 * terminal, engine), then goes on to the slots with the number made: `made` receives it, and the
 * result line is left to the wizard's own.
 */
export type MadeNumber = (made: { e164: string; provider: ProviderName }) => void;

export async function runBuy(ctx: Context, options: BuyOptions, made?: MadeNumber): Promise<number> {
  const provider = parseProvider(options.provider);
  const capabilities = capabilitiesOf(provider);
  if (!capabilities.lifecycle.buy) throw new UsageError(`${capabilities.displayName} numbers cannot be bought through voicenum`);
  const country = options.country?.toUpperCase();
  if (country !== undefined && country !== 'US' && country !== 'CA') throw new UsageError(`--country takes US or CA, not "${options.country}"`);
  if (options.areaCode !== undefined && !/^\d{3}$/.test(options.areaCode)) throw new UsageError(`--area-code takes three digits, not "${options.areaCode}"`);
  const purchase: PurchaseRequest = {
    e164: options.number === undefined ? undefined : toE164(options.number, ctx.settings().defaultCountry),
    areaCode: options.areaCode,
    country: country as PurchaseRequest['country'],
    tollFree: options.tollFree,
    label: options.label,
  };
  const store = await ctx.store();
  const ports = lifecyclePorts(ctx, store);
  // Where the platform lets one choose, the candidates are shown; --yes takes the first.
  if (!purchase.e164) {
    const offered = await searchAvailable(ports, provider, purchase);
    if (offered) {
      if (offered.length === 0) throw new RefusedError([`${capabilities.displayName} offers no number for ${purchase.areaCode ? `area code ${purchase.areaCode}` : 'that search'}`]);
      if (options.yes || options.dryRun || !canPrompt(ctx.io)) purchase.e164 = offered[0]!.e164;
      else {
        purchase.e164 = await ctx.prompter().select(`Which ${capabilities.displayName} number?`, offered.map((n) => ({ name: `${n.e164}  ${[n.locality, n.region].filter(Boolean).join(', ')}  ${[n.capabilities.voice ? 'voice' : '', n.capabilities.sms ? 'sms' : ''].filter(Boolean).join('+')}`, value: n.e164 })));
      }
    }
  }
  const { requests, confirmations } = agentsFirst(ctx, store, { e164: purchase.e164 ?? 'the new number', provider, origin: provider, capabilities: { voice: true, sms: null } }, options);
  const what = `buy ${purchase.e164 ?? (purchase.areaCode ? `a number in area code ${purchase.areaCode}` : 'a number')} on ${capabilities.displayName}${purchase.label ? ` labelled "${neutralize(purchase.label)}"` : ''} (the platform charges for it)${confirmations.length ? `; then ${confirmations.join('; ')}` : ''}`;
  if (options.dryRun) {
    ctx.printer.data(`would ${what}: one call to ${capabilities.displayName}\n`);
    return 0;
  }
  await confirmed(ctx, options.yes, `${what[0]!.toUpperCase()}${what.slice(1)}?`, `buying costs money: ${what}`);
  const outcome = await reported(ctx, () => buyNumber(ports, { provider, purchase }));
  await countRequests(ctx, ports, 'purchase');
  await refresh(ctx, store, [provider]);
  if (made && outcome.number) {
    for (const warning of outcome.warnings) ctx.printer.warn(warning);
    made({ e164: outcome.number.e164, provider });
    return 0;
  }
  const assignment = outcome.number ? await assignAfter(ctx, store, outcome.number.e164, provider, requests, Boolean(options.allowDraft)) : null;
  return report(ctx, 'buy', outcome, outcome.number?.e164 ?? purchase.e164 ?? '', provider, options.json, `bought ${outcome.number?.e164 ?? ''} on ${capabilities.displayName}`, assignment);
}

export async function runImport(ctx: Context, input: string, options: ImportOptions, made?: MadeNumber): Promise<number> {
  const into = parseProvider(options.into);
  const capabilities = capabilitiesOf(into);
  if (!CARRIER) throw new UsageError('no carrier is registered to import numbers from');
  if (!capabilities.lifecycle.import || !capabilities.lifecycle.importVia) throw new UsageError(`${capabilities.displayName} cannot import ${CARRIER.displayName} numbers through voicenum`);
  const e164 = toE164(input, ctx.settings().defaultCountry);
  if (options.resume) ctx.finishingOpOf = e164;
  const store = await ctx.store();
  const record = store.findNumbers(e164).find((row) => row.provider === CARRIER!.name && !row.removed);
  if (!record) throw new UsageError(`${e164} is not a number of the configured ${CARRIER.displayName} account in the cache`, `run \`${ctx.hintCommand(`sync --provider ${CARRIER.name}`)}\` if it is new`);
  const source = carrierSource(await ctx.credentials(), record.providerId);
  if (!source) throw new AuthError(`importing needs the ${CARRIER.displayName} credentials`, `see \`${ctx.hintCommand('auth status')}\``);
  const ports = lifecyclePorts(ctx, store);
  const { requests, confirmations } = agentsFirst(ctx, store, { e164, provider: into, origin: CARRIER.name, capabilities: record.capabilities }, options);
  let outcome: LifecycleOutcome;
  if (options.resume) {
    const open = store.lifecycleOpsOf(e164, into, 'import').filter((op) => op.state === 'running').at(-1);
    if (!open) throw new UsageError(`no unfinished import of ${e164} into ${capabilities.displayName}`);
    outcome = await reported(ctx, () => resumeOrRepair(ports, open.id, 'resume', { source }));
  } else {
    const steps =
      capabilities.lifecycle.importVia === 'sip-trunk'
        ? [`save the voice routing of ${e164} at ${CARRIER.displayName}`, options.reuseTrunk ? 'reuse a trunk voicenum made earlier, or create one' : 'create an Elastic SIP trunk', `add its origination URL (${capabilities.lifecycle.originationSipUrl ?? 'the platform'})`, 'create a credential list and a credential (generated password, never shown or stored)', 'attach the list to the trunk', `attach ${e164} to the trunk (its current voice URL, app or trunk stops answering)`, `import it into ${capabilities.displayName}`]
        : [`import ${e164} into ${capabilities.displayName} with the ${CARRIER.displayName} credentials (${capabilities.displayName} takes over its voice configuration)`];
    if (Object.keys(requests).length) steps.push(`assign ${Object.entries(requests).map(([slot, request]) => `${slot}: ${request.action === 'assign' ? request.agents.map((a) => a.text).join(', ') : 'none'}`).join('; ')}, checked by the rules of assign`, ...confirmations);
    const plan = `import ${e164} from ${CARRIER.displayName} into ${capabilities.displayName}:\n${steps.map((step, i) => `  ${i + 1}. ${step}`).join('\n')}\n`;
    if (options.dryRun) {
      ctx.printer.data(plan);
      return 0;
    }
    if (!options.yes && canPrompt(ctx.io)) ctx.io.stderr.write(plan);
    await confirmed(ctx, options.yes, `Import ${e164} into ${capabilities.displayName}?`, `importing ${e164} changes where its calls go`);
    outcome = await reported(ctx, () => importNumber(ports, { e164, into, source, label: options.label, reuseTrunk: options.reuseTrunk }));
  }
  await countRequests(ctx, ports, 'import');
  await refresh(ctx, store, [into, CARRIER.name]);
  if (made) {
    for (const warning of outcome.warnings) ctx.printer.warn(warning);
    made({ e164, provider: into });
    return 0;
  }
  const assignment = await assignAfter(ctx, store, e164, into, requests, Boolean(options.allowDraft));
  const next = assignment ? '' : `; assign it with \`${ctx.hintCommand(`assign ${e164} --provider ${into} --inbound AGENT`)}\``;
  return report(ctx, 'import', outcome, e164, into, options.json, `${e164} is now ${withArticle(capabilities.displayName)} number${outcome.reusedTrunk ? ` (on trunk ${outcome.reusedTrunk.domainName})` : ''}${next}`, assignment);
}

export async function runRelease(ctx: Context, input: string, options: ReleaseOptions): Promise<number> {
  const e164 = toE164(input, ctx.settings().defaultCountry);
  const store = await ctx.store();
  const records = store.findNumbers(e164).filter((row) => !row.removed);
  const asked = options.provider === undefined ? undefined : parseProvider(options.provider);
  const ports = lifecyclePorts(ctx, store);
  if (options.force) {
    // A corrupted import may have no platform record at all: the operation is found by the number.
    const corrupted = store.lifecycleOpsOf(e164, asked).filter((op) => op.state === 'corrupted').at(-1);
    const latest = corrupted && store.lifecycleOpsOf(e164, corrupted.provider).at(-1);
    if (!corrupted || latest?.id !== corrupted.id) throw new UsageError(`--force only forgets a corrupted operation, and ${e164} has none`);
    store.finishLifecycleOp(corrupted.id, 'rolled-back', `forgotten by release --force; upstream was not touched: ${corrupted.error ?? ''}`.trim(), ctx.now().toISOString());
    const left = Array.isArray(corrupted.detail.manualSteps) ? (corrupted.detail.manualSteps as unknown[]).map((step) => `\n  - ${neutralize(String(step))}`).join('') : '';
    ctx.printer.data(`forgot voicenum's record of the corrupted ${corrupted.kind} of ${e164} at ${capabilitiesOf(corrupted.provider).displayName}; nothing upstream was touched — remove what it left by hand${left ? `:${left}` : ''}\n`);
    return 0;
  }
  // A platform record is released unless the carrier is named: giving the number back is never a surprise.
  const provider = asked ?? records.find((row) => !capabilitiesOf(row.provider).carrier)?.provider;
  if (!provider) throw new UsageError(`${e164} has no platform record in the cache`, records.length ? `to give it back to ${capabilitiesOf(records[0]!.provider).displayName} itself (irreversible), pass --provider ${records[0]!.provider}` : `run \`${ctx.hintCommand('sync')}\` if it is new`);
  const capabilities = capabilitiesOf(provider);
  const record = records.find((row) => row.provider === provider);
  const irreversible = releaseIsIrreversible(ports, provider);
  if (irreversible) {
    // Typed again: at the terminal, or --yes --confirm NUMBER in a script.
    const confirmation = options.confirm === undefined ? undefined : toE164(options.confirm, ctx.settings().defaultCountry);
    if (!(options.yes && confirmation === e164)) {
      if (!canPrompt(ctx.io)) throw new RefusedError([`releasing ${e164} from ${capabilities.displayName} gives it back for good`], `to do it from a script: --yes --confirm ${e164}`);
      const typed = await ctx.prompter().input(`Releasing ${e164} from ${capabilities.displayName} gives it back and cannot be undone. Type the number to confirm`);
      if (toE164(typed, ctx.settings().defaultCountry) !== e164) throw new CancelledError();
    }
  } else {
    await confirmed(ctx, options.yes, `Release ${e164} from ${capabilities.displayName}? Calls and texts to it there stop.`, `releasing ${e164} from ${capabilities.displayName} stops its calls there`);
  }
  const outcome = await reported(ctx, () => releaseNumber(ports, { e164, provider, providerId: record?.providerId, irreversibleConfirmed: irreversible }));
  await countRequests(ctx, ports, 'release');
  await refresh(ctx, store, CARRIER && outcome.imported ? [provider, CARRIER.name] : [provider]);
  return report(ctx, 'release', outcome, e164, provider, options.json, `released ${e164} from ${capabilities.displayName}${outcome.imported ? `; what voicenum made for its import is removed and its ${CARRIER?.displayName ?? 'carrier'} routing is back` : ''}`);
}

export async function runRepair(ctx: Context, input: string, options: RepairOptions): Promise<number> {
  const e164 = toE164(input, ctx.settings().defaultCountry);
  ctx.finishingOpOf = e164;
  const store = await ctx.store();
  const provider = options.provider === undefined ? undefined : parseProvider(options.provider);
  const open = store.lifecycleOpsOf(e164, provider).filter((op) => op.state === 'running' || op.state === 'corrupted').at(-1);
  if (!open) throw new UsageError(`${e164} has no unfinished or corrupted operation to repair`);
  const record = CARRIER ? store.findNumbers(e164).find((row) => row.provider === CARRIER!.name) : undefined;
  const source = record ? (carrierSource(await ctx.credentials(), record.providerId) ?? undefined) : undefined;
  const ports = lifecyclePorts(ctx, store);
  const outcome = await reported(ctx, () => resumeOrRepair(ports, open.id, 'repair', { source }));
  await refresh(ctx, store, CARRIER ? [open.provider, CARRIER.name] : [open.provider]);
  return report(ctx, 'repair', outcome, e164, open.provider, options.json, `repaired the ${open.kind} of ${e164} at ${capabilitiesOf(open.provider).displayName}: ${outcome.state === 'done' ? 'finished' : 'undone'}`);
}
