import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { ABANDONED_OPS_SQL } from '../../src/store/lifecycle-journal.js';
import { AFFECTED_BY_SQL } from '../../src/store/views.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The lookups every write and every sync make use indexes, not a scan of all numbers: checked on
 * SQLite's own plan, so the test does not depend on the machine's speed.
 */
describe('query plans', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('finding the records a write touches (the number and the records it carries) never scans the numbers table', () => {
    const db: Database.Database = openDatabase(`${dir.path}/cache.db`);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('p', 'x', 'p', 'x') as { detail: string }[]).map((row) => row.detail);
    const one = plan(AFFECTED_BY_SQL);
    expect(one.length).toBeGreaterThan(0);
    expect(one.filter((step) => /^SCAN numbers\b/.test(step))).toEqual([]);
    expect(one.some((step) => step.includes('numbers_by_carrier'))).toBe(true);
    db.close();
  });

  it('the look for operations a stopped run left open, which every command makes, reads the index of unfinished operations only', () => {
    const db: Database.Database = openDatabase(`${dir.path}/cache.db`);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${ABANDONED_OPS_SQL}`).all() as { detail: string }[]).map((row) => row.detail);
    expect(plan.filter((step) => /^SCAN lifecycle_ops\b/.test(step))).toEqual([]);
    expect(plan.some((step) => step.includes('lifecycle_ops_unfinished'))).toBe(true);
    db.close();
  });
});
