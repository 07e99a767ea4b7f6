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
const retellFreeOthers = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.e164 !== retellFree.e164);
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
  const cli = (args: string[], input?: string | Uint8Array) => runCli(['--sandbox', ...args], { home, input, timeoutMs: 60_000 });
  const hash = (file: string) => createHash('sha256').update(JSON.stringify(readSandboxState(file))).digest('hex');
  /** Everything a refused command must leave alone: the fakes' persisted state, the cache and its audit log. */
  const snapshot = async () => {
    const numbers = await cli(['numbers', 'list', '--json']);
    const history = await cli(['history', '--json']);
    expect(numbers.code, numbers.stderr).toBe(0);
    expect(history.code, history.stderr).toBe(0);
    return { upstream: hash(stateFile), numbers: numbers.stdout, history: history.stdout };
  };
  const expectRefused = async (args: string[], input: string | Uint8Array | undefined, code: number, message: RegExp): Promise<CliResult> => {
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

  it('refuses a number with anything else in it, naming the argument, instead of reading the number out of it', async () => {
    // Each of these is a seeded number with something after it: libphonenumber alone would find the number.
    const e164 = retellFreeOthers[0]!.e164;
    const before = await snapshot();
    const cases: [string, RegExp][] = [
      [`${e164}x`, /"\+\d+x" is not a phone number: "x" is not part of a phone number/],
      [`${e164} ext 5`, /"\+\d+ ext 5" is not a phone number: it has an extension/],
      [`${e164} ;rm -rf /`, /"\+\d+ ;rm -rf \/" is not a phone number: ";" is not part of a phone number/],
      // What Node makes of an argument whose last byte is not UTF-8 (argv is decoded with U+FFFD).
      [`${e164}\uFFFD`, /is not a phone number: it holds bytes that are not valid UTF-8/],
      [`+${[...e164.slice(1)].map((d) => String.fromCharCode(0x0660 + Number(d))).join('')}`, /is not a phone number: "\u0661" \(U\+0661\) is a digit of another script/],
      [[...e164].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join(''), /is not a phone number: "\uFF0B" is not part of a phone number/],
    ];
    for (const [typed, message] of cases) {
      const result = await cli(['assign', typed, '--inbound', 'support', '--yes']);
      expect(result.code, `${typed}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expectClear(result.stderr);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('accepts the honest forms of a number: national, tel: URI, 00 prefix', async () => {
    const national = retellFreeOthers.find((n) => n.e164.startsWith('+1'))!;
    const irish = plan.numbers.find((n) => n.provider === 'retell' && n.e164.startsWith('+353'))!;
    const digits = national.e164.slice(2);
    const forms = [`(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`, `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`, `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}`, `tel:+1-${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`];
    for (const typed of forms) {
      const shown = await cli(['numbers', 'show', typed, '--json']);
      expect(shown.code, `${typed}: ${shown.stderr}`).toBe(0);
      expect((JSON.parse(shown.stdout) as { e164: string }).e164).toBe(national.e164);
    }
    const viaZeros = await cli(['numbers', 'show', `00${irish.e164.slice(1)}`, '--json']);
    expect(viaZeros.code, viaZeros.stderr).toBe(0);
    expect((JSON.parse(viaZeros.stdout) as { e164: string }).e164).toBe(irish.e164);
  });

  it('a batch from standard input refuses each bad line by its line number and applies the good ones (exit 7)', async () => {
    const [good, trailing, badBytes] = retellFreeOthers;
    const input = Buffer.concat([
      Buffer.from(`# numbers to route\n${good!.e164}\n${trailing!.e164} ;rm -rf /\n`),
      Buffer.from(badBytes!.e164),
      Buffer.from([0xff]),
      Buffer.from('\n'),
    ]);
    const result = await cli(['assign', '-', '--inbound', 'support', '--yes'], input);
    expect(result.code, result.stderr).toBe(7);
    const rows = result.stdout.trim().split('\n').map((line) => line.split('\t'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([good!.e164, 'retell', 'applied', 'inbound: (none) -> support']);
    expect(rows[1]!.slice(2)).toEqual(['refused', `line 3: "${trailing!.e164} ;rm -rf /" is not a phone number: ";" is not part of a phone number`]);
    expect(rows[2]![2]).toBe('refused');
    expect(rows[2]![3]).toMatch(new RegExp(`^line 4: "\\${badBytes!.e164}\uFFFD" is not a phone number: its bytes are not valid UTF-8$`));
    expect(result.stderr).toMatch(/1 of 3 numbers done, 2 failed/);
    // The numbers the bad lines would have been trimmed to are left alone.
    for (const untouched of [trailing!, badBytes!]) {
      const shown = JSON.parse((await cli(['numbers', 'show', untouched.e164, '--json'])).stdout) as { slots: { inbound: unknown[] } };
      expect(shown.slots.inbound, untouched.e164).toEqual([]);
    }
  });

  it('a single bad line on standard input is refused naming its line (exit 2)', async () => {
    const input = Buffer.concat([Buffer.from(`\n${retellFree.e164}`), Buffer.from([0xc3])]);
    await expectRefused(['assign', '-', '--inbound', 'support', '--yes'], input, 2, /^error: line 2: ".*" is not a phone number: its bytes are not valid UTF-8$/m);
  });

  it('refuses an unknown --status or --region with the valid values; known ones match without regard to case', async () => {
    const before = await snapshot();
    const status = await cli(['numbers', 'list', '--status', 'activ']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^error: unknown status "activ" \(did you mean active\?\)$/m);
    expect(status.stderr).toMatch(/^hint: valid statuses: active, activating, blocked, in-use, removed, needs-attention, importing, deleting, buying, corrupted$/m);
    expectClear(status.stderr);
    const region = await cli(['numbers', 'list', '--region', 'eu9']);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(/^error: unknown region "eu9"$/m);
    expect(region.stderr).toMatch(/^hint: valid Twilio inbound processing regions: us1, ie1, au1$/m);
    expectClear(region.stderr);
    expect(await snapshot()).toEqual(before);

    const irish = plan.numbers.filter((n) => n.provider === 'twilio' && n.region === 'ie1' && !plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164));
    expect(irish.length).toBeGreaterThan(0);
    const listed = await cli(['numbers', 'list', '--region', 'IE1', '--provider', 'twilio', '--plain']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => line.split('\t')[0]).sort()).toEqual(irish.map((n) => n.e164).sort());
    const inUse = await cli(['numbers', 'list', '--status', 'In-Use', '--plain']);
    expect(inUse.code, inUse.stderr).toBe(0);
    expect(inUse.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('suggests the closest agent names wherever an agent is named', async () => {
    const before = await snapshot();
    const assign = await cli(['assign', retellFree.e164, '--inbound', 'recepshionist', '--yes']);
    expect(assign.code).toBe(3);
    expect(assign.stderr).toMatch(/no agent "recepshionist" at retell \(did you mean receptionist\?\)/);
    const list = await cli(['numbers', 'list', '--agent', 'suport']);
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/^error: no agent "suport" in the cache \(did you mean support\?\)$/m);
    const show = await cli(['agents', 'show', 'vapi:bookin']);
    expect(show.code).toBe(2);
    expect(show.stderr).toMatch(/^error: no agent "vapi:bookin" in the cache \(did you mean booking\?\)$/m);
    const nothingClose = await cli(['agents', 'show', 'zzzzzz']);
    expect(nothingClose.code).toBe(2);
    expect(nothingClose.stderr).toMatch(/^error: no agent "zzzzzz" in the cache$/m);
    for (const result of [assign, list, show, nothingClose]) expectClear(result.stderr);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a fallback URL with control characters, over 2048 characters, or not http(s), before any call', async () => {
    const before = await snapshot();
    const cases: [string, RegExp][] = [
      ['https://ex\nample.test/fallback', /^error: a fallback URL cannot hold control characters/m],
      [`https://example.test/${'a'.repeat(2048)}`, /^error: a fallback URL holds at most 2048 characters; this one has 2069$/m],
      ['ftp://example.test/fallback', /^error: a Twilio fallback is a URL .*, not "ftp:\/\/example.test\/fallback"$/m],
      ['http:/example.test', /^error: a Twilio fallback is a URL .*, not "http:\/example.test"$/m],
    ];
    for (const [url, message] of cases) {
      const result = await cli(['numbers', 'fallback', twilioOnly.e164, url]);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
      expectClear(result.stderr);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('sorts labels naturally without regard to case, and --reverse reverses any sort', async () => {
    const retell = plan.numbers.filter((n) => n.provider === 'retell');
    expect(retell.length).toBeGreaterThanOrEqual(10);
    const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const expected = [...retell].sort((a, b) => natural.compare(a.label, b.label) || (a.e164 < b.e164 ? -1 : 1)).map((n) => `${n.e164}\t${n.label}`);
    // "retell line 2" comes before "retell line 10": the oracle is not plain text order.
    expect(expected).not.toEqual([...expected].sort());
    const list = async (...args: string[]) => {
      const result = await cli(['numbers', 'list', '--provider', 'retell', '--plain', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.trim().split('\n').map((line) => line.split('\t').slice(0, 3).filter((_, i) => i !== 1).join('\t'));
    };
    expect(await list('--sort', 'label')).toEqual(expected);
    expect(await list('--sort', 'label', '--reverse')).toEqual([...expected].reverse());
    const byNumber = await list();
    expect(byNumber).toHaveLength(retell.length);
    expect(await list('--reverse')).toEqual([...byNumber].reverse());
  });
});
