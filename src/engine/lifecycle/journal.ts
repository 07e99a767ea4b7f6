import { ExitCode, RefusedError, VoicenumError, type ExitCodeValue } from '../../domain/errors.js';
import type { CapabilityCatalog, ProviderCapabilities } from '../../domain/capabilities.js';
import type { ProviderName, RemoteNumber } from '../../domain/model.js';
import type { CreatedResource, LifecycleCapability, ProviderAdapter, TrunkingCapability, VoiceRouting } from '../../providers/types.js';
import type { AuditEntry, LifecycleStepRow, Store } from '../../store/index.js';

/**
 * The machinery every lifecycle operation shares: run one upstream step with its journal row
 * committed first, undo the steps that created something newest first, and say exactly what is
 * left when an undo fails.
 */

/** What the engine needs from a command run (the write path's RunPorts plus the descriptors). */
export interface LifecyclePorts {
  store: Store;
  now(): Date;
  audit: { osUser: string; profile: string; batch: string };
  capabilities: CapabilityCatalog;
  adapter(provider: ProviderName): Promise<ProviderAdapter>;
}

/** A platform number a step made (an import, a purchase): its undo is the platform's release. */
export interface PlatformResource {
  kind: 'platform-number';
  provider: ProviderName;
  sid: string;
  e164: string;
}

/** What a step made: a carrier resource (with a trunk's domain name) or a platform number. */
export type StepResource = (CreatedResource & { domainName?: string }) | PlatformResource;

/**
 * A lifecycle operation that failed. `rolled-back`: everything it made was undone (the number is as
 * before). `corrupted`: an undo failed too; `manualSteps` lists exactly what a person must remove or
 * set back, with the SIDs.
 */
export class LifecycleFailure extends VoicenumError {
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    readonly opId: string,
    readonly state: 'rolled-back' | 'corrupted',
    readonly manualSteps: readonly string[],
    hint?: string,
  ) {
    super(message, exitCode, hint);
  }
}

/** One running operation: who it is about and where its steps go. */
export interface OpContext {
  ports: LifecyclePorts;
  opId: string;
  e164: string;
  platform: ProviderName;
  /** The platform's record of the number, once an import or a purchase made it. */
  platformId: string | null;
  carrier: ProviderName | null;
  /** The number's record at the carrier (PN sid). */
  carrierId: string | null;
  /** Set only where the operation touches the carrier. */
  trunking: TrunkingCapability | null;
  /** Notes for the operator that are not failures (a step whose outcome a crash hid). */
  warnings: string[];
}

export const CARRIER_KINDS: ReadonlySet<string> = new Set(['trunk', 'origination-url', 'credential-list', 'credential', 'trunk-credential-list', 'trunk-phone-number']);

/** The carrier's descriptor (the provider whose numbers the platforms import), if one is registered. */
export function carrierOf(catalog: CapabilityCatalog): ProviderCapabilities | null {
  return catalog.all.find((c) => c.carrier !== null) ?? null;
}

/** A platform's lifecycle capability, or a refusal naming what is missing. */
export function lifecycleOf(adapter: ProviderAdapter, operation: keyof LifecycleCapability, displayName: string): LifecycleCapability {
  if (!adapter.lifecycle?.[operation]) throw new RefusedError([`${displayName} cannot ${operation === 'importFromCarrier' ? 'import numbers' : operation === 'searchAvailable' ? 'list numbers for sale' : `${operation} numbers`} through voicenum`]);
  return adapter.lifecycle;
}

export function describeResource(resource: StepResource): string {
  if (resource.kind === 'platform-number') return `${resource.provider} number ${resource.e164} (${resource.sid})`;
  const name = resource.kind === 'trunk-phone-number' ? 'trunk number association' : resource.kind === 'trunk-credential-list' ? 'trunk credential-list association' : resource.kind.replace('-', ' ');
  return `${name} ${resource.sid}${resource.domainName ? ` (${resource.domainName})` : ''}${resource.parentSid ? ` on ${resource.parentSid}` : ''}`;
}

export function describeRouting(routing: VoiceRouting): string {
  const parts = [
    routing.voiceUrl ? `voice URL ${routing.voiceUrl}${routing.voiceMethod ? ` (${routing.voiceMethod})` : ''}` : null,
    routing.voiceApplicationSid ? `application ${routing.voiceApplicationSid}` : null,
    routing.trunkSid ? `trunk ${routing.trunkSid}` : null,
  ].filter((part) => part !== null);
  return parts.length ? parts.join(', ') : 'no voice routing';
}

/** What a person must do to remove a resource an undo could not. */
export function manualRemoval(ctx: OpContext, resource: StepResource): string {
  const provider = resource.kind === 'platform-number' ? resource.provider : (ctx.carrier ?? 'the carrier');
  return `${provider}: delete ${describeResource(resource)}`;
}

export function manualRestore(ctx: OpContext, routing: VoiceRouting): string {
  return `${ctx.carrier ?? 'the carrier'}: set the voice routing of ${ctx.carrierId ?? ctx.e164} (${ctx.e164}) back to ${describeRouting(routing)}`;
}

