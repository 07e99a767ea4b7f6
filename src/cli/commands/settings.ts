import { ExitCode, RefusedError, VoicenumError } from '../../domain/errors.js';
import type { ProviderName, RemoteNumber } from '../../domain/model.js';
import { toE164 } from '../../domain/phone.js';
import { recordRefusals } from '../../domain/rules.js';
import { fallbackRefusals, labelRefusals, regionRefusals } from '../../domain/settings-rules.js';
import { push, type PushOperation } from '../../engine/push.js';
import { jsonRequested } from '../../output/printer.js';
import { neutralize } from '../../output/sanitize.js';
import { capabilitiesOf, REGION_PROVIDER } from '../../providers/registry.js';
import { regionsOf } from '../../providers/types.js';
import type { NumberRow, Store } from '../../store/index.js';
import { applyPorts } from '../apply-ports.js';
import type { Context } from '../context.js';
import { parseProviders } from '../options.js';
import { resolveNumber } from '../resolve-number.js';

export interface SettingFlags {
  provider?: string[];
  dryRun?: boolean;
  force?: boolean;
  json?: boolean | string;
}

type Value = string | null;

const show = (value: Value) => (value === null || value === '' ? '(none)' : value);

interface SettingChange {
  row: NumberRow;
  /** The record written: the number's own, or (region) its carrier's (Twilio) record. */
  provider: ProviderName;
  providerId: string;
  field: 'label' | 'fallback' | 'region';
  before: Value;
  after: Value;
}

/** Print a plan, or push the change through the shared path and print the outcome. */
async function runSetting(ctx: Context, store: Store, change: SettingChange, flags: SettingFlags, operation: (ports: ReturnType<typeof applyPorts>) => Promise<PushOperation<Value, { value: Value; record?: RemoteNumber }>>): Promise<number> {
  const { printer } = ctx;
  const json = jsonRequested(flags.json);
  const summary = { e164: change.row.e164, provider: change.provider, id: change.providerId, field: change.field, before: change.before, after: change.after };
  if (change.before === change.after) {
    if (json) printer.json({ ...summary, outcome: 'unchanged' });
    else printer.info(`${change.row.e164}: ${change.field} is already ${neutralize(show(change.after))}; nothing to push`);
    return 0;
  }
  if (flags.dryRun) {
    // Rule 8 ahead of time, as for assignments: a dashboard change shows before the real run.
    let upstream: Value | undefined;
    if (!ctx.options.offline) {
      const op = await operation(applyPorts(ctx, store));
      const fresh = op.valueOf(await op.read(), change.field);
      if (!op.same(fresh, change.before)) upstream = fresh;
    }
    const conflict = upstream === undefined ? null : `${change.field} of ${change.row.e164} is ${neutralize(show(upstream))} upstream but ${neutralize(show(change.before))} in the cache`;
    if (json) printer.json({ ...summary, outcome: 'planned', conflict: upstream === undefined ? null : { upstream, cached: change.before } });
    else printer.data(`${change.row.e164}  ${change.provider}\n  ${change.field.padEnd(9)}${neutralize(show(change.before))} → ${neutralize(show(change.after))}\n${conflict ? `  ${printer.out.fail('conflict:')} ${conflict}\n` : ''}`);
    return conflict && !flags.force ? ExitCode.Conflict : ExitCode.Ok;
  }
  const ports = applyPorts(ctx, store);
  const op = await operation(ports);
  const result = await ctx.interrupt.writePhase(() => push(op, ports, { force: Boolean(flags.force) }));
  if (!result.ok) throw new VoicenumError(result.message, result.exitCode, result.hint);
  if (result.unrecorded) throw new VoicenumError(result.unrecorded.message, ExitCode.LocalState, result.unrecorded.hint);
  const before = result.actualBefore.get(change.field) ?? change.before;
  if (json) printer.json({ ...summary, before, outcome: 'applied' });
  else if (ctx.io.isStdoutTTY) printer.data(`${printer.out.success('✓')} ${change.row.e164}  ${change.field}: ${neutralize(show(before))} → ${neutralize(show(change.after))}\n`);
  else printer.data(`${[change.row.e164, change.provider, 'applied', neutralize(`${change.field}: ${show(before)} -> ${show(change.after)}`)].join('\t')}\n`);
  return 0;
}

function recordOperation(ctx: Context, ports: ReturnType<typeof applyPorts>, row: NumberRow, field: 'label' | 'fallback', change: SettingChange): Promise<PushOperation<Value, { value: Value; record?: RemoteNumber }>> {
  return ports.adapter(row.provider).then((adapter) => {
    const key = { providerId: row.providerId, e164: row.e164 };
    const wrap = (record: RemoteNumber) => ({ value: field === 'label' ? record.label : record.fallback, record });
    return {
      provider: row.provider,
      e164: row.e164,
      providerId: row.providerId,
      changes: [{ field, before: change.before, after: change.after }],
      read: async () => wrap(await adapter.readNumber(key)),
      valueOf: (state) => (state.value === '' ? null : state.value),
      same: (a, b) => (a ?? null) === (b ?? null),
      describe: (value) => show(value),
      write: async (fresh) => wrap(await adapter.writeSettings(key, { [field]: change.after }, fresh.record!)),
      save: (answer, entries) => ports.store.applyRemoteNumber(answer.record!, ctx.now().toISOString(), entries),
      log: (entries) => ports.store.appendAudit(entries),
      auditValue: (value) => value,
    };
  });
}

