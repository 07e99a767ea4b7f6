import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('flags that take one value', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('a slot flag given twice is a usage error naming both values, and nothing is read or written', async () => {
    for (const slot of ['--inbound', '--outbound', '--sms']) {
      const result = await runCli(['--sandbox', 'assign', '+12062000000', slot, 'sales', slot, 'support', '--yes', '--verbose'], { home: dir.path });
      expect(result.code, slot).toBe(2);
      expect(result.stderr).toContain(`${slot} is given twice ("sales" and "support")`);
      expect(result.stderr).not.toMatch(/GET |PATCH |POST /);
    }
    const history = await runCli(['--sandbox', 'history', '--json'], { home: dir.path });
    expect(JSON.parse(history.stdout)).toEqual([]);
  });
});
