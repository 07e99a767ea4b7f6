import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/domain/errors.js';
import { undoSteps, type Selection } from '../../src/engine/undo.js';
import type { AuditRow } from '../../src/store/index.js';

/** What an undo sets back, from the audit entries it names. */
let nextId = 1;
const entry = (over: Partial<AuditRow>): AuditRow => ({
  id: nextId++,
  at: '2026-11-28T10:00:00.000Z',
  osUser: 'op',
  profile: 'default',
  batch: 'b1',
  provider: 'retell',
  providerId: '+14155550100',
  e164: '+14155550100',
  field: 'inbound',
  before: '[]',
  after: '[]',
  outcome: 'applied',
  error: null,
  intent: null,
  ...over,
});
const agent = (id: string) => JSON.stringify([{ agentId: id, name: id, weight: 1, version: null }]);
const selection = (rows: AuditRow[]): Selection => ({ what: 'batch b1', batch: 'b1', rows });

describe('undoSteps', () => {
  it('sets each record field back from what the run left to what it replaced, over every entry of the run', () => {
    const rows = [
      entry({ field: 'inbound', before: agent('a'), after: agent('b') }),
      entry({ field: 'label', before: '"old"', after: '"new"' }),
      entry({ providerId: 'other', e164: '+14155550101', field: 'inbound', before: agent('b'), after: '[]' }),
      // The same field written twice in one run: from the first before to the last after.
      entry({ field: 'label', before: '"new"', after: '"newer"' }),
    ];
    const steps = undoSteps(selection(rows));
    expect(steps.map((s) => [s.e164, s.field, s.from, s.to, s.changeIds])).toEqual([
      ['+14155550100', 'inbound', [{ agentId: 'b', name: 'b', weight: 1, version: null }], [{ agentId: 'a', name: 'a', weight: 1, version: null }], [rows[0]!.id]],
      ['+14155550100', 'label', 'newer', 'old', [rows[1]!.id, rows[3]!.id]],
      ['+14155550101', 'inbound', [], [{ agentId: 'b', name: 'b', weight: 1, version: null }], [rows[2]!.id]],
    ]);
  });

  it('leaves out entries that changed nothing, and a step the run itself rolled back', () => {
    const rows = [
      entry({ field: 'inbound', before: agent('a'), after: agent('b') }),
      entry({ providerId: 'other', field: 'inbound', before: agent('x'), after: agent('y'), outcome: 'failed' }),
      entry({ field: 'inbound', before: agent('b'), after: agent('a'), outcome: 'rolled-back' }),
      entry({ field: 'sms', before: '[]', after: agent('c'), outcome: 'conflict' }),
      entry({ field: 'label', before: '"a"', after: '"b"' }),
    ];
    expect(undoSteps(selection(rows)).map((s) => s.field)).toEqual(['label']);
  });

  it('refuses a run with nothing to undo, and the life of a number (buy, import, release)', () => {
    expect(() => undoSteps(selection([entry({ outcome: 'failed', before: '[]', after: agent('a') })]))).toThrow(/nothing to undo: batch b1 changed nothing upstream \(failed\)/);
    const imported = [entry({ field: 'lifecycle:trunk', before: 'null', after: '"TK1"' }), entry({ field: 'import', before: 'null', after: '"retell +1"' })];
    expect(() => undoSteps(selection(imported))).toThrow(RefusedError);
    expect(() => undoSteps(selection(imported))).toThrow(/includes lifecycle, import: buying, importing and releasing a number have no undo/);
  });
});
