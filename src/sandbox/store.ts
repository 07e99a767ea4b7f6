import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from '../store/sqlite.js';
import type { Changes, StateAccess } from './fake-server.js';
import type { SandboxState } from './index.js';

/**
 * The sandbox's persisted state: a SQLite file shared by every voicenum process of the sandbox
 * profile. Each record of each fake (a Retell number, a Twilio route, a Bland persona…) is one row
 * holding its JSON, so a fake's write updates the rows of the records it changed and nothing else.
 *
 * Each process keeps the records it has read in memory, because the fakes' handlers work on plain
 * arrays (find, filter, paging). A process learns that another one wrote from SQLite's
 * `data_version` and then reads only the rows written since it last looked: every write stamps its
 * rows with a new generation. A write runs in a `BEGIN IMMEDIATE` transaction, which makes the
 * processes take turns (each waits up to the busy timeout) and starts from the newest rows, so no
 * process ever loses another one's change. SQLite's locks die with their process: a crashed writer
 * leaves nothing to clean up.
 */

export type ProviderKey = 'retell' | 'vapi' | 'bland' | 'twilio' | 'elevenlabs';
export const PROVIDER_KEYS: readonly ProviderKey[] = ['retell', 'vapi', 'bland', 'twilio', 'elevenlabs'];

/** The row of a provider holding its non-array fields, with an empty array in place of each collection. */
const SHAPE = '';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS sandbox_records (
    provider TEXT NOT NULL,
    collection TEXT NOT NULL,
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (provider, collection, seq)
  );
  CREATE INDEX IF NOT EXISTS sandbox_records_by_version ON sandbox_records (version);
