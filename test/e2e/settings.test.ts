import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

const plan = buildSeedPlan();
const imported = plan.numbers.find((n) => n.provider === 'retell' && n.importedFromTwilio && plan.numbers.find((t) => t.provider === 'twilio' && t.e164 === n.e164)?.region === 'us1')!;

describe('number settings through the built CLI on the sandbox', () => {
  const dir = tempDir();
  const cli = (args: string[]) => runCli(args, { home: dir.path });
  beforeAll(async () => {
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('sets ie1 on a Retell number imported from Twilio; after a re-sync numbers list --json shows ie1', async () => {
    const set = await cli(['--sandbox', 'numbers', 'region', imported.e164, 'ie1']);
    expect(set.code, set.stderr).toBe(0);
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
    const listed = JSON.parse((await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--json', 'e164,region,carrier'])).stdout) as { e164: string; region: string; carrier: { region: string } }[];
    const row = listed.find((n) => n.e164 === imported.e164)!;
    expect(row.region).toBe('ie1');
    expect(row.carrier.region).toBe('ie1');
  });

  it('labels a number and shows it in the table columns when piped', async () => {
    expect((await cli(['--sandbox', 'numbers', 'label', imported.e164, 'Dublin desk'])).code).toBe(0);
    const row = (await cli(['--sandbox', 'numbers', 'list', '--search', 'dublin desk'])).stdout.trim().split('\t');
    expect(row[0]).toBe(imported.e164);
    expect(row[2]).toBe('Dublin desk');
    expect(row[6]).toBe('ie1');
  });
});
