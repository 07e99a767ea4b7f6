import { chmodSync, mkdirSync } from 'node:fs';
import { withFileLock } from './file-lock.js';
import { fileFailure } from './local-state.js';
import { configFile } from './paths.js';
import { loadConfigFile, type ConfigFileShape } from './settings.js';

/**
 * Change the configuration. Several voicenum processes may do it at once (`auth login` in one
 * terminal, `config set` in another), so the whole read-modify-write runs under the config file's
 * lock and reads the file afresh inside it: no process writes back a copy that lacks another's
 * key. `conf` writes the new file, which replaces the old atomically and only its owner can read (0600).
 */
export async function updateConfig(home: string, change: (config: ConfigFileShape) => void): Promise<void> {
  const file = configFile(home);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const { default: Conf } = await import('conf');
    // The schema (zod) loads before the lock is taken, so the lock is held for the file work only.
    await import('./schema.js');
    await withFileLock(file, async () => {
      // Read afresh (and validated) under the lock, then written by `conf`: temp file, fsync, rename, 0600.
      const config = await loadConfigFile(home);
      change(config);
      const store = new Conf<ConfigFileShape & Record<string, unknown>>({ cwd: home, configName: 'config', projectName: 'voicenum', configFileMode: 0o600 });
      store.store = config as ConfigFileShape & Record<string, unknown>;
      // A file created before this version may have a wider mode: tighten it every time.
      chmodSync(file, 0o600);
    });
  } catch (error) {
    // The lock and the temp file are voicenum's own names: when they cannot be made, the folder is the problem.
    const { code, path } = error as NodeJS.ErrnoException;
    const blamed = path && path !== file && path.startsWith(`${file}.`) ? { code, path: home } : error;
    throw fileFailure(blamed, home) ?? error;
  }
}
