import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptySlots, type ProviderSnapshot, type RemoteNumber } from '../../src/domain/model.js';
import { Store } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/migrations/index.js';
import { tempDir } from '../helpers/tmp.js';

function number(provider: RemoteNumber['provider'], e164: string, overrides: Partial<RemoteNumber> = {}): RemoteNumber {
  return {
    provider,
    providerId: provider === 'twilio' ? `PN${e164.slice(1).padEnd(32, '0')}` : e164,
    e164,
    label: `label ${e164}`,
    status: null,
    capabilities: { voice: null, sms: null },
    region: null,
    fallback: null,
    origin: null,
    slots: emptySlots(),
    ...overrides,
  };
}

function snapshot(provider: RemoteNumber['provider'], numbers: RemoteNumber[], agents: ProviderSnapshot['agents'] = []): ProviderSnapshot {
  return { provider, numbers, agents, skipped: [], requests: 1 };
}

const T1 = new Date('2026-11-01T10:00:00Z');
const T2 = new Date('2026-11-02T10:00:00Z');

describe('the cache', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 'profiles', 'default', 'cache.db'));
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it('migrates an empty file to the current schema, in WAL mode, readable by its owner only', () => {
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['agents', 'assignments', 'numbers', 'sync_state']));
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('refuses a cache written by a newer voicenum', () => {
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    store.close();
    expect(() => Store.open(store.file)).toThrow(/newer voicenum/);
  });

  it('stores weighted assignments as rows and joins the Twilio carrier by E.164', () => {
    store.replaceProvider(
      snapshot('retell', [number('retell', '+14155550101', { slots: { inbound: [{ agentId: 'agent_a', weight: 0.7 }, { agentId: 'agent_b', weight: 0.3, version: '3' }], outbound: [], sms: [] } })], [
        { provider: 'retell', id: 'agent_a', name: 'sales', kind: 'voice', live: true },
        { provider: 'retell', id: 'agent_b', name: 'support', kind: 'voice', live: false },
      ]),
      T1,
    );
    store.replaceProvider(snapshot('twilio', [number('twilio', '+14155550101', { region: 'ie1', capabilities: { voice: true, sms: false } }), number('twilio', '+14155550199')]), T1);
    const rows = store.listNumbers();
    expect(rows.map((r) => [r.provider, r.e164])).toEqual([
      ['retell', '+14155550101'],
      ['twilio', '+14155550199'],
    ]);
    const retell = rows[0]!;
    expect(retell.region).toBe('ie1');
    expect(retell.capabilities).toEqual({ voice: true, sms: false });
    expect(retell.carrier?.providerId).toMatch(/^PN/);
    expect(retell.slots.inbound).toEqual([
      { agentId: 'agent_a', name: 'sales', kind: 'voice', live: true, weight: 0.7, version: null },
      { agentId: 'agent_b', name: 'support', kind: 'voice', live: false, weight: 0.3, version: '3' },
    ]);
    const agents = store.listAgents();
    expect(agents.find((a) => a.id === 'agent_a')?.numbers).toEqual({ inbound: 1, outbound: 0, sms: 0 });
  });

  it('keeps numbers that vanished upstream as removed, and revives them when they return', () => {
    store.replaceProvider(snapshot('vapi', [number('vapi', '+14155550101'), number('vapi', '+14155550102')]), T1);
    const counts = store.replaceProvider(snapshot('vapi', [number('vapi', '+14155550101')]), T2);
    expect(counts.removed).toBe(1);
    expect(store.listNumbers().map((r) => r.e164)).toEqual(['+14155550101']);
    const removed = store.listNumbers({ status: 'removed' });
    expect(removed.map((r) => [r.e164, r.status])).toEqual([['+14155550102', 'removed']]);
    store.replaceProvider(snapshot('vapi', [number('vapi', '+14155550101'), number('vapi', '+14155550102')]), T2);
    expect(store.listNumbers({ status: 'removed' })).toEqual([]);
  });

  it('leaves the previous rows whole when a sync fails half-way through its transaction', () => {
    store.replaceProvider(snapshot('retell', [number('retell', '+14155550101', { label: 'old', slots: { inbound: [{ agentId: 'agent_a', weight: 1 }], outbound: [], sms: [] } })]), T1);
    // The second record breaks a NOT NULL constraint after the first was already written.
    const broken = number('retell', '+14155550102', { slots: { inbound: [{ agentId: 'agent_b', weight: null as unknown as number }], outbound: [], sms: [] } });
    expect(() => store.replaceProvider(snapshot('retell', [number('retell', '+14155550101', { label: 'new' }), broken]), T2)).toThrow();
    const rows = store.listNumbers();
    expect(rows.map((r) => [r.e164, r.label, r.slots.inbound.map((a) => a.agentId)])).toEqual([['+14155550101', 'old', ['agent_a']]]);
    expect(store.syncStates()[0]?.syncedAt).toBe(T1.toISOString());
  });

  it('replaces one provider without touching another', () => {
    store.replaceProvider(snapshot('retell', [number('retell', '+14155550101')]), T1);
    store.replaceProvider(snapshot('bland', [number('bland', '+14155550201')]), T1);
    store.replaceProvider(snapshot('bland', []), T2);
    expect(store.listNumbers().map((r) => r.provider)).toEqual(['retell']);
  });

  it('filters by slot vacancy only where the provider has that slot', () => {
    store.replaceProvider(snapshot('retell', [number('retell', '+14155550101'), number('retell', '+14155550102', { slots: { inbound: [], outbound: [{ agentId: 'x', weight: 1 }], sms: [] } })]), T1);
    store.replaceProvider(snapshot('vapi', [number('vapi', '+14155550301')]), T1);
    expect(store.listNumbers({ unassigned: 'outbound' }).map((r) => r.e164)).toEqual(['+14155550101']);
    expect(store.listNumbers({ unassigned: 'inbound' }).map((r) => r.e164)).toEqual(['+14155550101', '+14155550102', '+14155550301']);
    expect(store.listNumbers({ unassigned: 'any' }).map((r) => r.e164)).toEqual(['+14155550101', '+14155550301']);
  });

  it('lets two connections write without corrupting the file', () => {
    const other = new Database(store.file);
    other.pragma('busy_timeout = 5000');
    store.replaceProvider(snapshot('retell', [number('retell', '+14155550101')]), T1);
    other.prepare("UPDATE numbers SET label = 'from other' WHERE provider = 'retell'").run();
    other.close();
    expect(store.listNumbers()[0]?.label).toBe('from other');
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
