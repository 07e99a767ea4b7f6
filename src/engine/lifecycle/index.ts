import { randomUUID } from '../../util/lazy-builtins.js';
import { ConflictError, ExitCode, RefusedError, UsageError, VoicenumError } from '../../domain/errors.js';
import type { ProviderName, RemoteNumber } from '../../domain/model.js';
import type { AvailableNumber, PurchaseRequest, TrunkingCapability, CarrierSource, VoiceRouting } from '../../providers/types.js';
import type { LifecycleOpRow, LifecycleStepRow } from '../../store/index.js';
import {
  auditLine,
  carrierOf,
  describeResource,
  doneStep,
  LifecycleFailure,
  lifecycleOf,
  manualRemoval,
  manualRestore,
  platformResource,
  recordStep,
  resourceOf,
  rollBack,
  runStep,
  StepFailed,
  stored,
  undoResource,
  type LifecyclePorts,
  type OpContext,
  type StepResource,
} from './journal.js';
import { generateSipPassword, randomTag } from './secrets.js';

export { LifecycleFailure, type LifecyclePorts, type StepResource } from './journal.js';
export { generateSipPassword } from './secrets.js';

/**
 * The life of a number: buy, import from the carrier, release, and resume or repair what a crash
 * left. Which way a platform imports comes from its descriptor (`lifecycle.importVia`), never from
 * its name. Every upstream step is journalled before it is sent (src/store/lifecycle-journal.ts)
 * and every step that made something is undone newest first when a later one fails.
 */

/** Every trunk voicenum makes is named with this prefix (and the platform), so it can find them again. */
export const TRUNK_PREFIX = 'voicenum';

export interface ImportRequest {
  e164: string;
  /** The platform the number goes to. */
  into: ProviderName;
  source: CarrierSource;
  label?: string;
  /** Put the number on a trunk voicenum made earlier for the same platform instead of a new one. */
  reuseTrunk?: boolean;
}

export interface ReleaseRequest {
  e164: string;
  /** The platform to release it from. */
  provider: ProviderName;
  /** The platform's record of it; found from the import or the e164 when not given. */
  providerId?: string;
  /**
   * Releasing from the carrier itself gives the number back and cannot be undone (see
   * releaseIsIrreversible): refused unless the command had it confirmed.
   */
  irreversibleConfirmed?: boolean;
}

export interface BuyRequest {
  provider: ProviderName;
  purchase: PurchaseRequest;
}

/** How an operation ended well. Failures throw a LifecycleFailure (rolled-back or corrupted). */
export interface LifecycleOutcome {
  opId: string;
  state: 'done' | 'rolled-back';
  /** The platform record an import or purchase made. */
  number: RemoteNumber | null;
  /** The trunk an import reused (reuseTrunk), or null when it made its own. */
  reusedTrunk: { sid: string; domainName: string } | null;
  /** For a release: whether the number was one voicenum imported (and what it made was torn down). */
  imported: boolean;
  /** Things the operator should know that are not failures (a trunk kept for other numbers). */
  warnings: string[];
}

/** What an import needs to run and to be resumed, kept in its operation row (no secrets). */
interface ImportPlan {
  via: 'sip-trunk' | 'credentials';
  label: string | null;
  reuseTrunk: boolean;
  /** Trunks of this platform start with it (for reuse). */
  trunkPrefix: string;
  trunkFriendlyName: string;
  domainName: string;
  credentialListName: string;
  sipUrl: string | null;
  platformId?: string;
}

/** What a release tears down after the platform let go of the number, in order. */
type TeardownAction = { action: 'remove'; resource: StepResource } | { action: 'restore-routing'; routing: VoiceRouting };

interface ReleasePlan {
  importOp: string | null;
  platformId: string;
  teardown: TeardownAction[];
}

/** Whether releasing from this provider gives the number back to the carrier for good. */
export function releaseIsIrreversible(ports: Pick<LifecyclePorts, 'capabilities'>, provider: ProviderName): boolean {
  return ports.capabilities.of(provider).carrier !== null;
}

const nowText = (ports: LifecyclePorts) => ports.now().toISOString();

