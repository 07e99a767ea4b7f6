import { ExitCode, RefusedError, VoicenumError } from '../domain/errors.js';
import type { ProviderName, RemoteNumber } from '../domain/model.js';
import { toE164 } from '../domain/phone.js';
import { recordHint, recordRefusals } from '../domain/rules.js';
import { fallbackRefusals, labelRefusals, regionRefusals } from '../domain/settings-rules.js';
import type { ProviderCapabilities } from '../domain/capabilities.js';
import { capabilitiesOf, REGION_PROVIDER } from '../providers/registry.js';
import { regionsOf } from '../providers/types.js';
import type { NumberRow, Store } from '../store/index.js';
import type { RunPorts } from './ports.js';
import { push, type PushOperation } from './push.js';

/**
 * Label, fallback and region: what the change is (checked against the provider's limits before any
 * call), and how it reaches upstream — through the same push as slot changes (freshness read,
 * journal, write, verification, cache and audit log in one transaction).
 */

export type SettingValue = string | null;

/** How a setting reads in plans, conflicts and the audit trail: an empty one is `(none)`. */
export const describeSetting = (value: SettingValue): string => (value === null || value === '' ? '(none)' : value);

export interface SettingChange {
  row: NumberRow;
  /** The record written: the number's own, or (region) its carrier record, the one with regions. */
  provider: ProviderName;
  providerId: string;
  field: 'label' | 'fallback' | 'region';
  before: SettingValue;
  after: SettingValue;
}

/** What a setting push reads and writes: the value, and the whole record when the adapter writes from it. */
interface SettingState {
  value: SettingValue;
  record?: RemoteNumber;
}

type SettingOperation = PushOperation<SettingValue, SettingState>;

/** A new label (Retell nickname, Vapi name, Bland label, Twilio friendly_name); empty text clears it. */
export function labelChange(row: NumberRow, text: string, force: boolean): SettingChange {
  const label = text === '' ? null : text;
  const refusals = [...recordRefusals(row, force), ...labelRefusals(capabilitiesOf(row.provider), label)];
  if (refusals.length) throw new RefusedError(refusals, recordHint(row, force));
  return { row, provider: row.provider, providerId: row.providerId, field: 'label', before: row.label, after: label };
}

/** A new fallback: a number (read in the profile's default country) or a URL; `none` clears it. */
export function fallbackChange(store: Store, row: NumberRow, target: string, defaultCountry: string, force: boolean): SettingChange {
  let value: SettingValue = null;
  if (target.toLowerCase() !== 'none') {
    // A URL is taken as typed; anything else is read as a phone number where it can be.
    if (capabilitiesOf(row.provider).fallback.kind === 'url') value = target;
    else {
      try {
        value = toE164(target, defaultCountry);
      } catch {
        value = target;
      }
    }
  }
  const targetRecord = value ? (store.findNumbers(value).find((r) => r.provider === row.provider && !r.removed) ?? null) : null;
  const refusals = [...recordRefusals(row, force), ...fallbackRefusals(capabilitiesOf(row.provider), row.e164, value, targetRecord)];
  if (refusals.length) throw new RefusedError(refusals, recordHint(row, force));
  return { row, provider: row.provider, providerId: row.providerId, field: 'fallback', before: row.fallback, after: value };
}

/** The provider whose numbers have an inbound processing region (the carrier's), or a refusal. */
export function regionalProvider(): ProviderCapabilities {
  if (!REGION_PROVIDER) throw new RefusedError(['no configured provider has inbound processing regions']);
  return REGION_PROVIDER;
}