/** Only SIDs and names: the step row never holds what a resource was made with (a password). */
export function stored(resource: StepResource): Record<string, unknown> {
  if (resource.kind === 'platform-number') return { kind: resource.kind, provider: resource.provider, sid: resource.sid, e164: resource.e164 };
  const kept: Record<string, unknown> = { kind: resource.kind, sid: resource.sid };
  if (resource.parentSid) kept.parentSid = resource.parentSid;
  if (resource.domainName) kept.domainName = resource.domainName;
  return kept;
}

export function platformResource(number: RemoteNumber): PlatformResource {
  return { kind: 'platform-number', provider: number.provider, sid: number.providerId, e164: number.e164 };
}

const at = (ctx: OpContext) => ctx.ports.now().toISOString();

/** An audit line for one step: history shows each lifecycle step with what it made or undid. */
export function auditLine(ctx: OpContext, target: 'platform' | 'carrier', field: string, before: string | null, after: string | null, outcome: AuditEntry['outcome'], error: string | null): AuditEntry[] {
  const onCarrier = target === 'carrier' && ctx.carrier !== null;
  return [
    {
      at: at(ctx),
      ...ctx.ports.audit,
      provider: onCarrier ? ctx.carrier! : ctx.platform,
      providerId: onCarrier ? (ctx.carrierId ?? ctx.e164) : (ctx.platformId ?? ctx.e164),
      e164: ctx.e164,
      field,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
      outcome,
      error,
      intent: null,
    },
  ];
}

function targetOf(kind: string, resource: StepResource | null): 'platform' | 'carrier' {
  if (resource) return resource.kind === 'platform-number' ? 'platform' : 'carrier';
  return kind.startsWith('platform-') ? 'platform' : 'carrier';
}

/**
 * Run one upstream step: its row is committed `pending` before the call, settled `done` (with what it
 * made) or `failed` after. Only a VoicenumError is a failure the caller rolls back; anything else (a
 * bug, the process being stopped) leaves the row pending for resume or repair.
 */
export async function runStep<T>(
  ctx: OpContext,
  kind: string,
  planned: Record<string, unknown> | null,
  call: () => Promise<T>,
  record: (value: T) => { resource?: StepResource | null; routing?: VoiceRouting | null },
): Promise<T> {
  const seq = ctx.ports.store.beginLifecycleStep(ctx.opId, { kind, resource: planned }, at(ctx));
  let value: T;
  try {
    value = await call();
  } catch (error) {
    if (error instanceof VoicenumError) {
      ctx.ports.store.settleLifecycleStep(ctx.opId, seq, { outcome: 'failed', error: error.message }, at(ctx), auditLine(ctx, targetOf(kind, null), `lifecycle:${kind}`, null, null, 'failed', error.message));
      throw new StepFailed(kind, error);
    }
    throw error;
  }
  const { resource = null, routing = null } = record(value);
  const after = resource ? describeResource(resource) : routing ? describeRouting(routing) : 'done';
  ctx.ports.store.settleLifecycleStep(
    ctx.opId,
    seq,
    // Without an answer worth keeping, the row keeps what it was begun with (what a removal removes).
    { outcome: 'done', resource: resource ? stored(resource) : undefined, routing: routing ? (routing as unknown as Record<string, unknown>) : undefined },
    at(ctx),
    auditLine(ctx, targetOf(kind, resource), `lifecycle:${kind}`, null, after, 'applied', null),
  );
  return value;
}

/** A step's failure, naming the step. */
export class StepFailed extends VoicenumError {
  constructor(
    readonly step: string,
    readonly failure: VoicenumError,
  ) {
    super(`${step} failed: ${failure.message}`, failure.exitCode, failure.hint);
  }
}

/** Record a step that needed no upstream call (a trunk reused as found), so resume and release see it. */
export function recordStep(ctx: OpContext, kind: string, resource: StepResource): void {
  const seq = ctx.ports.store.beginLifecycleStep(ctx.opId, { kind, resource: stored(resource) }, at(ctx));
  ctx.ports.store.settleLifecycleStep(ctx.opId, seq, { outcome: 'done' }, at(ctx), auditLine(ctx, targetOf(kind, resource), `lifecycle:${kind}`, null, describeResource(resource), 'applied', null));
}

/** The latest row of a step kind that ended done. */
export function doneStep(steps: readonly LifecycleStepRow[], kind: string): LifecycleStepRow | undefined {
  return [...steps].reverse().find((step) => step.kind === kind && step.outcome === 'done');
}

export const resourceOf = (step: LifecycleStepRow) => step.resource as unknown as StepResource;
export const routingOf = (step: LifecycleStepRow) => step.routing as unknown as VoiceRouting;

/** Steps whose rows record something to undo; a reused trunk is not voicenum's to remove. */
const UNDOABLE = (step: LifecycleStepRow) => step.resource !== null && step.kind !== 'reuse-trunk' && step.kind !== 'save-routing' && !step.kind.startsWith('remove:') && step.kind !== 'platform-release';

/** Step kinds after which the number's voice routing may differ from the saved one. */
const TOUCHES_ROUTING: ReadonlySet<string> = new Set(['trunk-phone-number', 'platform-import']);