/** A number with an operation still running or corrupted is left to resume or repair first. */
function refuseOpenOp(ports: LifecyclePorts, e164: string, provider: ProviderName): void {
  const last = ports.store.lifecycleOpsOf(e164, provider).at(-1);
  if (last && (last.state === 'running' || last.state === 'corrupted')) {
    const doing = last.state === 'corrupted' ? `is corrupted by an earlier ${last.kind}` : `has a ${last.kind} that has not finished`;
    throw new RefusedError([`${e164} (${provider}) ${doing} (operation ${last.id})`], last.state === 'corrupted' ? `run \`voicenum numbers repair ${e164}\`` : `run \`voicenum numbers import --resume\` or \`voicenum numbers repair ${e164}\``);
  }
}

/** The carrier's trunking capability: required for a trunk import, optional (routing restore) otherwise. */
async function trunkingOf(ports: LifecyclePorts, required: boolean): Promise<{ carrier: ProviderName | null; trunking: TrunkingCapability | null }> {
  const carrier = carrierOf(ports.capabilities);
  if (!carrier) {
    if (required) throw new RefusedError(['no carrier is registered to build a SIP trunk on']);
    return { carrier: null, trunking: null };
  }
  try {
    const adapter = await ports.adapter(carrier.name);
    if (!adapter.trunking && required) throw new RefusedError([`${carrier.displayName} cannot build SIP trunks through voicenum`]);
    return { carrier: carrier.name, trunking: adapter.trunking ?? null };
  } catch (error) {
    if (required || !(error instanceof VoicenumError)) throw error;
    return { carrier: carrier.name, trunking: null };
  }
}

function contextOf(ports: LifecyclePorts, op: Pick<LifecycleOpRow, 'id' | 'e164' | 'provider' | 'carrier' | 'carrierId'>, platformId: string | null, trunking: TrunkingCapability | null): OpContext {
  return { ports, opId: op.id, e164: op.e164, platform: op.provider, platformId, carrier: op.carrier, carrierId: op.carrierId, trunking, warnings: [] };
}

const steps = (ctx: OpContext) => ctx.ports.store.lifecycleSteps(ctx.opId);

async function findOnPlatform(ctx: OpContext): Promise<RemoteNumber | null> {
  const adapter = await ctx.ports.adapter(ctx.platform);
  return (await adapter.fetchAll()).numbers.find((n) => n.e164 === ctx.e164) ?? null;
}

// --- import ------------------------------------------------------------------------------------

/**
 * Bring a number of the carrier's account to a platform. Over a SIP trunk (the descriptor says
 * `sip-trunk`): save the number's voice routing, make (or reuse) a trunk, its origination URL, a
 * credential list with a generated credential, attach both to the trunk, then import on the
 * platform with the trunk's termination URI and the credential. With credentials: one platform call.
 */
export async function importNumber(ports: LifecyclePorts, request: ImportRequest): Promise<LifecycleOutcome> {
  const capabilities = ports.capabilities.of(request.into);
  const via = capabilities.lifecycle.importVia;
  if (!via) throw new RefusedError([`${capabilities.displayName} does not import numbers`]);
  if (via === 'sip-trunk' && !capabilities.lifecycle.originationSipUrl) throw new RefusedError([`${capabilities.displayName}'s descriptor names no SIP server to route the trunk to`]);
  refuseOpenOp(ports, request.e164, request.into);
  const earlier = importOf(ports, request.e164, request.into);
  if (earlier) throw new RefusedError([`${request.e164} is already imported into ${capabilities.displayName} (operation ${earlier.id})`], 'release it first to import it again');
  lifecycleOf(await ports.adapter(request.into), 'importFromCarrier', capabilities.displayName);
  const { carrier, trunking } = await trunkingOf(ports, via === 'sip-trunk');
  const digits = request.e164.replace(/\D/g, '');
  const id = randomUUID();
  const plan: ImportPlan = {
    via,
    label: request.label ?? null,
    reuseTrunk: request.reuseTrunk ?? false,
    trunkPrefix: `${TRUNK_PREFIX}-${request.into}`,
    trunkFriendlyName: `${TRUNK_PREFIX}-${request.into} ${request.e164}`,
    domainName: `${TRUNK_PREFIX}-${digits}-${randomTag()}.${carrierOf(ports.capabilities)?.carrier?.trunkDomain ?? 'pstn.invalid'}`,
    credentialListName: `${TRUNK_PREFIX} ${request.e164} ${id.slice(0, 8)}`,
    sipUrl: capabilities.lifecycle.originationSipUrl ?? null,
  };
  const op = { id, e164: request.e164, provider: request.into, carrier, carrierId: request.source.phoneNumberSid };
  return ports.store.withNumberLock(request.into, request.e164, request.e164, async () => {
    refuseOpenOp(ports, request.e164, request.into);
    ports.store.beginLifecycleOp({ ...op, kind: 'import', detail: { ...plan }, at: nowText(ports) });
    return driveImport(contextOf(ports, op, null, trunking), plan, request.source);
  });
}

