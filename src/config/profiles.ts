import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFile, PROFILE_NAME, profileDir } from './paths.js';
import type { ConfigFileShape } from './settings.js';

/** The profiles that exist without being created: the one used without flags, and the sandbox. */
export const BUILT_IN_PROFILES = ['default', 'sandbox'] as const;

export interface ProfileSummary {
  name: string;
  /** Providers whose credentials the config file stores for it. */
  credentials: string[];
  /** Whether it has a cache file. */
  cache: boolean;
}

/** Profile names that have a folder under the home (a cache, or the sandbox's state). */
function profileFolders(home: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(home, 'profiles'));
  } catch {
    return [];
  }
  return names.filter((name) => PROFILE_NAME.test(name) && isFolder(profileDir(home, name)));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A profile exists when it is built in, has an entry in the config file, or has a folder (its
 * cache): anything else is a name nobody set up, most likely a typo.
 */
export function profileExists(home: string, config: ConfigFileShape, name: string): boolean {
  if ((BUILT_IN_PROFILES as readonly string[]).includes(name)) return true;
  if (config.profiles && Object.hasOwn(config.profiles, name)) return true;
  return isFolder(profileDir(home, name));
}

/** Every existing profile, built-in ones first, then by name. */
export function listProfiles(home: string, config: ConfigFileShape): ProfileSummary[] {
  const found = new Set([...Object.keys(config.profiles ?? {}), ...profileFolders(home)]);
  for (const name of BUILT_IN_PROFILES) found.delete(name);
  const names = [...BUILT_IN_PROFILES, ...[...found].sort()];
  return names.map((name) => ({
    name,
    credentials: Object.keys(config.profiles?.[name]?.credentials ?? {}),
    cache: existsSync(cacheFile(home, name)),
  }));
}