export async function undoResource(ctx: OpContext, resource: StepResource): Promise<void> {
  if (resource.kind === 'platform-number') {
    const adapter = await ctx.ports.adapter(resource.provider);
    await lifecycleOf(adapter, 'release', ctx.ports.capabilities.of(resource.provider).displayName).release!({ providerId: resource.sid, e164: resource.e164 });
    return;
  }
  if (!ctx.trunking) throw new VoicenumError(`no carrier to remove ${describeResource(resource)} from`, ExitCode.Provider);
  const { kind, sid, parentSid } = resource;
  await ctx.trunking.remove(parentSid ? { kind, sid, parentSid } : { kind, sid });
}

/**
 * Undo what the operation made, newest first (a step that ended done, or whose undo failed before
 * and is tried again), then put the number's saved voice routing back. Each undo settles its step
 * `undone` or `undo-failed`. Returns the manual steps for what could not be undone.
 */
export async function undoSteps(ctx: OpContext): Promise<string[]> {
  const steps = ctx.ports.store.lifecycleSteps(ctx.opId);
  const manual: string[] = [];
  for (const step of [...steps].reverse()) {
    if (!UNDOABLE(step) || (step.outcome !== 'done' && step.outcome !== 'undo-failed')) continue;
    const resource = resourceOf(step);
    const target = targetOf(step.kind, resource);
    try {
      await undoResource(ctx, resource);
      ctx.ports.store.settleLifecycleStep(ctx.opId, step.seq, { outcome: 'undone', error: null }, at(ctx), auditLine(ctx, target, `lifecycle:${step.kind}`, describeResource(resource), null, 'rolled-back', null));
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      ctx.ports.store.settleLifecycleStep(ctx.opId, step.seq, { outcome: 'undo-failed', error: error.message }, at(ctx), auditLine(ctx, target, `lifecycle:${step.kind}`, describeResource(resource), describeResource(resource), 'needs-attention', `could not be removed: ${error.message}`));
      manual.push(manualRemoval(ctx, resource));
    }
  }
  const saved = steps.find((step) => step.kind === 'save-routing' && (step.outcome === 'done' || step.outcome === 'undo-failed'));
  // A step that failed outright never reached the number; any other (done, or cut short by a crash) may have.
  const moved = steps.some((step) => saved && step.seq > saved.seq && TOUCHES_ROUTING.has(step.kind) && step.outcome !== 'failed');
  if (saved && moved && ctx.trunking && ctx.carrierId) {
    const routing = routingOf(saved);
    try {
      await ctx.trunking.restoreVoiceRouting(ctx.carrierId, routing);
      ctx.ports.store.settleLifecycleStep(ctx.opId, saved.seq, { outcome: 'undone', error: null }, at(ctx), auditLine(ctx, 'carrier', 'lifecycle:restore-routing', null, describeRouting(routing), 'rolled-back', null));
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      ctx.ports.store.settleLifecycleStep(ctx.opId, saved.seq, { outcome: 'undo-failed', error: error.message }, at(ctx), auditLine(ctx, 'carrier', 'lifecycle:restore-routing', null, describeRouting(routing), 'needs-attention', error.message));
      manual.push(manualRestore(ctx, routing));
    }
  }
  return manual;
}

/**
 * End a failed operation: undo what it made and record how it ended. Throws the LifecycleFailure
 * (rolled-back, or corrupted with the manual steps); with `cause` null (a repair asked for) a clean
 * undo returns instead.
 */
export async function rollBack(ctx: OpContext, kind: 'import' | 'buy' | 'release', cause: VoicenumError | null): Promise<void> {
  const manual = await undoSteps(ctx);
  const subject = `${kind} of ${ctx.e164 || 'a number'} (${ctx.platform})`;
  const what = cause ? `${subject} failed: ${cause.message}` : `${subject} repaired`;
  if (manual.length === 0) {
    const message = cause ? `${what}; everything it made was undone and the number is as it was` : `${what}: everything it made was undone`;
    ctx.ports.store.finishLifecycleOp(ctx.opId, 'rolled-back', cause?.message ?? null, at(ctx), auditLine(ctx, 'platform', kind, null, null, 'rolled-back', message));
    if (cause) throw new LifecycleFailure(message, cause.exitCode, ctx.opId, 'rolled-back', [], cause.hint);
    return;
  }
  const message = `${what}; undoing it failed too, so ${ctx.e164} is corrupted. Remove by hand:\n  - ${manual.join('\n  - ')}`;
  // Kept apart from the message, so `numbers show` lists them later.
  ctx.ports.store.updateLifecycleDetail(ctx.opId, { manualSteps: manual });
  ctx.ports.store.finishLifecycleOp(ctx.opId, 'corrupted', message, at(ctx), auditLine(ctx, 'platform', kind, null, null, 'needs-attention', message));
  throw new LifecycleFailure(message, ExitCode.Provider, ctx.opId, 'corrupted', manual, `after the manual steps, \`voicenum numbers repair ${ctx.e164}\` tries the undo again`);
}