/** Run (or continue) an import's steps; a failure undoes what was made and throws. */
async function driveImport(ctx: OpContext, plan: ImportPlan, source: CarrierSource): Promise<LifecycleOutcome> {
  try {
    const { number, reusedTrunk } = plan.via === 'sip-trunk' ? await trunkImport(ctx, plan, source) : await credentialsImport(ctx, plan, source);
    ctx.platformId = number.providerId;
    ctx.ports.store.updateLifecycleDetail(ctx.opId, { platformId: number.providerId });
    const note = reusedTrunk ? `on trunk ${reusedTrunk.sid} (${reusedTrunk.domainName}), reused` : null;
    ctx.ports.store.finishLifecycleOp(ctx.opId, 'done', null, nowText(ctx.ports), auditLine(ctx, 'platform', 'import', null, `${ctx.platform} ${number.providerId}`, 'applied', note));
    return { opId: ctx.opId, state: 'done', number, reusedTrunk, imported: true, warnings: ctx.warnings };
  } catch (error) {
    if (!(error instanceof VoicenumError)) throw error; // the process is going down: resume or repair later
    await rollBack(ctx, 'import', error);
    throw error;
  }
}

async function importedRecord(ctx: OpContext, step: LifecycleStepRow): Promise<RemoteNumber> {
  const adapter = await ctx.ports.adapter(ctx.platform);
  return adapter.readNumber({ providerId: resourceOf(step).sid, e164: ctx.e164 });
}

async function trunkImport(ctx: OpContext, plan: ImportPlan, source: CarrierSource): Promise<{ number: RemoteNumber; reusedTrunk: { sid: string; domainName: string } | null }> {
  const trunking = ctx.trunking!;
  const lifecycle = (await ctx.ports.adapter(ctx.platform)).lifecycle!;
  const pn = source.phoneNumberSid;
  if (!doneStep(steps(ctx), 'save-routing')) await runStep(ctx, 'save-routing', null, () => trunking.readVoiceRouting(pn), (routing) => ({ routing }));

  let trunk: { sid: string; domainName: string };
  let reusedTrunk: { sid: string; domainName: string } | null = null;
  const had = doneStep(steps(ctx), 'trunk') ?? doneStep(steps(ctx), 'reuse-trunk');
  if (had) {
    const resource = resourceOf(had);
    trunk = { sid: resource.sid, domainName: (resource as { domainName?: string }).domainName ?? '' };
    if (had.kind === 'reuse-trunk') reusedTrunk = trunk;
  } else {
    const found = plan.reuseTrunk ? (await trunking.listTrunks(plan.trunkPrefix)).sort((a, b) => a.friendlyName.localeCompare(b.friendlyName) || a.sid.localeCompare(b.sid))[0] : undefined;
    if (found) {
      trunk = reusedTrunk = { sid: found.sid, domainName: found.domainName };
      recordStep(ctx, 'reuse-trunk', { kind: 'trunk', sid: found.sid, domainName: found.domainName });
    } else {
      const made = await runStep(ctx, 'trunk', { kind: 'trunk', domainName: plan.domainName }, () => trunking.createTrunk({ friendlyName: plan.trunkFriendlyName, domainName: plan.domainName }), (resource) => ({ resource }));
      trunk = { sid: made.sid, domainName: made.domainName };
    }
  }
  // A reused trunk already sends its calls to the platform.
  if (!reusedTrunk && !doneStep(steps(ctx), 'origination-url')) {
    const request = { friendlyName: plan.trunkFriendlyName, sipUrl: plan.sipUrl!, priority: 10, weight: 10, enabled: true };
    await runStep(ctx, 'origination-url', null, () => trunking.addOriginationUrl(trunk.sid, request), (resource) => ({ resource }));
  }
  const listStep = doneStep(steps(ctx), 'credential-list');
  const listSid = listStep ? resourceOf(listStep).sid : (await runStep(ctx, 'credential-list', null, () => trunking.createCredentialList(plan.credentialListName), (resource) => ({ resource }))).sid;

  const imported = doneStep(steps(ctx), 'platform-import');
  // The password lives only in this call. A credential an earlier (crashed) process made cannot be
  // used, since its password is gone: it is removed and a new one made.
  let access: { username: string; password: string } | null = null;
  if (!imported) {
    const old = doneStep(steps(ctx), 'credential');
    if (old) {
      await undoResource(ctx, resourceOf(old));
      ctx.ports.store.settleLifecycleStep(ctx.opId, old.seq, { outcome: 'undone' }, nowText(ctx.ports), auditLine(ctx, 'carrier', 'lifecycle:credential', describeResource(resourceOf(old)), null, 'rolled-back', 'replaced: its password was not kept'));
    }
    // A fresh user name each time, so a credential whose creation a crash hid never collides.
    access = { username: `vn${ctx.e164.replace(/\D/g, '')}${randomTag(2)}`, password: generateSipPassword() };
    const { username, password } = access;
    await runStep(ctx, 'credential', null, () => trunking.addCredential(listSid, username, password), (resource) => ({ resource }));
  }
  if (!doneStep(steps(ctx), 'trunk-credential-list')) await runStep(ctx, 'trunk-credential-list', null, () => trunking.attachCredentialList(trunk.sid, listSid), (resource) => ({ resource }));
  if (!doneStep(steps(ctx), 'trunk-phone-number')) await runStep(ctx, 'trunk-phone-number', null, () => trunking.attachPhoneNumber(trunk.sid, pn), (resource) => ({ resource }));
  if (imported) return { number: await importedRecord(ctx, imported), reusedTrunk };
  const sip = { terminationUri: trunk.domainName, username: access!.username, password: access!.password };
  const request = { e164: ctx.e164, source, trunk: sip, ...(plan.label !== null ? { label: plan.label } : {}) };
  const number = await runStep(ctx, 'platform-import', null, () => lifecycle.importFromCarrier!(request), (answer) => ({ resource: platformResource(answer) }));
  return { number, reusedTrunk };
}

