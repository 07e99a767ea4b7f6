import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { main } from '../../src/cli.js';
import { startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import type { Prompter } from '../../src/cli/prompter.js';
import { testIO } from './io.js';
import { tempDir } from './tmp.js';

/**
 * voicenum run in-process through `main()` against freshly seeded sandbox fakes (real HTTP on
 * 127.0.0.1) and an empty cache synced from them, anew for every test.
 */
export function useSandboxCli() {
  const harness = {
    sandbox: undefined as unknown as SandboxEnvironment,
    env: {} as NodeJS.ProcessEnv,
    home: '',
    /** With `prompter`, the IO claims to be a terminal and the prompter answers the questions. */
    async run(args: string[], stdin?: string, prompter?: Prompter) {
      const io = testIO({ stdin, tty: prompter !== undefined });
      const code = await main(args, { io, env: harness.env, ...(prompter ? { prompter: () => prompter } : {}) });
      return { code, stdout: io.out(), stderr: io.err() };
    },
    /** Every write the fakes received so far (list calls that are POSTs excluded). */
    writesUpstream() {
      return Object.values(harness.sandbox.fakes).flatMap((fake) => fake.log.filter((entry) => entry.method !== 'GET' && !entry.path.includes('list-agents')));
    },
    async cacheSnapshot() {
      return (await harness.run(['numbers', 'list', '--json'])).stdout + (await harness.run(['history', '--json'])).stdout;
    },
    setConfig(settings: Record<string, unknown>) {
      writeFileSync(join(harness.home, 'config.json'), JSON.stringify({ profiles: { default: { settings } } }));
    },
    /** Runs a command that must be refused, and proves nothing moved upstream or in the cache. */
    async expectRefused(args: string[], code: number, message: RegExp) {
      const before = await harness.cacheSnapshot();
      const writesBefore = harness.writesUpstream().length;
      const result = await harness.run(args);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(harness.writesUpstream().length).toBe(writesBefore);
      expect(await harness.cacheSnapshot()).toBe(before);
      return result;
    },
  };
  let dir: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    dir = tempDir();
    harness.home = dir.path;
    harness.sandbox = await startSandbox();
    harness.env = { ...harness.sandbox.env, VOICENUM_HOME: dir.path, VOICENUM_HTTP_MAX_ATTEMPTS: '2', VOICENUM_HTTP_BASE_DELAY_MS: '1' };
    harness.setConfig({});
    const sync = await harness.run(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
  });
  afterEach(async () => {
    await harness.sandbox.close();
    dir.cleanup();
  });
  return harness;
}
