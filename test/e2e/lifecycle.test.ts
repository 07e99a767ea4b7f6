import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The life of a number through the built CLI against the sandbox fakes: import over a SIP trunk and
 * with credentials, a failure at every write of the trunk recipe undone, release with teardown, the
 * irreversible carrier release, and buying — what the fakes hold afterwards is what the command said.
 */
describe('numbers import, release and buy on the sandbox', () => {
  const dir = tempDir();
  const stateFile = join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db');
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--sandbox', ...args], { home: dir.path, env });
  const twilioState = () => readSandboxState(stateFile).twilio;
  let twilioNumbers: string[] = [];

  /** What voicenum could have left on the carrier: trunks, their pieces, credential lists. */
  const leftovers = () => {
    const t = twilioState();
    return { trunks: t.trunks.length, originationUrls: t.originationUrls.length, credentialLists: t.credentialLists.length };
  };
  const routingOf = (e164: string) => {
    const record = twilioState().incomingPhoneNumbers.find((n) => n.phone_number === e164)!;
    return { app: record.voice_application_sid, trunk: record.trunk_sid };
  };

  beforeAll(async () => {
    expect((await cli(['sync'])).code).toBe(0);
    const list = await cli(['numbers', 'list', '--provider', 'twilio', '--plain']);
    // Twilio numbers no platform holds yet: the ones to import.
    twilioNumbers = tsv(list.stdout).filter((row) => row[1] === 'twilio').map((row) => row[0]!);
    expect(twilioNumbers.length).toBeGreaterThan(3);
  });
  afterAll(() => dir.cleanup());

  it('a dry run lists the steps and changes nothing; without a terminal or --yes nothing is done', async () => {
    const before = { ...leftovers(), routing: routingOf(twilioNumbers[0]!) };
    const plan = await cli(['numbers', 'import', twilioNumbers[0]!, '--into', 'retell', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/create an Elastic SIP trunk[^]*import it into Retell/);
    const refused = await cli(['numbers', 'import', twilioNumbers[0]!, '--into', 'retell']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/confirm with --yes/);
    expect({ ...leftovers(), routing: routingOf(twilioNumbers[0]!) }).toEqual(before);
  });

  it('a failure at each write of the trunk recipe is undone: nothing left on the carrier, the routing back, no Retell number', async () => {
    const number = twilioNumbers[1]!;
    const before = { ...leftovers(), routing: routingOf(number) };
    // Twilio writes 1–6 (trunk, origination URL, list, credential, list on trunk, number on trunk), then Retell's import.
    const faults = [1, 2, 3, 4, 5, 6].map((nth) => ({ twilio: { failWrite: { nth, status: 400 } } })).concat([{ retell: { failWrite: { nth: 1, status: 400 } } } as never]);
    for (const [k, plan] of faults.entries()) {
      const result = await cli(['numbers', 'import', number, '--into', 'retell', '--yes'], { VOICENUM_SANDBOX_FAULTS: JSON.stringify(plan) });
      expect(result.code, `step ${k + 1}: ${result.stderr}`).toBe(5);
      expect(result.stderr, `step ${k + 1}`).toMatch(/everything it made was undone and the number is as it was/);
      expect({ ...leftovers(), routing: routingOf(number) }, `step ${k + 1}`).toEqual(before);
      expect(readSandboxState(stateFile).retell.numbers.some((n) => n.phone_number === number), `step ${k + 1}`).toBe(false);
    }
    const show = await cli(['numbers', 'show', number, '--json', 'provider,lifecycle']);
    expect(JSON.parse(show.stdout)).toEqual({ provider: 'twilio', lifecycle: null });
  });

  it('imports over a SIP trunk, then a release tears down what voicenum made and puts the routing back', async () => {
    const number = twilioNumbers[2]!;
    const before = { ...leftovers(), routing: routingOf(number) };
    const imported = await cli(['numbers', 'import', number, '--into', 'retell', '--yes', '--label', 'imported line', '--json', 'operation,state,provider']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ operation: 'import', state: 'done', provider: 'retell' });
    // Upstream: a trunk with the number on it, and Retell's record pointing at the trunk.
    const trunk = twilioState().trunks.find((t) => t.friendly_name.startsWith('voicenum'))!;
    expect(trunk).toBeDefined();
    expect(routingOf(number).trunk).toBe(trunk.sid);
    const retellRecord = readSandboxState(stateFile).retell.numbers.find((n) => n.phone_number === number)!;
    expect(JSON.stringify(retellRecord)).toContain(trunk.domain_name);
    // No generated password in the cache or its journal.
    const history = await cli(['history', number, '--json']);
    expect(history.stdout).toMatch(/lifecycle:trunk/);
    const list = await cli(['numbers', 'list', '--provider', 'retell', '--search', number.slice(2), '--plain']);
    expect(tsv(list.stdout).map((row) => [row[0], row[2]])).toEqual([[number, 'imported line']]);

    const released = await cli(['numbers', 'release', number, '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toMatch(/routing is back/);
    expect({ ...leftovers(), routing: routingOf(number) }).toEqual(before);
    expect(readSandboxState(stateFile).retell.numbers.some((n) => n.phone_number === number)).toBe(false);
  });

  it('imports into a platform with the Twilio credentials (one call)', async () => {
    const number = twilioNumbers[3]!;
    const before = leftovers();
    const result = await cli(['numbers', 'import', number, '--into', 'vapi', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const vapi = readSandboxState(stateFile).vapi.phoneNumbers.find((n) => n.number === number);
    expect(vapi?.provider).toBe('twilio');
    // No trunk: the platform configures the number itself.
    expect(leftovers()).toEqual(before);
  });

  it('giving a number back to Twilio needs it typed again; from a script --yes --confirm NUMBER', async () => {
    const number = twilioNumbers[4]!;
    const refused = await cli(['numbers', 'release', number, '--provider', 'twilio', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/gives it back for good[^]*--yes --confirm/);
    expect(twilioState().incomingPhoneNumbers.some((n) => n.phone_number === number)).toBe(true);
    const wrong = await cli(['numbers', 'release', number, '--provider', 'twilio', '--yes', '--confirm', twilioNumbers[0]!]);
    expect(wrong.code).toBe(3);
    const released = await cli(['numbers', 'release', number, '--provider', 'twilio', '--yes', '--confirm', number]);
    expect(released.code, released.stderr).toBe(0);
    expect(twilioState().incomingPhoneNumbers.some((n) => n.phone_number === number)).toBe(false);
  });

  it('buying needs a yes; with one, the number is bought and listed', async () => {
    const count = () => readSandboxState(stateFile).retell.numbers.length;
    const before = count();
    const refused = await cli(['numbers', 'buy', '--provider', 'retell', '--area-code', '415']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/buying costs money/);
    expect(count()).toBe(before);
    const bought = await cli(['numbers', 'buy', '--provider', 'retell', '--area-code', '415', '--yes', '--json', 'operation,e164']);
    expect(bought.code, bought.stderr).toBe(0);
    const { e164 } = JSON.parse(bought.stdout) as { e164: string };
    expect(e164).toMatch(/^\+1415/);
    expect(count()).toBe(before + 1);
    const listed = await cli(['numbers', 'list', '--provider', 'retell', '--json', 'e164']);
    expect((JSON.parse(listed.stdout) as { e164: string }[]).map((n) => n.e164)).toContain(e164);
  });
});