async function credentialsImport(ctx: OpContext, plan: ImportPlan, source: CarrierSource): Promise<{ number: RemoteNumber; reusedTrunk: null }> {
  const lifecycle = (await ctx.ports.adapter(ctx.platform)).lifecycle!;
  const trunking = ctx.trunking;
  // The platform rewrites the number's routing itself; the routing before is kept for the release.
  if (trunking && ctx.carrierId && !doneStep(steps(ctx), 'save-routing')) {
    const pn = ctx.carrierId;
    await runStep(ctx, 'save-routing', null, () => trunking.readVoiceRouting(pn), (routing) => ({ routing }));
  }
  const imported = doneStep(steps(ctx), 'platform-import');
  if (imported) return { number: await importedRecord(ctx, imported), reusedTrunk: null };
  const request = { e164: ctx.e164, source, ...(plan.label !== null ? { label: plan.label } : {}) };
  const number = await runStep(ctx, 'platform-import', null, () => lifecycle.importFromCarrier!(request), (answer) => ({ resource: platformResource(answer) }));
  return { number, reusedTrunk: null };
}

/**
 * After a crash, settle the steps left `pending` (sent or not, nobody knows). What the ports can
 * read is read: the trunk (by its domain name), the number's trunk, the platform's record. The rest
 * (origination URL, credential list, credential, list association) cannot be listed through the
 * ports: they are taken as not made, which is undo-safe, since the origination URL and association
 * go with their trunk and the credential with its list; a warning names the credential list to check.
 */