/** The record that carries a number's region: its own, or the carrier record of an imported number. */
export function regionRecord(row: NumberRow): { provider: ProviderName; providerId: string; region: string | null } {
  if (capabilitiesOf(row.provider).regions) return { provider: row.provider, providerId: row.providerId, region: row.region };
  if (row.carrier && capabilitiesOf(row.carrier.provider).regions) return { provider: row.carrier.provider, providerId: row.carrier.providerId, region: row.carrier.region };
  const name = regionalProvider().displayName;
  throw new RefusedError([`the inbound processing region is a ${name} setting, and ${row.e164} has no ${name} record (it lives at ${row.provider} only)`], `region works for numbers bought in, or imported from, a configured ${name} account`);
}

/** A new inbound processing region (already lower-cased), written on the record that carries it. */
export function regionChange(row: NumberRow, wanted: string, force: boolean): SettingChange {
  const invalid = regionRefusals(regionalProvider(), wanted);
  if (invalid.length) throw new RefusedError(invalid);
  const record = regionRecord(row);
  const refusals = recordRefusals(row, force);
  if (refusals.length) throw new RefusedError(refusals, recordHint(row, force));
  return { row, provider: record.provider, providerId: record.providerId, field: 'region', before: record.region, after: wanted };
}

/** How to read, write and record the change at its provider. */
export async function settingOperation(ports: RunPorts, change: SettingChange): Promise<SettingOperation> {
  const { row } = change;
  const common = {
    provider: change.provider,
    e164: row.e164,
    providerId: change.providerId,
    changes: [{ field: change.field, before: change.before, after: change.after }],
    describe: describeSetting,
    log: (entries: Parameters<SettingOperation['log']>[0]) => ports.store.appendAudit(entries),
    auditValue: (value: SettingValue) => value,
  };
  if (change.field === 'region') {
    const regions = regionsOf(await ports.adapter(change.provider));
    const wanted = change.after!;
    return {
      ...common,
      read: async () => ({ value: await regions.read(row.e164) }),
      valueOf: (state) => state.value,
      same: (a, b) => a === b,
      write: async () => ({ value: await regions.set(row.e164, wanted) }),
      save: (answer, entries) => ports.store.applyRegion(change.provider, change.providerId, answer.value, ports.now().toISOString(), entries),
    };
  }
  const adapter = await ports.adapter(row.provider);
  const field = change.field;
  const key = { providerId: row.providerId, e164: row.e164 };
  const wrap = (record: RemoteNumber): SettingState => ({ value: field === 'label' ? record.label : record.fallback, record });
  return {
    ...common,
    read: async () => wrap(await adapter.readNumber(key)),
    valueOf: (state) => (state.value === '' ? null : state.value),
    same: (a, b) => (a ?? null) === (b ?? null),
    write: async (fresh) => wrap(await adapter.writeSettings(key, { [field]: change.after }, fresh.record!)),
    save: (answer, entries) => ports.store.applyRemoteNumber(answer.record!, ports.now().toISOString(), entries),
  };
}

/**
 * Rule 8 ahead of time, for a dry run: the value upstream when it is no longer what the cache says
 * (a dashboard change), undefined when they agree.
 */
export async function readSettingConflict(ports: RunPorts, change: SettingChange): Promise<SettingValue | undefined> {
  const op = await settingOperation(ports, change);
  const fresh = op.valueOf(await op.read(), change.field);
  return op.same(fresh, change.before) ? undefined : fresh;
}

/**
 * Push the change and return what the field held upstream right before the write. `writePhase`
 * wraps the push itself (the cli's Ctrl-C handling: a write in flight finishes and is recorded).
 */
export async function pushSetting(ports: RunPorts, change: SettingChange, options: { force: boolean; writePhase: <T>(work: () => Promise<T>) => Promise<T> }): Promise<{ before: SettingValue }> {
  const op = await settingOperation(ports, change);
  const result = await options.writePhase(() => push(op, ports, { force: options.force }));
  if (!result.ok) throw new VoicenumError(result.message, result.exitCode, result.hint);
  if (result.unrecorded) throw new VoicenumError(result.unrecorded.message, ExitCode.LocalState, result.unrecorded.hint);
  return { before: result.actualBefore.get(change.field) ?? change.before };
}
