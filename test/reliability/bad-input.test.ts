import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Bad input of every kind is refused with a clear message and the documented exit code (README
 * "Exit codes"), and nothing is written anywhere: no write reaches a fake provider, and the
 * cache's numbers and audit log read the same before and after.
 */
const plan = buildSeedPlan();
const seeded = (predicate: (n: SeedNumber) => boolean) => {
  const found = plan.numbers.find(predicate);
  if (!found) throw new Error('the seed has no such number');
  return found;
};
const retellFree = seeded((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
const vapiActive = seeded((n) => n.provider === 'vapi' && n.status === 'active');
const twilioOnly = seeded((n) => n.provider === 'twilio' && !plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164));
const noSms = plan.numbers.find((n) => n.provider === 'twilio' && !n.smsCapable && plan.numbers.some((o) => o.provider === 'retell' && o.e164 === n.e164))!;

/** A clear message: one `error:` line naming the problem, never a stack trace or an internal failure. */
function expectClear(stderr: string): void {
  expect(stderr).toMatch(/^error: \S/m);
  expect(stderr).not.toMatch(/unexpected failure|\n\s+at .+[(:]\d+/);
}

/** 100,000 distinct, well-formed numbers, one a line. */
const hugeBatch = Array.from({ length: 100_000 }, (_, i) => `+1415${String(i).padStart(7, '0')}`).join('\n') + '\n';
/** The first bytes of a PNG file: what `assign - < picture.png` would send. */
const binary = '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000\u0001\u0000';

describe('bad input, in-process against the sandbox fakes', () => {
  const cli = useSandboxCli();

  /** expectRefused with standard input: the code, the message, no upstream write, the cache unchanged. */
  const refusedWithStdin = async (args: string[], stdin: string, code: number, message: RegExp) => {
    const before = await cli.cacheSnapshot();
    const writesBefore = cli.writesUpstream().length;
    const result = await cli.run(args, stdin);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expectClear(result.stderr);
    expect(result.stdout).toBe('');
    expect(cli.writesUpstream().length).toBe(writesBefore);
    expect(await cli.cacheSnapshot()).toBe(before);
    return result;
  };
  const refused = async (args: string[], code: number, message: RegExp) => {
    const result = await cli.expectRefused(args, code, message);
    expectClear(result.stderr);
    return result;
  };

  it('refuses malformed numbers with a usage error that quotes them', async () => {
    await refused(['assign', 'hello', '--inbound', 'sales'], 2, /"hello" is not a phone number/);
    await refused(['assign', '+1 415', '--inbound', 'sales'], 2, /"\+1 415" is not a phone number/);
    await refused(['numbers', 'show', 'hello'], 2, /"hello" is not a phone number/);
    await refused(['unassign', '+1 415', '--inbound', '--yes'], 2, /"\+1 415" is not a phone number/);
    await refused(['numbers', 'label', 'hello', 'front desk'], 2, /"hello" is not a phone number/);
  });

  it('refuses impossible numbers (no such country code)', async () => {
    await refused(['assign', '+999 123', '--inbound', 'sales'], 2, /"\+999 123" is not a phone number/);
    await refused(['region', '+999 1234567', 'ie1'], 2, /"\+999 1234567" is not a phone number/);
  });

  it('refuses a well-formed number that is not in the cache', async () => {
    await refused(['assign', '+1 415 555 0199', '--inbound', 'sales', '--yes'], 2, /\+14155550199 is not in the cache/);
  });

  it('refuses an unknown agent, naming where to look', async () => {
    await refused(['assign', retellFree.e164, '--inbound', 'nobody-by-this-name'], 3, /no agent "nobody-by-this-name" at retell/);
  });

  it("refuses another provider's agent", async () => {
    await refused(['assign', retellFree.e164, '--inbound', 'vapi:booking'], 3, /names a vapi agent, but .* is a retell number: a retell number takes retell agents only/);
    await refused(['assign', retellFree.e164, '--inbound', 'booking'], 3, /no retell agent "booking" \(vapi has one/);
  });

  it('refuses a slot the provider lacks, with the reason', async () => {
    await refused(['assign', vapiActive.e164, '--outbound', 'receptionist'], 3, /Vapi numbers have no outbound assignment: Vapi picks the assistant per call/);
    await refused(['assign', twilioOnly.e164, '--outbound', 'main-ivr'], 3, /Twilio numbers have no outbound assignment/);
  });

  it('refuses SMS on a number that cannot text', async () => {
    expect(noSms).toBeDefined();
    await refused(['assign', noSms.e164, '--provider', 'retell', '--sms', 'sms-concierge'], 3, /cannot send or receive texts/);
  });

  it('refuses weights that do not sum to 1, and malformed weights', async () => {
    await refused(['assign', retellFree.e164, '--inbound', 'sales=0.5,support=0.2'], 2, /weights sum to 0.7, not 1/);
    await refused(['assign', retellFree.e164, '--inbound', 'sales=0.9,support=0.3'], 2, /weights sum to 1.2, not 1/);
    const odd = await cli.run(['assign', retellFree.e164, '--inbound', 'sales=abc,support=0.3']);
    expect(odd.code, odd.stderr).toBe(2);
    expectClear(odd.stderr);
  });

  it('refuses an unknown region, naming the valid ones', async () => {
    await refused(['region', twilioOnly.e164, 'eu9'], 3, /"eu9" is not a Twilio inbound processing region; valid: us1, ie1, au1/);
  });

  it('refuses a label too long for the provider', async () => {
    await refused(['numbers', 'label', vapiActive.e164, 'x'.repeat(41)], 3, /a vapi label \(name\) holds at most 40 characters; this one has 41/);
    await refused(['numbers', 'label', twilioOnly.e164, 'y'.repeat(65)], 3, /a twilio label \(friendly_name\) holds at most 64 characters; this one has 65/);
  });

  it('refuses an empty standard input', async () => {
    await refusedWithStdin(['assign', '-', '--inbound', 'sales', '--yes'], '', 2, /no numbers on standard input/);
    await refusedWithStdin(['assign', '-', '--inbound', 'sales', '--yes'], '\n\n# only a comment\n   \n', 2, /no numbers on standard input/);
  });

  it('refuses binary standard input', async () => {
    await refusedWithStdin(['assign', '-', '--inbound', 'sales', '--yes'], binary, 2, /standard input holds binary data/);
    await refusedWithStdin(['unassign', '-', '--yes'], binary, 2, /standard input holds binary data/);
  });

  it('refuses a batch over the 10,000-number limit before reading the cache or pushing', async () => {
    const justOver = Array.from({ length: 10_001 }, (_, i) => `+1415${String(i).padStart(7, '0')}`).join('\n');
    await refusedWithStdin(['assign', '-', '--inbound', 'sales', '--yes'], justOver, 2, /at most 10,000 numbers; this one has 10,001/);
    await refusedWithStdin(['assign', '-', '--inbound', 'sales', '--yes'], hugeBatch, 2, /at most 10,000 numbers; this one has 100,000/);
    await refusedWithStdin(['unassign', '-', '--yes'], hugeBatch, 2, /at most 10,000 numbers/);
  });

  it('refuses unknown flags and commands with a hint', async () => {
    await refused(['numbers', 'list', '--colour'], 2, /unknown option '--colour'[\s\S]*--help/);
    await refused(['assign', retellFree.e164, '--inbound', 'sales', '--yess'], 2, /unknown option '--yess'/);
    await refused(['frobnicate'], 2, /unknown command 'frobnicate'[\s\S]*--help/);
    await refused(['numbrs', 'list'], 2, /unknown command 'numbrs'[\s\S]*Did you mean numbers\?/);
    await refused(['numbers', 'lst'], 2, /unknown command 'lst'[\s\S]*(Did you mean list\?|--help)/);
  });
});

describe('bad input, through the built executable', () => {
  const dir = tempDir();
  const home = dir.path;
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const cli = (args: string[], input?: string) => runCli(['--sandbox', ...args], { home, input, timeoutMs: 60_000 });
  const hash = (file: string) => createHash('sha256').update(JSON.stringify(readSandboxState(file))).digest('hex');
  /** Everything a refused command must leave alone: the fakes' persisted state, the cache and its audit log. */
  const snapshot = async () => {
    const numbers = await cli(['numbers', 'list', '--json']);
    const history = await cli(['history', '--json']);
    expect(numbers.code, numbers.stderr).toBe(0);
    expect(history.code, history.stderr).toBe(0);
    return { upstream: hash(stateFile), numbers: numbers.stdout, history: history.stdout };
  };
  const expectRefused = async (args: string[], input: string | undefined, code: number, message: RegExp): Promise<CliResult> => {
    const before = await snapshot();
    const result = await cli(args, input);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expectClear(result.stderr);
    expect(await snapshot()).toEqual(before);
    return result;
  };

  beforeAll(async () => {
    expect((await runCli(['sandbox', 'reset'], { home })).code).toBe(0);
    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    // One applied change, so the audit log is not trivially empty.
    const applied = await cli(['assign', retellFree.e164, '--inbound', 'sales', '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('refuses a 100,000-line standard input with the batch limit, in bounded time, writing nothing', async () => {
    const result = await expectRefused(['assign', '-', '--inbound', 'support', '--yes'], hugeBatch, 2, /a batch holds at most 10,000 numbers; this one has 100,000/);
    expect(result.stderr).toMatch(/split/);
    expect(result.stdout).toBe('');
  });

  it('refuses empty and binary standard input from a real pipe', async () => {
    await expectRefused(['assign', '-', '--inbound', 'support', '--yes'], '', 2, /no numbers on standard input/);
    await expectRefused(['assign', '-', '--inbound', 'support', '--yes'], binary, 2, /standard input holds binary data/);
  });

  it('refuses unknown flags and commands with exit 2 and a hint', async () => {
    await expectRefused(['numbers', 'list', '--bogus'], undefined, 2, /unknown option '--bogus'[\s\S]*--help/);
    await expectRefused(['frobnicate'], undefined, 2, /unknown command 'frobnicate'[\s\S]*--help/);
    await expectRefused(['numbrs'], undefined, 2, /Did you mean numbers\?/);
    await expectRefused(['assign', retellFree.e164, '--inbound', 'support', '--yes', '--no-such-flag'], undefined, 2, /unknown option '--no-such-flag'/);
  });

  it('refuses malformed and impossible numbers as arguments', async () => {
    await expectRefused(['assign', 'hello', '--inbound', 'support', '--yes'], undefined, 2, /"hello" is not a phone number/);
    await expectRefused(['assign', '+999 123', '--inbound', 'support', '--yes'], undefined, 2, /"\+999 123" is not a phone number/);
  });
});