async function settlePendingImport(ctx: OpContext, plan: ImportPlan): Promise<void> {
  const all = steps(ctx);
  for (const step of all.filter((s) => s.outcome === 'pending')) {
    let found: StepResource | null = null;
    if (step.kind === 'trunk' && ctx.trunking) {
      const listed = (await ctx.trunking.listTrunks(plan.trunkPrefix)).find((t) => t.domainName === plan.domainName);
      if (listed) found = { kind: 'trunk', sid: listed.sid, domainName: listed.domainName };
    } else if (step.kind === 'trunk-phone-number' && ctx.trunking && ctx.carrierId) {
      const trunkStep = doneStep(all, 'trunk') ?? doneStep(all, 'reuse-trunk');
      const routing = trunkStep ? await ctx.trunking.readVoiceRouting(ctx.carrierId) : null;
      // The carrier keys a trunk's number by the number's own SID.
      if (trunkStep && routing?.trunkSid === resourceOf(trunkStep).sid) found = { kind: 'trunk-phone-number', sid: ctx.carrierId, parentSid: routing.trunkSid };
    } else if (step.kind === 'platform-import') {
      const remote = await findOnPlatform(ctx);
      if (remote) found = platformResource(remote);
    } else if (step.kind === 'credential-list' && ctx.trunking?.findCredentialList) {
      found = await ctx.trunking.findCredentialList(plan.credentialListName);
    } else if (step.kind === 'credential-list') {
      ctx.warnings.push(`${ctx.carrier}: a credential list named "${plan.credentialListName}" may have been made just before voicenum stopped; if it exists, delete it`);
    } else if (step.kind === 'trunk-credential-list' && ctx.trunking?.trunkCredentialListSids) {
      const trunkStep = doneStep(all, 'trunk') ?? doneStep(all, 'reuse-trunk');
      const listStep = doneStep(steps(ctx), 'credential-list');
      if (trunkStep && listStep) {
        const trunkSid = resourceOf(trunkStep).sid;
        const listSid = resourceOf(listStep).sid;
        // The carrier keys a trunk's credential list by the list's own SID.
        if ((await ctx.trunking.trunkCredentialListSids(trunkSid)).includes(listSid)) found = { kind: 'trunk-credential-list', sid: listSid, parentSid: trunkSid };
      }
    }
    const at = nowText(ctx.ports);
    if (found) ctx.ports.store.settleLifecycleStep(ctx.opId, step.seq, { outcome: 'done', resource: stored(found), error: 'found upstream after the run that made it stopped' }, at);
    else ctx.ports.store.settleLifecycleStep(ctx.opId, step.seq, { outcome: 'failed', error: 'the run stopped during this step; taken as not done' }, at);
  }
}

// --- release -----------------------------------------------------------------------------------

/** The import that brought the number to this platform, if voicenum did and has not released it since. */
function importOf(ports: LifecyclePorts, e164: string, provider: ProviderName): LifecycleOpRow | null {
  const last = ports.store
    .lifecycleOpsOf(e164, provider)
    .filter((op) => op.state === 'done' && op.kind !== 'buy')
    .at(-1);
  return last?.kind === 'import' ? last : null;
}

/** What voicenum made for an import and must remove at its release; a trunk other numbers use stays. */
async function planTeardown(ports: LifecyclePorts, importOp: LifecycleOpRow, trunking: TrunkingCapability | null, warnings: string[]): Promise<TeardownAction[]> {
  const made = ports.store.lifecycleSteps(importOp.id);
  const actions: TeardownAction[] = [];
  for (const kind of ['trunk-phone-number', 'trunk-credential-list', 'credential', 'credential-list']) {
    const step = doneStep(made, kind);
    if (step) actions.push({ action: 'remove', resource: resourceOf(step) });
  }
  const trunkStep = doneStep(made, 'trunk') ?? doneStep(made, 'reuse-trunk');
  if (trunkStep && trunking) {
    const trunk = resourceOf(trunkStep);
    const listed = (await trunking.listTrunks(TRUNK_PREFIX)).find((t) => t.sid === trunk.sid);
    const others = listed?.phoneNumberSids.filter((sid) => sid !== importOp.carrierId) ?? [];
    if (listed && others.length === 0) {
      // The trunk's origination URL was made by whichever import made the trunk.
      for (const op of ports.store.doneImports()) {
        const opSteps = ports.store.lifecycleSteps(op.id);
        const opTrunk = doneStep(opSteps, 'trunk');
        const url = doneStep(opSteps, 'origination-url');
        if (opTrunk && url && resourceOf(opTrunk).sid === trunk.sid) actions.push({ action: 'remove', resource: resourceOf(url) });
      }
      actions.push({ action: 'remove', resource: trunk });
    } else if (listed) {
      warnings.push(`trunk ${trunk.sid} (${listed.domainName}) stays: ${others.join(', ')} still use${others.length === 1 ? 's' : ''} it`);
    }
  }
  const saved = doneStep(made, 'save-routing');
  if (saved) actions.push({ action: 'restore-routing', routing: saved.routing as unknown as VoiceRouting });
  return actions;
}

