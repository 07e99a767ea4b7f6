import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { cacheFile } from '../../src/config/paths.js';
import { ExitCode, LocalStateError } from '../../src/domain/errors.js';
import { numberRecord, recordCells, Store, type NumberRecord } from '../../src/store/index.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/migrations/index.js';
import { testIO } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Every older schema, with rows written in that schema's own SQL (as the voicenum of the day did),
 * migrated to the newest and opened through the Store: the rows keep their values and the list
 * records are rebuilt by today's code.
 */

const AT = '2026-11-01T10:00:00.000Z';
const RETELL = '+14155550100';
const VAPI = '+14155550101';
const TWILIO_ONLY = '+14155550102';
const REMOVED = '+14155550103';
const PN = 'PN0123456789abcdef0123456789abcdef';

/** Outcomes each schema's audit log accepts (its CHECK constraint). */
function outcomesAt(version: number): string[] {
  const base = ['applied', 'failed', 'conflict', 'rolled-back', 'needs-attention'];
  return version >= 5 ? ['pending', 'uncertain', ...base] : base;
}

/** Rows of a small account, inserted with the SQL of schema `version`. */
function seed(db: Database.Database, version: number): void {
  const v4 = version >= 4;
  const v5 = version >= 5;
  const insertNumber = db.prepare(
    `INSERT INTO numbers (id, provider, provider_id, e164, label, status, voice, sms, region, fallback, origin, first_seen_at, synced_at, removed_at, needs_attention${v4 ? ', carrier_id, held' : ''}${v5 ? ', write_seq, attention_expect' : ''})
     VALUES (@id, @provider, @provider_id, @e164, @label, @status, @voice, @sms, @region, @fallback, @origin, @at, @at, @removed_at, @needs_attention${v4 ? ', @carrier_id, @held' : ''}${v5 ? ', @write_seq, @attention_expect' : ''})`,
  );
  const number = (row: Record<string, unknown>) =>
    insertNumber.run({ label: null, status: null, voice: null, sms: null, region: null, fallback: null, origin: null, at: AT, removed_at: null, needs_attention: null, carrier_id: null, held: 0, write_seq: 0, attention_expect: null, ...row });
  // A Retell number imported from Twilio (its Twilio record is its carrier), a Vapi number flagged
  // by a failed change, a Twilio number no platform holds, and a Retell number removed upstream.
  number({ id: 1, provider: 'retell', provider_id: RETELL, e164: RETELL, label: 'front desk', origin: 'twilio', fallback: '+14155559999', carrier_id: 4 });
  number({ id: 2, provider: 'vapi', provider_id: 'vapi-uuid-1', e164: VAPI, label: 'support line', status: 'active', needs_attention: 'set the inbound assistant back by hand', attention_expect: v5 ? JSON.stringify({ inbound: 'asst-1' }) : null, write_seq: v5 ? 3 : 0 });
  number({ id: 3, provider: 'twilio', provider_id: 'PNffffffffffffffffffffffffffffffff', e164: TWILIO_ONLY, label: 'ivr', status: 'in-use', voice: 1, sms: 0, region: 'au1' });
  number({ id: 4, provider: 'twilio', provider_id: PN, e164: RETELL, label: 'twilio name', status: 'in-use', voice: 1, sms: 1, region: 'ie1', held: 1 });
  number({ id: 5, provider: 'retell', provider_id: REMOVED, e164: REMOVED, removed_at: AT });

  const agent = db.prepare('INSERT INTO agents (provider, agent_id, name, kind, live, synced_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  agent.run('retell', 'agent_sales', 'sales', 'voice', 1, AT, null);
  agent.run('retell', 'agent_support', 'support', 'voice', 0, AT, null);
  agent.run('retell', 'agent_chat', 'chatty', 'chat', 1, AT, null);
  agent.run('retell', 'agent_gone', 'gone', 'voice', null, AT, AT);
  agent.run('vapi', 'asst-1', 'Receptionist', 'assistant', null, AT, null);
  agent.run('twilio', 'AP0123456789abcdef0123456789abcdef', 'main-ivr', 'application', null, AT, null);

  const assign = db.prepare('INSERT INTO assignments (number_id, slot, position, agent_id, weight, version) VALUES (?, ?, ?, ?, ?, ?)');
  assign.run(1, 'inbound', 0, 'agent_sales', 0.7, '3');
  assign.run(1, 'inbound', 1, 'agent_support', 0.3, null);
  assign.run(1, 'outbound', 0, 'agent_sales', 1, 'latest_published');
  assign.run(1, 'sms', 0, 'agent_chat', 1, null);
  assign.run(2, 'inbound', 0, 'asst-1', 1, null);
  assign.run(3, 'inbound', 0, 'AP0123456789abcdef0123456789abcdef', 1, null);
  assign.run(5, 'inbound', 0, 'agent_gone', 1, null);

  db.prepare('INSERT INTO sync_state (provider, synced_at, numbers, agents, skipped) VALUES (?, ?, ?, ?, ?)').run('retell', AT, 2, 4, 1);

  if (version >= 2) {
    const audit = db.prepare(
      `INSERT INTO audit_log (at, os_user, profile, batch, provider, provider_id, e164, field, before, after, outcome, error${v5 ? ', intent' : ''})
       VALUES (?, 'ops', 'default', ?, 'retell', ?, ?, 'inbound', ?, ?, ?, ?${v5 ? ', ?' : ''})`,
    );
    for (const [index, outcome] of outcomesAt(version).entries()) {
      const values = [AT, `batch-${index}`, RETELL, RETELL, '"agent_support"', '"agent_sales"', outcome, outcome === 'applied' ? null : `${outcome} because of a test`];
      audit.run(...values, ...(v5 ? [outcome === 'pending' || outcome === 'uncertain' ? `intent-${index}` : null] : []));
    }
  }
  if (version >= 3 && version <= 5) {
    db.prepare('INSERT INTO number_locks (provider, provider_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)').run('retell', RETELL, 'host:1234', 1234, AT);
  }
  if (v4) {
    // What an older voicenum stored: a record of an older shape and cells that no longer match.
    db.prepare('INSERT INTO number_views (number_id, view, cells) VALUES (?, ?, ?)').run(1, JSON.stringify({ e164: RETELL, provider: 'retell' }), `${RETELL}\tretell\told`);
  }
  if (v5) db.prepare("UPDATE counters SET value = 3 WHERE name = 'write_seq'").run();
}

/** What the Retell number's list record must be after any migration. */
const RETELL_RECORD: NumberRecord = {
  e164: RETELL,
  provider: 'retell',
  id: RETELL,
  label: 'front desk',
  status: null,
  needsAttention: null,
  region: 'ie1',
  capabilities: { voice: true, sms: true },
  fallback: '+14155559999',
  origin: 'twilio',
  carrier: { provider: 'twilio', providerId: PN, label: 'twilio name', region: 'ie1', status: 'in-use', capabilities: { voice: true, sms: true } },
  slots: {
    inbound: [
      { agentId: 'agent_sales', name: 'sales', kind: 'voice', weight: 0.7, version: '3' },
      { agentId: 'agent_support', name: 'support', kind: 'voice', weight: 0.3, version: null },
    ],
    outbound: [{ agentId: 'agent_sales', name: 'sales', kind: 'voice', weight: 1, version: 'latest_published' }],
    sms: [{ agentId: 'agent_chat', name: 'chatty', kind: 'chat', weight: 1, version: null }],
  },
  syncedAt: AT,
};

describe('migrating every older schema to the newest', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  /** A cache at schema `version` with rows, in the default profile of a voicenum home. */
  function oldCache(version: number): string {
    const file = cacheFile(dir.path, 'default');
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    migrate(db, file, version);
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    seed(db, version);
    db.close();
    return file;
  }

  it.each([1, 2, 3, 4, 5, 6])('from schema %i: numbers, assignments, audit log and list records survive', async (version) => {
    const file = oldCache(version);
    const store = Store.open(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);

      // Numbers and their assignments, with the carrier joined in.
      const rows = store.listNumbers();
      expect(rows.map((row) => `${row.provider} ${row.e164}`)).toEqual([`retell ${RETELL}`, `vapi ${VAPI}`, `twilio ${TWILIO_ONLY}`]);
      const views = store.listViews().map((text) => JSON.parse(text) as NumberRecord);
      expect(views).toHaveLength(3);
      expect(views[0]).toEqual(RETELL_RECORD);
      expect(views[1]).toMatchObject({ provider: 'vapi', id: 'vapi-uuid-1', label: 'support line', status: 'active', needsAttention: 'set the inbound assistant back by hand', slots: { inbound: [{ agentId: 'asst-1', name: 'Receptionist' }], outbound: null, sms: [] } });
      expect(views[2]).toMatchObject({ provider: 'twilio', label: 'ivr', region: 'au1', capabilities: { voice: true, sms: false }, carrier: null, slots: { inbound: [{ agentId: 'AP0123456789abcdef0123456789abcdef', name: 'main-ivr' }], outbound: null, sms: [] } });
      // Every stored record and its cells are exactly what today's code builds from the rows.
      expect(views).toEqual(rows.map(numberRecord));
      expect(store.listViews({}, 'cells')).toEqual(rows.map((row) => recordCells(numberRecord(row)).join('\t')));
      expect(store.listViews({ status: 'removed' }).map((text) => JSON.parse(text) as NumberRecord)).toMatchObject([{ e164: REMOVED, status: 'removed', slots: { inbound: [{ agentId: 'agent_gone', name: 'gone' }] } }]);
      expect(store.findNumbers(RETELL).map((row) => row.provider).sort()).toEqual(['retell', 'twilio']);
      // The natural sort keys of the labels are built with the records (in e164 order the labels
      // would read front desk, support line, ivr).
      const labels = (text: string[]) => text.map((record) => (JSON.parse(record) as NumberRecord).label);
      expect(labels(store.listViews({ sort: 'label' }))).toEqual(['front desk', 'ivr', 'support line']);
      expect(labels(store.listViews({ sort: 'label', reverse: true }))).toEqual(['support line', 'ivr', 'front desk']);
      expect(store.listNumbers({ sort: 'label' }).map((row) => row.label)).toEqual(['front desk', 'ivr', 'support line']);

      expect(store.listAgents({ includeRemoved: true }).map((agent) => `${agent.provider}:${agent.id}:${agent.live}:${agent.removed}`)).toEqual([
        'retell:agent_chat:true:false',
        'retell:agent_gone:null:true',
        'retell:agent_sales:true:false',
        'retell:agent_support:false:false',
        'twilio:AP0123456789abcdef0123456789abcdef:null:false',
        'vapi:asst-1:null:false',
      ]);
      expect(store.listAgents().find((agent) => agent.id === 'agent_sales')?.numbers).toEqual({ inbound: 1, outbound: 1, sms: 0 });
      expect(store.syncStates()).toEqual([{ provider: 'retell', syncedAt: AT, numbers: 2, agents: 4, skipped: 1 }]);

      // The audit log, every outcome the old schema allowed, values as written.
      const audit = store.readAudit();
      expect(audit.map((entry) => entry.outcome)).toEqual(version >= 2 ? outcomesAt(version) : []);
      for (const entry of audit) {
        expect(entry).toMatchObject({ at: AT, osUser: 'ops', profile: 'default', provider: 'retell', providerId: RETELL, e164: RETELL, field: 'inbound', before: '"agent_support"', after: '"agent_sales"', error: entry.outcome === 'applied' ? null : `${entry.outcome} because of a test` });
        expect(entry.intent).toEqual(entry.outcome === 'pending' || entry.outcome === 'uncertain' ? expect.stringMatching(/^intent-\d$/) : null);
      }
      expect(store.hasOpenIntents()).toBe(version >= 5);

      // The journal's columns: the old write sequence and fix, or their defaults.
      const vapi = store.db.prepare('SELECT write_seq, attention_expect FROM numbers WHERE id = 2').get();
      expect(vapi).toEqual(version >= 5 ? { write_seq: 3, attention_expect: JSON.stringify({ inbound: 'asst-1' }) } : { write_seq: 0, attention_expect: null });
      expect(store.writeSeq()).toBe(version >= 5 ? 3 : 0);
      // Locks live only while a command runs: the old lock table went with its rows.
      expect(store.db.prepare('SELECT count(*) FROM number_locks').pluck().get()).toBe(0);
    } finally {
      store.close();
    }

    // And the command reads them: `numbers list --json` prints the same records.
    const io = testIO();
    const code = await main(['--offline', 'numbers', 'list', '--json'], { io, env: { VOICENUM_HOME: dir.path } });
    expect(code, io.err()).toBe(0);
    expect((JSON.parse(io.out()) as NumberRecord[])[0]).toEqual({ ...RETELL_RECORD, state: 'active' });
  });

  it('a sync after the migration replaces the rows as usual and keeps the records current', () => {
    const file = oldCache(3);
    const store = Store.open(file);
    try {
      store.replaceProvider(
        {
          provider: 'retell',
          numbers: [{ provider: 'retell', providerId: RETELL, e164: RETELL, label: 'renamed', status: null, capabilities: { voice: null, sms: null }, region: null, fallback: null, origin: 'twilio', slots: { inbound: [{ agentId: 'agent_support', weight: 1 }], outbound: [], sms: [] } }],
          agents: [{ provider: 'retell', id: 'agent_support', name: 'support', kind: 'voice', live: true }],
          skipped: [],
          requests: 1,
        },
        new Date(AT),
      );
      const record = JSON.parse(store.listViews({ providers: ['retell'] })[0]!) as NumberRecord;
      expect(record).toMatchObject({ label: 'renamed', region: 'ie1', slots: { inbound: [{ agentId: 'agent_support', name: 'support', weight: 1 }], outbound: [], sms: [] } });
    } finally {
      store.close();
    }
  });

  it('a cache whose records the previous format built (schema 6) gets its label sort keys on the first open', () => {
    const file = oldCache(6);
    const db = new Database(file);
    // What voicenum left behind before the sort keys: records current for format 1.
    db.prepare("INSERT INTO counters (name, value) VALUES ('view_format', 1)").run();
    db.close();
    const store = Store.open(file);
    try {
      // Every number with a label (its own or its carrier's) has a key; the removed one has neither.
      expect(store.db.prepare('SELECT count(*) FROM number_views WHERE label_key IS NOT NULL').pluck().get()).toBe(4);
      const labels = store.listViews({ sort: 'label' }).map((text) => (JSON.parse(text) as NumberRecord).label);
      expect(labels).toEqual(['front desk', 'ivr', 'support line']);
    } finally {
      store.close();
    }
  });

  it('builds the records once: a second open finds them current and leaves them alone', () => {
    const file = oldCache(4);
    Store.open(file).close();
    const db = new Database(file);
    db.prepare("UPDATE number_views SET view = 'left alone' WHERE number_id = 1").run();
    db.close();
    const store = Store.open(file);
    try {
      expect(store.db.prepare('SELECT view FROM number_views WHERE number_id = 1').pluck().get()).toBe('left alone');
    } finally {
      store.close();
    }
  });

  it('refuses a cache of a newer schema than it knows (exit 8), before touching it', async () => {
    const file = oldCache(SCHEMA_VERSION);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    let refused: unknown;
    try {
      Store.open(file).close();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(LocalStateError);
    expect((refused as LocalStateError).exitCode).toBe(ExitCode.LocalState);
    expect((refused as LocalStateError).message).toMatch(new RegExp(`newer voicenum \\(schema ${SCHEMA_VERSION + 1}`));
    const raw = new Database(file);
    expect(() => migrate(raw, file)).toThrow(LocalStateError);
    raw.close();

    const io = testIO();
    expect(await main(['--offline', 'numbers', 'list'], { io, env: { VOICENUM_HOME: dir.path } })).toBe(ExitCode.LocalState);
    expect(io.err()).toMatch(/newer voicenum/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    expect(after.prepare('SELECT count(*) FROM numbers').pluck().get()).toBe(5);
    after.close();
  });
});

describe('migrations are frozen', () => {
  const folder = fileURLToPath(new URL('../../src/store/migrations/', import.meta.url));
  const migrationFiles = readdirSync(folder).filter((name) => /^\d{4}-.+\.ts$/.test(name));

  /** Every module a file names: static imports and re-exports, dynamic imports and requires. */
  function importsOf(source: string): { specifier: string; typeOnly: boolean }[] {
    const found: { specifier: string; typeOnly: boolean }[] = [];
    for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
      const names = match[3]!;
      // `import { type A, type B } from` is type-only too.
      const allTyped = /^\{[^}]*\}$/.test(names) && names.slice(1, -1).split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '));
      found.push({ specifier: match[4]!, typeOnly: Boolean(match[2]) || allTyped });
    }
    for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ specifier: match[1]!, typeOnly: false });
    for (const match of source.matchAll(/\b(?:import|require)\s*\(\s*['"`]([^'"`]+)['"`]/g)) found.push({ specifier: match[1]!, typeOnly: false });
    return found;
  }

  it('finds the migrations and reads imports of every form', () => {
    expect(migrationFiles.length).toBe(SCHEMA_VERSION);
    expect(importsOf("import type { A } from './index.js';\nimport { b } from '../views.js';\nexport { c } from \"../c.js\";\nimport './side.js';\nconst d = await import('../d.js');")).toEqual([
      { specifier: './index.js', typeOnly: true },
      { specifier: '../views.js', typeOnly: false },
      { specifier: '../c.js', typeOnly: false },
      { specifier: './side.js', typeOnly: false },
      { specifier: '../d.js', typeOnly: false },
    ]);
  });

  it.each(migrationFiles)('%s imports nothing but types of ./index.js, node and better-sqlite3', (name) => {
    const imports = importsOf(readFileSync(join(folder, name), 'utf8'));
    for (const { specifier, typeOnly } of imports) {
      const allowed = typeOnly && (specifier === './index.js' || specifier === 'better-sqlite3' || specifier.startsWith('node:'));
      expect(allowed, `${name} imports ${typeOnly ? 'types of ' : ''}${specifier}`).toBe(true);
    }
  });
});
