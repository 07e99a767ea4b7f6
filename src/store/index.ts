import type Database from 'better-sqlite3';
import type { ProviderName, ProviderSnapshot } from '../domain/model.js';
import { openDatabase } from './db.js';
import { countRemoved, findNumbers, heldValues, knownAgents, listAgents, listNumbers, iterateViews, listViewFields, listViews, numbersHoldingAgent, syncStates, type AgentRow, type NumberFilter, type NumberRow, type SyncStateRow } from './queries.js';
import { replaceProvider, type ReplaceOptions, type SyncCounts } from './sync-writer.js';
import { applyRegion, applyRemoteNumber, appendAudit, beginIntent, currentWriteSeq, markNeedsAttention, openIntents, readAudit, type AuditEntry, type AuditRow } from './number-writer.js';
import type { RemoteNumber } from '../domain/model.js';
import type { KnownAgent } from '../domain/rules.js';
import { clearDeadLocks, releaseLeftoverLocks, withNumberLock } from './number-locks.js';
import * as lifecycle from './lifecycle-journal.js';
import { knownRecords, type KnownRecord } from './known-state.js';
import { auditById, auditOfBatch, batchesMatching, lastChangingBatch } from './audit-reads.js';
import { FleetReads } from './fleet-reads.js';

export type { AgentRow, NumberFilter, NumberRow, SyncStateRow, CachedSlotAgent, CarrierFacts, SortField } from './queries.js';
export { SORT_FIELDS, PROVIDER_SLOTS } from './queries.js';
export type { SyncCounts } from './sync-writer.js';
export type { FleetAgent, FleetAgentRef, FleetReads, FleetRecord, ImportRouting, NumberRef } from './fleet-reads.js';
export type { AuditEntry, AuditRow } from './number-writer.js';
export type { BeginOp, LifecycleKind, LifecycleOpRow, LifecycleOpState, LifecycleState, LifecycleStepOutcome, LifecycleStepRow } from './lifecycle-journal.js';
export { lifecycleKey } from './lifecycle-journal.js';
export type { KnownRecord } from './known-state.js';
export { LIST_HEADERS, numberRecord, NUMBER_RECORD_FIELDS, recordCells, slotText, statusText, type NumberRecord, type RecordAgent } from './number-record.js';

/** The local cache: what the commands read and what sync and the write path keep current. */
export class Store {
  private constructor(readonly db: Database.Database, readonly file: string) {}

  /** `busyTimeoutMs`: how long a write waits for another voicenum's transaction (10 s by default). */
  static open(file: string, options: { busyTimeoutMs?: number } = {}): Store {
    return new Store(openDatabase(file, options), file);
  }

  replaceProvider(snapshot: ProviderSnapshot, now: Date, options?: ReplaceOptions): SyncCounts {
    return replaceProvider(this.db, snapshot, now, options);
  }

  /** The write sequence now: pass it to replaceProvider as `since` when the upstream read begins. */
  writeSeq(): number {
    return currentWriteSeq(this.db);
  }

  listNumbers(filter?: NumberFilter): NumberRow[] {
    return listNumbers(this.db, filter);
  }

  /** The list records of a list, as stored JSON text (what `numbers list` prints). */
  listViews(filter?: NumberFilter, column: 'view' | 'cells' = 'view'): string[] {
    return listViews(this.db, filter, column);
  }

  /** The stored list records (JSON) or cells (TSV) one by one, in list order. */
  iterateViews(filter?: NumberFilter, column: 'view' | 'cells' = 'view'): IterableIterator<string> {
    return iterateViews(this.db, filter, column);
  }

  /** Fields of each list record by JSON path (`$.label`), one array a record, one by one: for readers of a few fields. */
  listViewFields(filter: NumberFilter, paths: readonly string[]): IterableIterator<unknown[]> {
    return listViewFields(this.db, filter, paths);
  }

  /** Every live record of the provider holding the agent, carrier records included. */
  numbersHoldingAgent(provider: ProviderName, agentId: string): NumberRow[] {
    return numbersHoldingAgent(this.db, provider, agentId);
  }

  findNumbers(e164: string): NumberRow[] {
    return findNumbers(this.db, e164);
  }

  /** The statuses or regions the cached numbers hold. */
  heldValues(column: 'status' | 'region'): string[] {
    return heldValues(this.db, column);
  }

  listAgents(filter?: { providers?: ProviderName[]; includeRemoved?: boolean }): AgentRow[] {
    return listAgents(this.db, filter);
  }

  /** The agents alone, without listAgents' per-slot counts: for readers that only resolve names. */
  knownAgents(filter?: { providers?: ProviderName[]; includeRemoved?: boolean }): KnownAgent[] {
    return knownAgents(this.db, filter);
  }

  syncStates(): SyncStateRow[] {
    return syncStates(this.db);
  }

  /** Write a provider's answer for one number and its audit entries in one transaction. */
  /** `needsAttention`: the flag to set, null to clear it (a write went through), or 'keep'. */
  applyRemoteNumber(remote: RemoteNumber, at: string, entries: readonly AuditEntry[], needsAttention: string | null | 'keep' = null): void {
    applyRemoteNumber(this.db, remote, at, entries, needsAttention);
  }

  applyRegion(provider: ProviderName, providerId: string, region: string | null, at: string, entries: readonly AuditEntry[]): void {
    applyRegion(this.db, provider, providerId, region, at, entries);
  }

  markNeedsAttention(provider: ProviderName, providerId: string, message: string, entries: readonly AuditEntry[], expect: Record<string, unknown> | null = null): void {
    markNeedsAttention(this.db, provider, providerId, message, entries, expect);
  }