/**
 * Release a number from a platform. A number voicenum imported is removed from the platform, then
 * what the import made is torn down and the number's earlier routing put back; any other number is
 * only released on the platform asked. The platform's release cannot be undone, so a teardown step
 * that fails leaves the number corrupted with the exact manual steps.
 */
export async function releaseNumber(ports: LifecyclePorts, request: ReleaseRequest): Promise<LifecycleOutcome> {
  const capabilities = ports.capabilities.of(request.provider);
  if (releaseIsIrreversible(ports, request.provider) && !request.irreversibleConfirmed) {
    throw new RefusedError([`releasing ${request.e164} from ${capabilities.displayName} gives it back to the carrier and cannot be undone; it needs the number confirmed`]);
  }
  refuseOpenOp(ports, request.e164, request.provider);
  lifecycleOf(await ports.adapter(request.provider), 'release', capabilities.displayName);
  const importOp = importOf(ports, request.e164, request.provider);
  const { carrier, trunking } = importOp ? await trunkingOf(ports, importOp.detail.via === 'sip-trunk') : { carrier: null, trunking: null };
  const warnings: string[] = [];
  const teardown = importOp ? await planTeardown(ports, importOp, trunking, warnings) : [];
  const platformId = request.providerId ?? (importOp?.detail.platformId as string | undefined) ?? request.e164;
  const plan: ReleasePlan = { importOp: importOp?.id ?? null, platformId, teardown };
  const op = { id: randomUUID(), e164: request.e164, provider: request.provider, carrier: importOp ? carrier : null, carrierId: importOp?.carrierId ?? null };
  return ports.store.withNumberLock(request.provider, request.e164, request.e164, async () => {
    refuseOpenOp(ports, request.e164, request.provider);
    ports.store.beginLifecycleOp({ ...op, kind: 'release', detail: { ...plan }, at: nowText(ports) });
    const ctx = contextOf(ports, op, platformId, trunking);
    ctx.warnings.push(...warnings);
    return driveRelease(ctx, plan);
  });
}

const teardownKind = (action: TeardownAction) => (action.action === 'remove' ? `remove:${action.resource.kind}` : 'restore-routing');

async function driveRelease(ctx: OpContext, plan: ReleasePlan): Promise<LifecycleOutcome> {
  const outcome = (): LifecycleOutcome => ({ opId: ctx.opId, state: 'done', number: null, reusedTrunk: null, imported: plan.importOp !== null, warnings: ctx.warnings });
  if (!doneStep(steps(ctx), 'platform-release')) {
    const lifecycle = (await ctx.ports.adapter(ctx.platform)).lifecycle!;
    const key = { providerId: plan.platformId, e164: ctx.e164 };
    try {
      await runStep(ctx, 'platform-release', stored({ kind: 'platform-number', provider: ctx.platform, sid: plan.platformId, e164: ctx.e164 }), () => lifecycle.release!(key), () => ({}));
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      const message = `release of ${ctx.e164} from ${ctx.platform} failed: ${error instanceof StepFailed ? error.failure.message : error.message}; nothing was changed`;
      ctx.ports.store.finishLifecycleOp(ctx.opId, 'rolled-back', message, nowText(ctx.ports), auditLine(ctx, 'platform', 'release', null, null, 'failed', message));
      throw new LifecycleFailure(message, error.exitCode, ctx.opId, 'rolled-back', [], error.hint);
    }
  }
  const finished = (action: TeardownAction) =>
    steps(ctx).some((s) => s.kind === teardownKind(action) && s.outcome === 'done' && (action.action === 'restore-routing' || s.resource?.sid === action.resource.sid));
  for (const [index, action] of plan.teardown.entries()) {
    if (finished(action)) continue;
    try {
      if (action.action === 'remove') {
        await runStep(ctx, teardownKind(action), stored(action.resource), () => undoResource(ctx, action.resource), () => ({}));
      } else {
        if (!ctx.trunking || !ctx.carrierId) throw new VoicenumError('no carrier to restore the voice routing on', ExitCode.Provider);
        const [trunking, pn] = [ctx.trunking, ctx.carrierId];
        await runStep(ctx, 'restore-routing', null, () => trunking.restoreVoiceRouting(pn, action.routing), () => ({ routing: action.routing }));
      }
    } catch (error) {
      if (!(error instanceof VoicenumError)) throw error;
      const manual = plan.teardown.slice(index).map((left) => (left.action === 'remove' ? manualRemoval(ctx, left.resource) : manualRestore(ctx, left.routing)));
      const message = `${ctx.e164} was released from ${ctx.platform}, but removing what voicenum made for it failed (${error.message}), so it is corrupted. Finish by hand:\n  - ${manual.join('\n  - ')}`;
      ctx.ports.store.updateLifecycleDetail(ctx.opId, { manualSteps: manual });
      ctx.ports.store.finishLifecycleOp(ctx.opId, 'corrupted', message, nowText(ctx.ports), auditLine(ctx, 'platform', 'release', null, null, 'needs-attention', message));
      throw new LifecycleFailure(message, error.exitCode, ctx.opId, 'corrupted', manual, `after the manual steps, \`voicenum numbers repair ${ctx.e164}\` tries the rest again`);
    }
  }
  ctx.ports.store.finishLifecycleOp(ctx.opId, 'done', null, nowText(ctx.ports), auditLine(ctx, 'platform', 'release', `${ctx.platform} ${plan.platformId}`, null, 'applied', ctx.warnings.join('; ') || null));
  return outcome();
}

