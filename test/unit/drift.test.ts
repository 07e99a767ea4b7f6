import { describe, expect, it } from 'vitest';
import type { RemoteNumber } from '../../src/domain/model.js';
import { compareRecords } from '../../src/engine/drift.js';
import type { KnownRecord } from '../../src/store/index.js';

/** The drift comparison alone: what the cache knew beside what a provider holds now. */
const known = (over: Partial<KnownRecord> = {}): KnownRecord => ({
  providerId: 'n1',
  e164: '+14155550100',
  label: 'front desk',
  fallback: null,
  region: null,
  removed: false,
  syncedAt: '2026-11-28T10:00:00.000Z',
  slots: { inbound: [{ agentId: 'a1', weight: 1, version: null }], outbound: [], sms: [] },
  ...over,
});

const remote = (over: Partial<RemoteNumber> = {}): RemoteNumber => ({
  provider: 'retell',
  providerId: 'n1',
  e164: '+14155550100',
  label: 'front desk',
  status: null,
  capabilities: { voice: true, sms: true },
  region: null,
  fallback: null,
  origin: null,
  slots: { inbound: [{ agentId: 'a1', weight: 1 }], outbound: [], sms: [] },
  ...over,
});

describe('compareRecords', () => {
  it('finds nothing when upstream holds what the cache knew, however it spells it', () => {
    // Weights in another order, a version given as a number, an empty label for none, undefined for no pin.
    const split = [{ agentId: 'a1', weight: 0.7, version: '3' }, { agentId: 'a2', weight: 0.3, version: null }];
    const record = known({ label: null, slots: { inbound: split, outbound: [], sms: [] } });
    const upstream = remote({ label: '', slots: { inbound: [{ agentId: 'a2', weight: 0.3 }, { agentId: 'a1', weight: 0.7, version: 3 as unknown as string }], outbound: [], sms: [] } });
    expect(compareRecords('retell', [record], [upstream])).toEqual([]);
  });

  it('reports each changed field with what voicenum knew and what upstream holds', () => {
    const items = compareRecords('retell', [known({ region: 'us1' })], [remote({ label: 'by hand', fallback: '+14155550199', region: 'ie1', slots: { inbound: [{ agentId: 'a2', weight: 1 }], outbound: [], sms: [{ agentId: 'c1', weight: 1 }] } })]);
    expect(items.map((i) => [i.field, i.kind, i.known, i.upstream])).toEqual([
      ['inbound', 'changed', [{ agentId: 'a1', weight: 1, version: null }], [{ agentId: 'a2', weight: 1, version: null }]],
      ['sms', 'changed', [], [{ agentId: 'c1', weight: 1, version: null }]],
      ['label', 'changed', 'front desk', 'by hand'],
      ['fallback', 'changed', null, '+14155550199'],
      ['region', 'changed', 'us1', 'ie1'],
    ]);
    expect(items.every((i) => i.e164 === '+14155550100' && i.provider === 'retell' && i.providerId === 'n1' && i.knownAt === '2026-11-28T10:00:00.000Z')).toBe(true);
  });

  it('a weight or a version pin changed is drift', () => {
    const pinned = known({ slots: { inbound: [{ agentId: 'a1', weight: 0.5, version: '2' }, { agentId: 'a2', weight: 0.5, version: null }], outbound: [], sms: [] } });
    const reweighted = remote({ slots: { inbound: [{ agentId: 'a1', weight: 0.6, version: '2' }, { agentId: 'a2', weight: 0.4 }], outbound: [], sms: [] } });
    const repinned = remote({ slots: { inbound: [{ agentId: 'a1', weight: 0.5, version: '3' }, { agentId: 'a2', weight: 0.5 }], outbound: [], sms: [] } });
    expect(compareRecords('retell', [pinned], [reweighted]).map((i) => i.field)).toEqual(['inbound']);
    expect(compareRecords('retell', [pinned], [repinned]).map((i) => i.field)).toEqual(['inbound']);
  });

  it('a record that appeared or vanished upstream is whole-record drift; one the cache already knew as removed is not', () => {
    const gone = known({ providerId: 'n2', e164: '+14155550102' });
    const removed = known({ providerId: 'n3', e164: '+14155550103', removed: true });
    const back = known({ providerId: 'n4', e164: '+14155550104', removed: true });
    const items = compareRecords('retell', [known(), gone, removed, back], [remote(), remote({ providerId: 'n4', e164: '+14155550104' }), remote({ providerId: 'n5', e164: '+14155550105' })]);
    expect(items.map((i) => [i.e164, i.field, i.kind, i.known, i.upstream, i.knownAt])).toEqual([
      ['+14155550102', 'record', 'vanished', 'present', 'absent', '2026-11-28T10:00:00.000Z'],
      ['+14155550104', 'record', 'appeared', 'absent', 'present', '2026-11-28T10:00:00.000Z'],
      ['+14155550105', 'record', 'appeared', 'absent', 'present', null],
    ]);
  });

  it('orders the report by number, then by field, whatever order the provider lists them in', () => {
    const a = known({ providerId: 'b', e164: '+14155550200', label: 'x' });
    const b = known({ providerId: 'a', e164: '+14155550100', label: 'x' });
    const items = compareRecords('retell', [a, b], [
      remote({ providerId: 'b', e164: '+14155550200', label: 'y', slots: { inbound: [], outbound: [], sms: [] } }),
      remote({ providerId: 'a', e164: '+14155550100', label: 'y' }),
    ]);
    expect(items.map((i) => `${i.e164} ${i.field}`)).toEqual(['+14155550100 label', '+14155550200 inbound', '+14155550200 label']);
  });
});
