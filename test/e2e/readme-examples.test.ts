import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The README's opening example is what the sandbox really prints: its command runs on a fresh
 * sandbox, rendered for a terminal, and the lines shown must be the first lines of the output.
 */
describe('README examples', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('the opening table is the sandbox output of its command', async () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const block = /```console\n\$ voicenum (.+)\n([^]*?)```/.exec(readme);
    expect(block, 'a console block opens the README').not.toBeNull();
    const args = block![1]!.split(' ');
    expect(args).toContain('--sandbox');
    const shown = block![2]!.split('\n').filter((line) => line && line !== '...');
    expect(shown.length).toBeGreaterThan(3);
    expect((await runCli(['--sandbox', 'sync'], { home: dir.path })).code).toBe(0);
    const result = await runCli(args, { home: dir.path, env: { VOICENUM_FORCE_TTY: '1', COLUMNS: '110' } });
    expect(result.code, result.stderr).toBe(0);
    const printed = result.stdout.split('\n').map((line) => line.trimEnd());
    expect(printed.slice(0, shown.length)).toEqual(shown.map((line) => line.trimEnd()));
  });
});