/** A crashed release: the platform's release is read back; the teardown steps are safe to run again. */
async function settlePendingRelease(ctx: OpContext): Promise<void> {
  for (const step of steps(ctx).filter((s) => s.outcome === 'pending')) {
    const gone = step.kind === 'platform-release' && (await findOnPlatform(ctx)) === null;
    ctx.ports.store.settleLifecycleStep(ctx.opId, step.seq, gone ? { outcome: 'done', error: 'found released after the run that made it stopped' } : { outcome: 'failed', error: 'the run stopped during this step; taken as not done' }, nowText(ctx.ports));
  }
}

// --- buy -----------------------------------------------------------------------------------------

/** Numbers on offer where the platform lets one choose (the caller picks), or null where it does not. */
export async function searchAvailable(ports: LifecyclePorts, provider: ProviderName, purchase: PurchaseRequest): Promise<AvailableNumber[] | null> {
  const adapter = await ports.adapter(provider);
  return adapter.lifecycle?.searchAvailable ? adapter.lifecycle.searchAvailable(purchase) : null;
}

/** Buy one number (the exact one given, or any in the area code or country): one journalled call. */
export async function buyNumber(ports: LifecyclePorts, request: BuyRequest): Promise<LifecycleOutcome> {
  const capabilities = ports.capabilities.of(request.provider);
  if (!capabilities.lifecycle.buy) throw new RefusedError([`${capabilities.displayName} does not sell numbers`]);
  lifecycleOf(await ports.adapter(request.provider), 'buy', capabilities.displayName);
  const e164 = request.purchase.e164 ?? '';
  const op = { id: randomUUID(), e164, provider: request.provider, carrier: null, carrierId: null };
  return ports.store.withNumberLock(request.provider, e164 || op.id, e164 || op.id, async () => {
    if (e164) refuseOpenOp(ports, e164, request.provider);
    ports.store.beginLifecycleOp({ ...op, kind: 'buy', detail: { purchase: request.purchase }, at: nowText(ports) });
    return driveBuy(contextOf(ports, op, null, null), request.purchase);
  });
}

async function driveBuy(ctx: OpContext, purchase: PurchaseRequest): Promise<LifecycleOutcome> {
  try {
    const bought = doneStep(steps(ctx), 'platform-buy');
    const lifecycle = (await ctx.ports.adapter(ctx.platform)).lifecycle!;
    const number = bought ? await importedRecord(ctx, bought) : await runStep(ctx, 'platform-buy', null, () => lifecycle.buy!(purchase), (answer) => ({ resource: platformResource(answer) }));
    ctx.platformId = number.providerId;
    ctx.ports.store.updateLifecycleDetail(ctx.opId, { platformId: number.providerId, e164: number.e164 });
    ctx.ports.store.finishLifecycleOp(ctx.opId, 'done', null, nowText(ctx.ports), auditLine({ ...ctx, e164: number.e164 }, 'platform', 'buy', null, `${ctx.platform} ${number.providerId}`, 'applied', null));
    return { opId: ctx.opId, state: 'done', number, reusedTrunk: null, imported: false, warnings: ctx.warnings };
  } catch (error) {
    if (!(error instanceof VoicenumError)) throw error;
    await rollBack(ctx, 'buy', error);
    throw error;
  }
}

