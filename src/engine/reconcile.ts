import { ConflictError, VoicenumError } from '../domain/errors.js';
import { fieldValue, sameFieldValue } from '../domain/field-values.js';
import type { ProviderName, RemoteNumber } from '../domain/model.js';
import { regionsOf, type ProviderAdapter } from '../providers/types.js';
import type { AuditRow, Store } from '../store/index.js';

export interface ReconcilePorts {
  store: Store;
  adapter(provider: ProviderName): Promise<ProviderAdapter>;
  now(): Date;
}

/** What one journalled write turned out to be, once read upstream. */
export interface Reconciled {
  e164: string;
  provider: ProviderName;
  fields: string[];
  /** `applied`: upstream holds the intended values. `not-applied`: it holds the old ones. `conflict`: neither. */
  outcome: 'applied' | 'not-applied' | 'conflict';
  /** For a conflict: what upstream holds, field by field. */
  upstream: string;
}

export interface ReconcileReport {
  reconciled: Reconciled[];
  /** Open entries that could not be checked now (no answer upstream, no credentials): tried again next time. */
  unchecked: { e164: string; provider: ProviderName; reason: string }[];
}

/**
 * Settle the journal entries an earlier run left open (`pending`: it died between committing the
 * intent and recording the answer; `uncertain`: the answer was lost). Each write is read upstream
 * again: upstream holding the intended values means it landed (recorded `applied`, cache updated),
 * the old values mean it never did (recorded `failed`), anything else is a conflict the operator is
 * shown. A write whose number another live voicenum holds is its own business and is skipped.
 */
/** The write a journal row belongs to (a row without an intent stands alone). */
const intentOf = (row: AuditRow) => row.intent ?? `row:${row.id}`;

export async function reconcileJournal(ports: ReconcilePorts): Promise<ReconcileReport> {
  const report: ReconcileReport = { reconciled: [], unchecked: [] };
  const groups = new Map<string, AuditRow[]>();
  for (const row of ports.store.openIntents()) {
    groups.set(intentOf(row), [...(groups.get(intentOf(row)) ?? []), row]);
  }
  for (const [intent, rows] of groups) {
    const first = rows[0]!;
    try {
      await ports.store.withNumberLock(first.provider, first.providerId, first.e164, () => settle(ports, intent, report), { timeoutMs: 0 });
    } catch (error) {
      if (error instanceof ConflictError) continue; // a live run holds the number: it records its own write
      if (!(error instanceof VoicenumError)) throw error;
      report.unchecked.push({ e164: first.e164, provider: first.provider, reason: error.message });
    }
  }
  return report;
}

async function settle(ports: ReconcilePorts, intent: string, report: ReconcileReport): Promise<void> {
  // Read again under the lock: the run that wrote it may have settled it meanwhile.
  const rows = ports.store.openIntents().filter((row) => intentOf(row) === intent);
  if (rows.length === 0) return;
  const { provider, providerId, e164 } = rows[0]!;
  const adapter = await ports.adapter(provider);
  const regionOnly = rows.every((row) => row.field === 'region');
  let remote: RemoteNumber | null = null;
  let region: string | null = null;
  if (regionOnly) {
    region = await regionsOf(adapter).read(e164);
  } else {
    remote = await adapter.readNumber({ providerId, e164 });
  }
  const upstreamOf = (field: string) => (field === 'region' && remote === null ? region : fieldValue(remote!, field));
  const parse = (text: string): unknown => JSON.parse(text);
  const outcome = rows.every((row) => sameFieldValue(row.field, upstreamOf(row.field), parse(row.after)))
    ? 'applied'
    : rows.every((row) => sameFieldValue(row.field, upstreamOf(row.field), parse(row.before)))
      ? 'not-applied'
      : 'conflict';
  const upstream = rows.map((row) => `${row.field} is ${JSON.stringify(upstreamOf(row.field))}`).join('; ');
  const at = ports.now().toISOString();
  const note = {
    applied: `recorded later: the run that made this change stopped before recording it; upstream holds it`,
    'not-applied': `never reached ${provider}: the run that started it stopped first; nothing changed upstream`,
    conflict: `the run that made this change stopped before recording it, and upstream holds neither the old nor the asked value (${upstream})`,
  }[outcome];
  const entries = rows.map((row) => ({
    ...row,
    at,
    outcome: outcome === 'applied' ? ('applied' as const) : outcome === 'not-applied' ? ('failed' as const) : ('conflict' as const),
    error: note,
    after: outcome === 'conflict' ? JSON.stringify(upstreamOf(row.field)) : row.after,
  }));
  if (remote) ports.store.applyRemoteNumber(remote, at, entries, 'keep');
  else ports.store.applyRegion(provider, providerId, region, at, entries);
  report.reconciled.push({ e164, provider, fields: rows.map((row) => row.field), outcome, upstream });
}
