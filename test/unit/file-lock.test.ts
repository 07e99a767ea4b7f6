import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/config/file-lock.js';
import { LocalStateError } from '../../src/domain/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('the config file lock', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'config.json');
  });
  afterEach(() => dir.cleanup());

  it('runs one holder at a time: 40 overlapping read-modify-writes, none lost', async () => {
    writeFileSync(file, '0');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withFileLock(file, async () => {
          inside += 1;
          most = Math.max(most, inside);
          const value = Number(readFileSync(file, 'utf8'));
          // Yield inside the critical section, so the others really try to get in meanwhile.
          await new Promise((resolve) => setImmediate(resolve));
          writeFileSync(file, String(value + 1));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('40');
    expect(readdirSync(dir.path)).toEqual(['config.json']);
  });

  it('waits for a live owner and then gives up naming it, without touching its lock', async () => {
    const lock = `${file}.lock`;
    const held = JSON.stringify({ pid: process.pid, host: hostname(), token: 'alive' });
    writeFileSync(lock, held);
    let ran = false;
    const attempt = withFileLock(file, () => (ran = true), { timeoutMs: 100 });
    await expect(attempt).rejects.toThrow(LocalStateError);
    await expect(attempt).rejects.toThrow(new RegExp(`being changed by process ${process.pid} on `));
    expect(ran).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(held);
    // Its own draft is gone; only the live owner's lock is left.
    expect(readdirSync(dir.path)).toEqual(['config.json.lock']);
  });

  it('releases the lock when the work throws', async () => {
    let heldDuringWork = false;
    const failing = withFileLock(file, () => {
      heldDuringWork = existsSync(`${file}.lock`);
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(heldDuringWork).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