// --- after a crash ---------------------------------------------------------------------------------

/**
 * Finish (`resume`) or undo (`repair`) an operation a stopped process left running, or retry the
 * undo of a corrupted one (`repair`). Pending steps are first settled by reading upstream where the
 * ports allow (see settlePendingImport). A resumed import needs the Twilio source again (its secrets
 * are never stored) and makes a new credential if the platform import had not happened. A release
 * cannot be undone: once the platform let go of the number, both modes finish its teardown; before
 * that, repair ends it with nothing changed. A repaired purchase releases the number bought.
 */
export async function resumeOrRepair(ports: LifecyclePorts, opId: string, mode: 'resume' | 'repair', options: { source?: CarrierSource } = {}): Promise<LifecycleOutcome> {
  const op = ports.store.lifecycleOp(opId);
  if (!op) throw new UsageError(`no lifecycle operation ${opId}`);
  if (op.state === 'done' || op.state === 'rolled-back') throw new RefusedError([`the ${op.kind} of ${op.e164 || 'a number'} (${op.provider}) already ended ${op.state}`]);
  if (op.state === 'corrupted' && mode === 'resume') throw new RefusedError([`the ${op.kind} of ${op.e164} (${op.provider}) is corrupted: it can only be repaired`]);
  if (op.state === 'running' && !op.ownerGone && !op.ownedHere) throw new ConflictError(`another voicenum process is still running the ${op.kind} of ${op.e164}`, 'wait for it to finish');
  const plan = op.detail as unknown as ImportPlan & ReleasePlan & { purchase?: PurchaseRequest };
  if (op.kind === 'import' && mode === 'resume' && !options.source) throw new UsageError('resuming an import needs the carrier account again (its secrets are not stored)');
  const needsTrunk = op.kind === 'import' ? plan.via === 'sip-trunk' : op.kind === 'release' && plan.importOp !== null;
  const { trunking } = op.carrier !== null || needsTrunk ? await trunkingOf(ports, needsTrunk) : { trunking: null };
  const key = op.e164 || op.id;
  return ports.store.withNumberLock(op.provider, key, key, async () => {
    ports.store.adoptLifecycleOp(op.id);
    const ctx = contextOf(ports, op, (plan.platformId as string | undefined) ?? null, trunking);
    const repaired = (): LifecycleOutcome => ({ opId: op.id, state: 'rolled-back', number: null, reusedTrunk: null, imported: op.kind === 'import', warnings: ctx.warnings });
    if (op.kind === 'import') {
      await settlePendingImport(ctx, plan);
      if (mode === 'resume') return driveImport(ctx, plan, options.source!);
      await rollBack(ctx, 'import', null);
      return repaired();
    }
    if (op.kind === 'release') {
      await settlePendingRelease(ctx);
      if (mode === 'repair' && !doneStep(steps(ctx), 'platform-release')) {
        ports.store.finishLifecycleOp(op.id, 'rolled-back', 'repaired: the platform still held the number; nothing was changed', nowText(ports), auditLine(ctx, 'platform', 'release', null, null, 'rolled-back', 'repaired before the platform released it; nothing changed'));
        return repaired();
      }
      return driveRelease(ctx, plan);
    }
    for (const step of steps(ctx).filter((s) => s.outcome === 'pending')) {
      const remote = op.e164 ? await findOnPlatform(ctx) : null;
      if (!op.e164) ctx.warnings.push(`the purchase at ${op.provider} may have gone through before voicenum stopped; look for a number bought at ${step.startedAt}`);
      ports.store.settleLifecycleStep(op.id, step.seq, remote ? { outcome: 'done', resource: stored(platformResource(remote)) } : { outcome: 'failed', error: 'the run stopped during this step; taken as not done' }, nowText(ports));
    }
    if (mode === 'resume') return driveBuy(ctx, plan.purchase ?? {});
    await rollBack(ctx, 'buy', null);
    return repaired();
  });
}
