import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * better-sqlite3, loaded the way it is written: a CommonJS package required directly skips the ESM
 * loader's translation of it, and its native addon named by path skips the `bindings` helper's
 * search of a dozen places. Both are paid at every start of every command that reads the cache.
 * Should the addon live elsewhere (another build layout), the package finds it itself.
 */
const requireCommonJs = createRequire(import.meta.url);
const Database = requireCommonJs('better-sqlite3') as typeof BetterSqlite3;

let addonFile: string | null | undefined;

function nativeAddonFile(): string | null {
  if (addonFile === undefined) {
    const file = join(dirname(requireCommonJs.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    addonFile = existsSync(file) ? file : null;
  }
  return addonFile;
}

export type SqliteDatabase = BetterSqlite3.Database;

export function openSqlite(file: string, options: BetterSqlite3.Options = {}): SqliteDatabase {
  const nativeBinding = nativeAddonFile();
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