`;

interface Row {
  collection: string;
  seq: number;
  body: string;
}

/** Where a record in memory lives on disk. */
interface RecordPlace {
  provider: ProviderKey;
  collection: string;
  seq: number;
}

/** One provider's records as this process last read them. */
interface Loaded {
  state: Record<string, unknown>;
  /** The database's epoch (changed by a whole rewrite: reset) and generation the state reflects. */
  epoch: string;
  generation: number;
  /** `data_version` when last checked: unchanged means no other connection wrote since. */
  dataVersion: number;
  /** Per collection, each record's array index by its seq. */
  positions: Map<string, Map<number, number>>;
}

export interface SqliteSandboxStoreOptions {
  /** How long a write waits for another process's write to finish (SQLite's busy timeout). */
  busyTimeoutMs?: number;
  /** The state to seed a new file with. */
  seed: () => SandboxState;
  /** A JSON state file of an earlier voicenum: imported into a new database, then removed. */
  legacyJsonFile?: string;
}

export class SqliteSandboxStore {
  private readonly db: Database.Database;
  private readonly loaded = new Map<ProviderKey, Loaded>();
  /** Where each record object in memory is stored, so a handler's put() finds its row. */
  private places = new WeakMap<object, RecordPlace>();
  /** True when this open imported the state of an earlier voicenum's JSON file. */
  readonly migratedFromJson: boolean;

  constructor(
    readonly file: string,
    options: SqliteSandboxStoreOptions,
  ) {
    this.db = openStateDatabase(file, options.busyTimeoutMs ?? 15_000);
    try {
      this.migratedFromJson = this.initialize(options);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /** The sandbox Twilio account's SID, without loading any provider's records. */
  twilioAccountSid(): string {
    return this.meta('twilioAccountSid') ?? '';
  }

  /** The whole state as it is now (every provider loaded): for `state()` and tests. */
  current(): SandboxState {
    const state = { version: 1, twilioAccountSid: this.twilioAccountSid() } as SandboxState;
    for (const provider of PROVIDER_KEYS) (state as unknown as Record<string, unknown>)[provider] = this.fresh(provider);
    return state;
  }

  access<K extends ProviderKey>(provider: K): StateAccess<SandboxState[K]> {
    return {
      read: () => this.fresh(provider) as unknown as SandboxState[K],
      mutate: (fn, ok) => this.mutate(provider, (state, changes) => fn(state as unknown as SandboxState[K], changes as unknown as Changes<SandboxState[K]>), ok),
    };
  }

  /**
   * Run a write of one provider's fake: in one immediate transaction, from the newest rows, and
   * store the records the handler put(). A refused write (ok false) or a crash stores nothing and
   * drops this process's copy of that provider, as the handler may have changed objects before
   * refusing; it is read again on the next request.
   */
  mutate<T>(provider: ProviderKey, fn: (state: Record<string, unknown>, changes: Changes<Record<string, unknown>>) => T, ok: (result: T) => boolean): T {
    this.db.exec('BEGIN IMMEDIATE');
    let committed = false;
    try {
      const state = this.fresh(provider);
      const touched: { collection: string; record: object }[] = [];
      const removed: { collection: string; record: object }[] = [];
      const result = fn(state, {
        put: (collection, record) => void touched.push({ collection, record: record as object }),
        remove: (collection, record) => void removed.push({ collection, record: record as object }),
      });
      if (!ok(result)) return result;
      if (touched.length > 0 || removed.length > 0) {
        const generation = this.generation() + 1;
        // Removals first: they shift the array positions that new records are then placed at.
        for (const { collection, record } of removed) this.tombstone(provider, collection, record, generation);
        for (const { collection, record } of touched) {
          if (!removed.some((gone) => gone.record === record)) this.store(provider, collection, record, generation);
        }
        this.setMeta('generation', String(generation));
        this.db.exec('COMMIT');
        this.loaded.get(provider)!.generation = generation;
      } else {
        this.db.exec('COMMIT');
      }
      committed = true;
      return result;
    } finally {
      if (!committed) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.loaded.delete(provider);
      }
    }
  }

  /** Write one record's row: its existing row if it has one, else a new row at the end of its collection. */
  private store(provider: ProviderKey, collection: string, record: object, generation: number): void {
    const place = this.places.get(record);
    const body = JSON.stringify(record);
    if (place) {
      if (place.provider !== provider || place.collection !== collection) throw new Error(`a ${place.provider} ${place.collection} record was put as ${provider} ${collection}`);
      this.statements().update.run(body, generation, provider, collection, place.seq);
      return;
    }
    const loaded = this.loaded.get(provider)!;
    const list = loaded.state[collection];
    const index = Array.isArray(list) ? list.indexOf(record) : -1;
    if (index < 0) throw new Error(`a record put into ${provider} ${collection} is not in that collection`);
    const seq = ((this.statements().lastSeq.pluck().get(provider, collection) as number | null) ?? -1) + 1;
    this.statements().insert.run(provider, collection, seq, generation, body);
    this.places.set(record, { provider, collection, seq });
    positionsOf(loaded, collection).set(seq, index);
  }

  /**
   * A removed record's row becomes a tombstone (body `null`) stamped with the new generation, so
   * other processes catching up learn of the removal as they learn of changes. The seq is never
   * reused. The handler has already spliced the record out of its array.
   */
  private tombstone(provider: ProviderKey, collection: string, record: object, generation: number): void {
    const place = this.places.get(record);
    if (!place) return; // added and removed by the same request: it never had a row
    if (place.provider !== provider || place.collection !== collection) throw new Error(`a ${place.provider} ${place.collection} record was removed as ${provider} ${collection}`);
    this.statements().update.run('null', generation, provider, collection, place.seq);
    this.places.delete(record);
    unplace(positionsOf(this.loaded.get(provider)!, collection), place.seq);
  }

  /** The provider's records, brought up to date with what other processes wrote since the last look. */
  private fresh(provider: ProviderKey): Record<string, unknown> {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    const known = this.loaded.get(provider);
    if (known && known.dataVersion === dataVersion) return known.state;
    return this.snapshot(() => {
      const epoch = this.meta('epoch') ?? '';
      const generation = this.generation();
      let loaded = known;
      if (!loaded || loaded.epoch !== epoch) loaded = this.load(provider, epoch, generation);
      else if (generation > loaded.generation) this.catchUp(provider, loaded);
      loaded.generation = generation;
      loaded.dataVersion = dataVersion;
      this.loaded.set(provider, loaded);
      return loaded.state;
    });
  }

  private load(provider: ProviderKey, epoch: string, generation: number): Loaded {
    const rows = this.db.prepare('SELECT collection, seq, body FROM sandbox_records WHERE provider = ? ORDER BY collection, seq').all(provider) as Row[];
    const shape = rows.find((row) => row.collection === SHAPE);
    if (!shape) throw new Error(`the sandbox state ${this.file} holds no ${provider} records; run \`voicenum sandbox reset\``);
    const loaded: Loaded = { state: JSON.parse(shape.body) as Record<string, unknown>, epoch, generation, dataVersion: -1, positions: new Map() };
    for (const row of rows) {
      if (row.collection !== SHAPE && row.body !== 'null') this.place(provider, loaded, row);
    }
    return loaded;
  }

  /** Apply the rows written after `loaded.generation`: changed records are replaced, new ones appended. */
  private catchUp(provider: ProviderKey, loaded: Loaded): void {
    const rows = this.db.prepare('SELECT collection, seq, body FROM sandbox_records WHERE provider = ? AND version > ? ORDER BY collection, seq').all(provider, loaded.generation) as Row[];
    for (const row of rows) {
      if (row.collection === SHAPE) {
        const { positions } = loaded;
        const kept = Object.fromEntries([...positions.keys()].map((collection) => [collection, loaded.state[collection]]));
        loaded.state = { ...(JSON.parse(row.body) as Record<string, unknown>), ...kept };
      } else {
        this.place(provider, loaded, row);
      }
    }
  }

  /** Put a row's record into its collection: over the record of the same seq, or appended. */
  private place(provider: ProviderKey, loaded: Loaded, row: Row): void {
    const record = JSON.parse(row.body) as object | null;
    if (record === null) {
      // A tombstone: take the record out of this process's copy, if it has it.
      const positions = positionsOf(loaded, row.collection);
      const at = positions.get(row.seq);
      const list = loaded.state[row.collection];
      if (at !== undefined && Array.isArray(list)) {
        list.splice(at, 1);
        unplace(positions, row.seq);
      }
      return;
    }
    let list = loaded.state[row.collection];
    if (!Array.isArray(list)) {
      list = [];
      loaded.state[row.collection] = list;
    }
    const array = list as object[];
    const positions = positionsOf(loaded, row.collection);
    const at = positions.get(row.seq);
    if (at === undefined) {
      positions.set(row.seq, array.length);
      array.push(record);
    } else {
      array[at] = record;
    }
    this.places.set(record, { provider, collection: row.collection, seq: row.seq });
  }

  /** Run reads as one snapshot (a savepoint when a write transaction is already open). */
  private snapshot<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  private generation(): number {
    return Number(this.meta('generation') ?? 0);
  }

  private meta(key: string): string | undefined {
    return this.statements().getMeta.pluck().get(key) as string | undefined;
  }

  private setMeta(key: string, value: string): void {
    this.statements().setMeta.run(key, value);
  }

  private prepared?: ReturnType<SqliteSandboxStore['prepare']>;
  private statements() {
    return (this.prepared ??= this.prepare());
  }
  private prepare() {
    return {
      getMeta: this.db.prepare('SELECT value FROM sandbox_meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT INTO sandbox_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      update: this.db.prepare('UPDATE sandbox_records SET body = ?, version = ? WHERE provider = ? AND collection = ? AND seq = ?'),
      insert: this.db.prepare('INSERT INTO sandbox_records (provider, collection, seq, version, body) VALUES (?, ?, ?, ?, ?)'),
      lastSeq: this.db.prepare('SELECT max(seq) FROM sandbox_records WHERE provider = ? AND collection = ?'),
    };
  }

  /**
   * Create the schema and, in a file that has none yet, the state: imported from an earlier
   * voicenum's JSON file when there is one, else seeded. Two processes starting at once take turns.
   */
  private initialize(options: SqliteSandboxStoreOptions): boolean {
    let migrated = false;
    if (this.seeded()) {
      this.addMissingProviders(options);
      this.removeLegacy(options);
      return false;
    }
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.exec(SCHEMA);
      if (this.meta('epoch') === undefined) {
        const legacy = options.legacyJsonFile && existsSync(options.legacyJsonFile) ? readLegacyState(options.legacyJsonFile) : null;
        // A provider the earlier voicenum did not have yet starts from the seed.
        this.replaceAll(legacy ? { ...options.seed(), ...legacy } : options.seed());
        migrated = legacy !== null;
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
    this.removeLegacy(options);
    return migrated;
  }

  /**
   * A state saved before a provider's fake existed has no rows for it: that provider's part of the
   * seed is added, and the rest is left as it is (the carrier records of its imported numbers come
   * only with `voicenum sandbox reset`). Read without the write lock first: the common case is none.
   */
  private addMissingProviders(options: SqliteSandboxStoreOptions): void {
    const has = this.db.prepare('SELECT 1 FROM sandbox_records WHERE provider = ? AND collection = ? LIMIT 1');
    if (PROVIDER_KEYS.every((provider) => has.get(provider, SHAPE) !== undefined)) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const missing = PROVIDER_KEYS.filter((provider) => has.get(provider, SHAPE) === undefined);
      if (missing.length > 0) {
        const seed = options.seed();
        const generation = this.generation() + 1;
        for (const provider of missing) this.insertProvider(provider, seed[provider] as unknown as Record<string, unknown>, generation);
        this.setMeta('generation', String(generation));
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Whether the file holds a state already: read without taking the write lock, the common case. */
  private seeded(): boolean {
    const table = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sandbox_meta'").get();
    return table !== undefined && this.meta('epoch') !== undefined;
  }

  private removeLegacy(options: SqliteSandboxStoreOptions): void {
    if (!options.legacyJsonFile) return;
    // The database holds the state now (imported, here or by an earlier run): the old files only mislead.
    for (const stale of [options.legacyJsonFile, `${options.legacyJsonFile}.lock`]) rmSync(stale, { force: true });
  }

  /** Replace every record (reset, tests' dashboard edits). A new epoch makes every other process read all again. */
  replace(state: SandboxState): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.replaceAll(state);
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private replaceAll(state: SandboxState): void {
    const generation = this.generation() + 1;
    this.db.exec('DELETE FROM sandbox_records');
    for (const provider of PROVIDER_KEYS) this.insertProvider(provider, state[provider] as unknown as Record<string, unknown>, generation);
    this.setMeta('twilioAccountSid', state.twilioAccountSid);
    this.setMeta('generation', String(generation));
    this.setMeta('epoch', randomUUID());
    this.loaded.clear();
    this.places = new WeakMap();
  }

  /** One provider's rows: a row per record of each collection, and its shape row (the other fields). */
  private insertProvider(provider: ProviderKey, whole: Record<string, unknown>, generation: number): void {
    const insert = this.statements().insert;
    const shape: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(whole)) {
      if (!Array.isArray(value)) {
        shape[field] = value;
        continue;
      }
      shape[field] = [];
      value.forEach((record, seq) => insert.run(provider, field, seq, generation, JSON.stringify(record)));
    }
    insert.run(provider, SHAPE, 0, generation, JSON.stringify(shape));
  }

}

/** Forget a removed record's position; the records after it moved up by one. */
function unplace(positions: Map<number, number>, seq: number): void {
  const at = positions.get(seq);
  if (at === undefined) return;
  positions.delete(seq);
  for (const [other, index] of positions) if (index > at) positions.set(other, index - 1);
}

function positionsOf(loaded: Loaded, collection: string): Map<number, number> {
  let positions = loaded.positions.get(collection);
  if (!positions) {
    positions = new Map();
    loaded.positions.set(collection, positions);
  }
  return positions;
}

function openStateDatabase(file: string, busyTimeoutMs: number): Database.Database {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Created here so it is born 0600; SQLite gives its -wal and -shm files the same mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = openSqlite(file);
  try {
    // The busy timeout first: switching to WAL needs a lock another process may hold for a moment.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    // A sandbox needs no fsync per write: a power cut may lose the last writes, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The state an earlier voicenum kept in one JSON file; null when it cannot be read as one. A
 * provider added since (absent from the file) is left out, for the seed to fill in.
 */
function readLegacyState(file: string): Partial<SandboxState> | null {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxState>;
    const present = PROVIDER_KEYS.filter((provider) => state[provider] !== undefined);
    const usable = typeof state.twilioAccountSid === 'string' && present.length > 0 && present.every((provider) => typeof state[provider] === 'object' && state[provider] !== null);
    return usable ? state : null;
  } catch {
    return null;
  }
}