/** `numbers label NUMBER TEXT`: Retell nickname, Vapi name, Bland label, Twilio friendly_name. */
export async function runLabel(ctx: Context, input: string, text: string, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  const label = text === '' ? null : text;
  const refusals = [...recordRefusals(row, Boolean(flags.force)), ...labelRefusals(capabilitiesOf(row.provider), label)];
  if (refusals.length) throw new RefusedError(refusals);
  const change: SettingChange = { row, provider: row.provider, providerId: row.providerId, field: 'label', before: row.label, after: label };
  return runSetting(ctx, store, change, flags, (ports) => recordOperation(ctx, ports, row, 'label', change));
}

/** `numbers fallback NUMBER (E164 | URL | none)`: where calls go when the agent cannot take them. */
export async function runFallback(ctx: Context, input: string, target: string, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  let value: Value = null;
  if (target.toLowerCase() !== 'none') {
    // A URL is taken as typed; anything else is read as a phone number where it can be.
    if (capabilitiesOf(row.provider).fallback.kind === 'url') value = target;
    else {
      try {
        value = toE164(target, ctx.settings().defaultCountry);
      } catch {
        value = target;
      }
    }
  }
  const targetRecord = value ? (store.findNumbers(value).find((r) => r.provider === row.provider && !r.removed) ?? null) : null;
  const refusals = [...recordRefusals(row, Boolean(flags.force)), ...fallbackRefusals(capabilitiesOf(row.provider), row.e164, value, targetRecord)];
  if (refusals.length) throw new RefusedError(refusals);
  const change: SettingChange = { row, provider: row.provider, providerId: row.providerId, field: 'fallback', before: row.fallback, after: value };
  return runSetting(ctx, store, change, flags, (ports) => recordOperation(ctx, ports, row, 'fallback', change));
}

/** The record that carries a number's region (Twilio's): its own, or the carrier record of an imported number. */
function regionRecord(row: NumberRow): { provider: ProviderName; providerId: string; region: string | null } | null {
  if (capabilitiesOf(row.provider).regions) return { provider: row.provider, providerId: row.providerId, region: row.region };
  return row.carrier && capabilitiesOf(row.carrier.provider).regions ? { provider: row.carrier.provider, providerId: row.carrier.providerId, region: row.carrier.region } : null;
}

/** `numbers region NUMBER [REGION]`: show or set the Twilio inbound processing region (Routes v2). */
export async function runRegion(ctx: Context, input: string, region: string | undefined, flags: SettingFlags): Promise<number> {
  const store = await ctx.store();
  const { row } = resolveNumber(ctx, store, input, parseProviders(flags.provider)?.[0]);
  const json = jsonRequested(flags.json);
  const wanted = region?.toLowerCase();
  const regional = REGION_PROVIDER;
  if (!regional) throw new RefusedError(['no configured provider has inbound processing regions']);
  const regions = regional.regions ?? [];
  if (wanted !== undefined) {
    const invalid = regionRefusals(regional, wanted);
    if (invalid.length) throw new RefusedError(invalid);
  }
  const record = regionRecord(row);
  if (!record) {
    const name = regional.displayName;
    throw new RefusedError([`the inbound processing region is a ${name} setting, and ${row.e164} has no ${name} record (it lives at ${row.provider} only)`], `region works for numbers bought in, or imported from, a configured ${name} account`);
  }
  if (wanted === undefined) {
    if (json) ctx.printer.json({ e164: row.e164, provider: record.provider, id: record.providerId, region: record.region, valid: regions });
    else if (ctx.io.isStdoutTTY) ctx.printer.data(`${row.e164}  region ${record.region ?? 'unknown'}  ${ctx.printer.out.dim(`(valid: ${regions.join(', ')})`)}\n`);
    else ctx.printer.data(`${row.e164}\t${record.region ?? ''}\t${regions.join(',')}\n`);
    return 0;
  }
  const refusals = recordRefusals(row, Boolean(flags.force));
  if (refusals.length) throw new RefusedError(refusals);
  const change: SettingChange = { row, provider: record.provider, providerId: record.providerId, field: 'region', before: record.region, after: wanted };
  const code = await runSetting(ctx, store, change, flags, async (ports) => {
    const regionsAt = regionsOf(await ports.adapter(record.provider));
    return {
      provider: record.provider,
      e164: row.e164,
      providerId: record.providerId,
      changes: [{ field: 'region', before: record.region, after: wanted }],
      read: async () => ({ value: await regionsAt.read(row.e164) }),
      valueOf: (state) => state.value,
      same: (a, b) => a === b,
      describe: (value) => show(value),
      write: async () => ({ value: await regionsAt.set(row.e164, wanted) }),
      save: (answer, entries) => ports.store.applyRegion(record.provider, record.providerId, answer.value, ctx.now().toISOString(), entries),
      log: (entries) => ports.store.appendAudit(entries),
      auditValue: (value) => value,
    };
  });
  if (!flags.dryRun && record.region !== wanted) {
    ctx.printer.info(`note: ${regional.displayName} takes a few minutes to move ${row.e164} to ${wanted}; its voice configuration (URL, TwiML app or trunk) must already exist in ${wanted}, which keeps its own copy`);
  }
  return code;
}
