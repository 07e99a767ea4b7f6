import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite.js';

/**
 * Names for shell completion, read straight from the cache file: read-only, no migration, no
 * journal check, and nothing at all when the cache is missing or busy — a Tab press must be fast
 * and must never change anything.
 */
export function completionNames(file: string, kind: 'numbers' | 'agents', prefix: string, limit = 500): string[] {
  let db: Database.Database | undefined;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true, timeout: 200 });
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const sql =
      kind === 'numbers'
        ? "SELECT DISTINCT e164 AS name FROM numbers WHERE e164 LIKE ? ESCAPE '\\' ORDER BY e164 LIMIT ?"
        : "SELECT DISTINCT name FROM agents WHERE removed_at IS NULL AND name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE LIMIT ?";
    return (db.prepare(sql).all(like, limit) as { name: string }[]).map((row) => row.name);
  } catch {
    return [];
  } finally {
    db?.close();
  }
}
