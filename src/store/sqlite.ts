import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * better-sqlite3, with its JavaScript bundled into the store's file by the build (its dozen
 * CommonJS modules cost some 6 ms to load one by one, at every start of every command that reads
 * the cache) and its native addon named by path, which skips the `bindings` helper's search of a
 * dozen places. Should the addon live elsewhere (another build layout), `bindings` finds it.
 */
const requireCommonJs = createRequire(import.meta.url);

type Addon = string | object;
let addon: Addon | undefined;

function nativeAddon(): Addon {
  if (addon === undefined) {
    const root = dirname(requireCommonJs.resolve('better-sqlite3/package.json'));
    const file = join(root, 'build', 'Release', 'better_sqlite3.node');
    if (existsSync(file)) addon = file;
    else {
      // `bindings` is the package's own dependency: required from where the package is.
      const bindings = createRequire(join(root, 'package.json'))('bindings') as (options: { bindings: string; module_root: string }) => object;
      addon = bindings({ bindings: 'better_sqlite3.node', module_root: root });
    }
  }
  return addon;
}

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string, options: Database.Options = {}): SqliteDatabase {
  // The package takes the loaded addon as well as its path; its types know only the path.
  return new Database(file, { ...options, nativeBinding: nativeAddon() as string });
}
