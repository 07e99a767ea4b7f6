import { homedir } from '../util/lazy-builtins.js';
import { join } from 'node:path';

/**
 * Where voicenum keeps its files: `VOICENUM_HOME` moves everything to one folder (the tests use
 * it); otherwise the platform's data directory. Each profile has a folder of its own holding its
 * cache and, for the sandbox, the fakes' state, so profiles never share data.
 */
export function voicenumHome(env: NodeJS.ProcessEnv): string {
  if (env.VOICENUM_HOME) return env.VOICENUM_HOME;
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'voicenum');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'voicenum');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'voicenum');
}

export function profileDir(home: string, profile: string): string {
  return join(home, 'profiles', profile);
}

export function cacheFile(home: string, profile: string): string {
  return join(profileDir(home, profile), 'cache.db');
}

/** The sandbox fakes' persisted state, in the sandbox profile's folder. */
export function sandboxStateFile(home: string, profile: string): string {
  return join(profileDir(home, profile), 'sandbox-state.db');
}

/** The settings and stored credentials (written by store.ts under a lock, read directly). */
export function configFile(home: string): string {
  return join(home, 'config.json');
}

export const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

export const SANDBOX_PROFILE = 'sandbox';

/**
 * The profile a command line uses: `--sandbox`, which wins over the environment (it is a flag on
 * this line), then `--profile`, then VOICENUM_PROFILE, then `default`.
 */
export function chosenProfile(flags: { sandbox?: boolean; profile?: string }, env: NodeJS.ProcessEnv): string {
  return flags.sandbox ? SANDBOX_PROFILE : (flags.profile ?? (env.VOICENUM_PROFILE || 'default'));
}
