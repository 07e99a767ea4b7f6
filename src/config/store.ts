import { chmodSync, mkdirSync } from 'node:fs';
import { configFile } from './paths.js';
import type { ConfigFileShape } from './settings.js';

/**
 * Writes to the configuration go through `conf` (atomic writes, a file only its owner can read).
 * Loaded only by the commands that change it: reading is a plain JSON read (settings.ts).
 */
export async function updateConfig(home: string, change: (config: ConfigFileShape) => void): Promise<void> {
  const { default: Conf } = await import('conf');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const store = new Conf<ConfigFileShape & Record<string, unknown>>({ cwd: home, configName: 'config', projectName: 'voicenum', configFileMode: 0o600 });
  const config = structuredClone(store.store) as ConfigFileShape;
  change(config);
  store.store = config as ConfigFileShape & Record<string, unknown>;
  // A file created before this version may have a wider mode: tighten it every time.
  chmodSync(configFile(home), 0o600);
}