  /** The intent journal: commit an upstream write's `pending` entries before it is sent. */
  beginIntent(intent: string, entries: readonly AuditEntry[]): void {
    beginIntent(this.db, intent, entries);
  }

  /** Journal entries left open (pending or uncertain), oldest first. */
  openIntents(): AuditRow[] {
    return openIntents(this.db);
  }

  hasOpenIntents(): boolean {
    return this.db.prepare("SELECT 1 FROM audit_log WHERE outcome IN ('pending', 'uncertain') LIMIT 1").get() !== undefined;
  }

  appendAudit(entries: readonly AuditEntry[]): void {
    appendAudit(this.db, entries);
  }

  readAudit(filter?: { e164?: string; limit?: number }): AuditRow[] {
    return readAudit(this.db, filter);
  }

  /** Each record of a provider as voicenum last knew it (its own values, removed ones included): for `drift`. */
  knownRecords(provider: ProviderName): KnownRecord[] {
    return knownRecords(this.db, provider);
  }

  /** The audit entries `undo` reverts: one change, one batch (by id or prefix), the last batch that changed something. */
  auditById(id: number): AuditRow | null {
    return auditById(this.db, id);
  }

  batchesMatching(prefix: string): string[] {
    return batchesMatching(this.db, prefix);
  }

  auditOfBatch(batch: string): AuditRow[] {
    return auditOfBatch(this.db, batch);
  }

  lastChangingBatch(): string | null {
    return lastChangingBatch(this.db);
  }

  /** Run `work` while holding the number against other voicenum processes. */
  withNumberLock<T>(provider: ProviderName, providerId: string, e164: string, work: () => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
    return withNumberLock(this.db, provider, providerId, e164, work, options);
  }

  /** Remove number locks left by processes that ended (or stopped renewing them); returns how many. */
  clearDeadLocks(): number {
    return clearDeadLocks(this.db);
  }

  // --- the life of a number: operations and their steps (see lifecycle-journal.ts) ---

  beginLifecycleOp(op: lifecycle.BeginOp): void {
    lifecycle.beginLifecycleOp(this.db, op);
  }

  /** Make this process the owner of an operation another (ended) process started. */
  adoptLifecycleOp(opId: string): void {
    lifecycle.adoptLifecycleOp(this.db, opId);
  }

  updateLifecycleDetail(opId: string, detail: Record<string, unknown>): void {
    lifecycle.updateLifecycleDetail(this.db, opId, detail);
  }

  /** Commit a step as pending before its upstream call; returns its sequence number. */
  beginLifecycleStep(opId: string, step: { kind: string; resource?: Record<string, unknown> | null; routing?: Record<string, unknown> | null }, at: string): number {
    return lifecycle.beginLifecycleStep(this.db, opId, step, at);
  }

  settleLifecycleStep(opId: string, seq: number, settled: Parameters<typeof lifecycle.settleLifecycleStep>[3], at: string, entries?: readonly AuditEntry[]): void {
    lifecycle.settleLifecycleStep(this.db, opId, seq, settled, at, entries);
  }

  finishLifecycleOp(opId: string, state: Exclude<lifecycle.LifecycleOpState, 'running'>, error: string | null, at: string, entries?: readonly AuditEntry[]): void {
    lifecycle.finishLifecycleOp(this.db, opId, state, error, at, entries);
  }

  lifecycleOp(opId: string): lifecycle.LifecycleOpRow | null {
    return lifecycle.lifecycleOp(this.db, opId);
  }

  lifecycleSteps(opId: string): lifecycle.LifecycleStepRow[] {
    return lifecycle.lifecycleSteps(this.db, opId);
  }

  /** Operations left running (by a live process, or by one that crashed: `ownerGone`). */
  /** Running operations whose process has ended: what every command warns about. */
  abandonedLifecycleOps(): lifecycle.LifecycleOpRow[] {
    return lifecycle.abandonedLifecycleOps(this.db);
  }

  openLifecycleOps(): lifecycle.LifecycleOpRow[] {
    return lifecycle.openLifecycleOps(this.db);
  }

  lifecycleOpsOf(e164: string, provider?: ProviderName, kind?: lifecycle.LifecycleKind): lifecycle.LifecycleOpRow[] {
    return lifecycle.lifecycleOpsOf(this.db, e164, provider, kind);
  }

  doneImports(): lifecycle.LifecycleOpRow[] {
    return lifecycle.doneImports(this.db);
  }

  /** importing / deleting / buying / corrupted, keyed by lifecycleKey(e164, provider). */
  lifecycleStates(): Map<string, lifecycle.LifecycleState> {
    return lifecycle.lifecycleStates(this.db);
  }

  /** The number records doctor's checks ask for, each read selecting only what can be wrong; `carrier` as in the registry. */
  fleetReads(carrier: ProviderName | null): FleetReads {
    return new FleetReads(this.db, carrier);
  }

  /**
   * The schema version, and the tables the cache should hold but does not (doctor). SQLite's own
   * integrity check reads every page (about half a second for 10,000 numbers), so it is not run here:
   * a damaged file fails its reads with exit 8 and a message naming it.
   */
  health(): { schemaVersion: number; problems: string[] } {
    const schemaVersion = this.db.pragma('user_version', { simple: true }) as number;
    const tables = new Set(this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const expected = ['numbers', 'agents', 'assignments', 'sync_state', 'audit_log', 'number_locks', 'number_views', 'lifecycle_ops', 'lifecycle_steps', 'counters'];
    return { schemaVersion, problems: expected.filter((table) => !tables.has(table)).map((table) => `the table ${table} is missing`) };
  }

  countRemoved(): number {
    return countRemoved(this.db);
  }

  close(): void {
    if (this.db.open) releaseLeftoverLocks(this.db);
    if (this.db.open) this.db.close();
  }
}
