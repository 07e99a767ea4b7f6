import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeedPlan, DEFAULT_SEED_NUMBERS } from '../../src/sandbox/seed.js';
import { startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { ROOT, runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

const plan = buildSeedPlan(DEFAULT_SEED_NUMBERS);
const platformNumbers = plan.numbers.filter((n) => n.provider !== 'twilio');
const heldE164 = new Set(platformNumbers.map((n) => n.e164));
const twilioOnly = plan.numbers.filter((n) => n.provider === 'twilio' && !heldE164.has(n.e164));
const expectedRows = platformNumbers.length + twilioOnly.length;

interface JsonNumber {
  e164: string;
  provider: string;
  id: string;
  label: string | null;
  status: string | null;
  region: string | null;
  capabilities: { voice: boolean | null; sms: boolean | null };
  carrier: { providerId: string; region: string | null } | null;
  slots: Record<'inbound' | 'outbound' | 'sms', { agentId: string; name: string | null; weight: number }[] | null>;
}

describe('the read side, end to end on the sandbox', () => {
  const dir = tempDir();
  const home = dir.path;
  const cli = (args: string[], env?: Record<string, string | undefined>) => runCli(args, { home, env });
  let list: JsonNumber[];

  beforeAll(async () => {
    const reset = await cli(['sandbox', 'reset']);
    expect(reset.code, reset.stderr).toBe(0);
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    for (const provider of ['retell', 'vapi', 'bland', 'twilio', 'elevenlabs']) expect(sync.stderr).toMatch(new RegExp(`✓ ${provider}: \\d+ numbers`));
    const json = await cli(['--sandbox', 'numbers', 'list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    list = JSON.parse(json.stdout) as JsonNumber[];
  });
  afterAll(() => dir.cleanup());

  it('lists one row per platform record plus the Twilio numbers no platform holds', () => {
    expect(list).toHaveLength(expectedRows);
    expect(new Set(list.map((n) => `${n.provider} ${n.e164}`)).size).toBe(expectedRows);
    expect(twilioOnly.length).toBeGreaterThan(0);
    for (const twilio of twilioOnly) expect(list.some((n) => n.provider === 'twilio' && n.e164 === twilio.e164)).toBe(true);
  });

  it('joins the Twilio carrier into numbers imported from it, with its region and capabilities', () => {
    const imported = platformNumbers.filter((n) => n.importedFromTwilio);
    expect(imported.length).toBeGreaterThan(3);
    for (const seeded of imported) {
      const row = list.find((n) => n.e164 === seeded.e164 && n.provider === seeded.provider)!;
      const carrier = plan.numbers.find((n) => n.provider === 'twilio' && n.e164 === seeded.e164)!;
      expect(row.carrier?.providerId).toBe(carrier.id);
      expect(row.region).toBe(carrier.region);
      expect(row.capabilities.sms).toBe(carrier.smsCapable);
    }
    const ie1Retell = list.filter((n) => n.provider === 'retell' && n.region === 'ie1');
    expect(ie1Retell.length).toBeGreaterThan(0);
  });

  it('shows each slot as the provider holds it, with names and Retell weights', () => {
    const split = platformNumbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 2)!;
    const row = list.find((n) => n.e164 === split.e164)!;
    expect(row.slots.inbound?.map((a) => [a.name, a.weight])).toEqual([
      ['sales', 0.7],
      ['support', 0.3],
    ]);
    const vapi = list.find((n) => n.provider === 'vapi')!;
    expect(vapi.slots.outbound).toBeNull();
    expect(list.find((n) => n.provider === 'vapi' && n.status === 'blocked')).toBeDefined();
  });

  it('prints tab-separated rows without header or colour when piped, the number first', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list']);
    expect(result.code).toBe(0);
    const rows = tsv(result.stdout);
    expect(rows).toHaveLength(expectedRows);
    expect(rows.every((cells) => cells.length === 8 && /^\+\d+$/.test(cells[0]!))).toBe(true);
    expect(result.stdout).not.toMatch(/\u001b/);
    const plain = await cli(['--sandbox', 'numbers', 'list', '--plain']);
    expect(plain.stdout).toBe(result.stdout);
  });

  it('prints CSV with a header', async () => {
    const result = await cli(['--sandbox', 'numbers', 'list', '--csv']);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('number,provider,label,inbound,outbound,sms,region,status');
    expect(lines).toHaveLength(expectedRows + 1);
  });

  it('selects JSON fields and refuses unknown ones with the valid list', async () => {
    const picked = await cli(['--sandbox', 'numbers', 'list', '--json', 'e164,provider', '--limit', '2']);
    expect(JSON.parse(picked.stdout)).toEqual([
      { e164: list[0]!.e164, provider: list[0]!.provider },
      { e164: list[1]!.e164, provider: list[1]!.provider },
    ]);
    const bad = await cli(['--sandbox', 'numbers', 'list', '--json', 'e164,color']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown field "color"/);
    expect(bad.stderr).toMatch(/fields: e164, provider/);
    const before = await cli(['--sandbox', 'numbers', 'list', '--json', '--limit', '1']);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toHaveLength(1);
  });

  it('filters by provider, vacancy, status, region, search and agent; sorts and limits', async () => {
    const json = async (...args: string[]) => {
      const result = await cli(['--sandbox', 'numbers', 'list', '--json', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as JsonNumber[];
    };
    const retell = await json('--provider', 'retell');
    expect(retell.length).toBe(plan.numbers.filter((n) => n.provider === 'retell').length);
    expect(retell.every((n) => n.provider === 'retell')).toBe(true);

    const vacant = await json('--unassigned', 'inbound');
    expect(vacant.length).toBeGreaterThan(0);
    expect(vacant.every((n) => n.slots.inbound !== null && n.slots.inbound.length === 0)).toBe(true);
    expect(vacant.length).toBe(list.filter((n) => n.slots.inbound?.length === 0).length);

    const outboundVacant = await json('--unassigned', 'outbound');
    expect(outboundVacant.length).toBeGreaterThan(0);
    expect(outboundVacant.length).toBe(list.filter((n) => n.slots.outbound?.length === 0).length);
    expect(outboundVacant.every((n) => n.provider === 'retell')).toBe(true);

    const blocked = await json('--status', 'blocked');
    expect(blocked.map((n) => n.provider)).toEqual(['vapi']);

    const ie1 = await json('--region', 'ie1');
    expect(ie1.length).toBe(list.filter((n) => n.region === 'ie1').length);
    expect(ie1.length).toBeGreaterThan(1);

    const searched = await json('--search', 'vapi 3');
    expect(searched.map((n) => n.label)).toEqual(['vapi 3']);
    const byDigits = await json('--search', list[5]!.e164.slice(-7));
    expect(byDigits.map((n) => n.e164)).toContain(list[5]!.e164);

    const receptionist = await json('--agent', 'receptionist');
    expect(new Set(receptionist.map((n) => n.provider))).toEqual(new Set(['retell', 'vapi', 'bland', 'twilio', 'elevenlabs']));
    expect(receptionist.every((n) => Object.values(n.slots).some((agents) => agents?.some((a) => a.name === 'receptionist')))).toBe(true);
    const onlyVapi = await json('--agent', 'vapi:receptionist');
    expect(onlyVapi.length).toBeGreaterThan(0);
    expect(onlyVapi.every((n) => n.provider === 'vapi')).toBe(true);

    const sorted = await json('--sort', 'provider', '--limit', '5');
    expect(sorted).toHaveLength(5);
    expect(sorted.every((n) => n.provider === 'bland')).toBe(true);
  });

  it('refuses bad filter values as usage errors', async () => {
    for (const args of [['--provider', 'plivo'], ['--sort', 'colour'], ['--unassigned', 'fax'], ['--limit', 'lots']]) {
      const result = await cli(['--sandbox', 'numbers', 'list', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/error:/);
    }
    const unknownAgent = await cli(['--sandbox', 'numbers', 'list', '--agent', 'nobody-by-this-name']);
    expect(unknownAgent.code).toBe(2);
    expect(unknownAgent.stderr).toMatch(/no agent "nobody-by-this-name"/);
  });

  it('shows one number whole, found from a national form', async () => {
    const seeded = platformNumbers.find((n) => n.provider === 'retell' && n.importedFromTwilio && n.e164.startsWith('+1'))!;
    const national = `(${seeded.e164.slice(2, 5)}) ${seeded.e164.slice(5, 8)}-${seeded.e164.slice(8)}`;
    const result = await cli(['--sandbox', 'numbers', 'show', national, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout) as JsonNumber & { removed: boolean };
    expect(shown.e164).toBe(seeded.e164);
    expect(shown.provider).toBe('retell');
    expect(shown.carrier?.providerId).toMatch(/^PN/);
    const text = await cli(['--sandbox', 'numbers', 'show', seeded.e164]);
    expect(text.stdout).toMatch(new RegExp(`^number\\t\\${seeded.e164}$`, 'm'));
    expect(text.stdout).toMatch(/^carrier\ttwilio PN/m);
    const missing = await cli(['--sandbox', 'numbers', 'show', '+15005550000']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not in the cache/);
    const garbage = await cli(['--sandbox', 'numbers', 'show', 'call-me-maybe']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/is not a phone number/);
  });

  it('lists agents with how many numbers each holds per slot', async () => {
    const result = await cli(['--sandbox', 'agents', 'list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const agents = JSON.parse(result.stdout) as { provider: string; id: string; name: string; kind: string; live: boolean | null; numbers: Record<string, number> }[];
    // Every seeded agent, plus the SIP trunk that carries Retell's imported numbers on the Twilio side.
    const trunks = agents.filter((a) => a.kind === 'sip-trunk');
    expect(agents.length).toBe(plan.agents.length + trunks.length);
    expect(trunks).toHaveLength(1);
    // The doctor's seed cases: a Retell import whose Twilio record routes to an application instead
    // of the trunk (that record is no list row, but the application holds it), and a Twilio number
    // on the trunk that no platform holds.
    const routedElsewhere = plan.numbers.filter((n) => n.provider === 'twilio' && n.carrierRouting === 'own-slots');
    const onTrunkUnheld = plan.numbers.filter((n) => n.provider === 'twilio' && n.carrierRouting === 'import-trunk');
    expect([routedElsewhere.length, onTrunkUnheld.length]).toEqual([1, 1]);
    expect(trunks[0]!.numbers.inbound).toBe(platformNumbers.filter((n) => n.provider === 'retell' && n.importedFromTwilio).length - routedElsewhere.length + onTrunkUnheld.length);
    for (const agent of agents.filter((a) => a.kind !== 'sip-trunk')) {
      const holding = list.filter((n) => n.provider === agent.provider);
      for (const slot of ['inbound', 'outbound', 'sms'] as const) {
        const carried = routedElsewhere.filter((n) => n.provider === agent.provider && n.slots[slot].some((a) => a.agentId === agent.id)).length;
        expect(agent.numbers[slot], `${agent.name} ${slot}`).toBe(holding.filter((n) => n.slots[slot]?.some((a) => a.agentId === agent.id)).length + carried);
      }
    }
    const draft = agents.find((a) => a.provider === 'retell' && a.name === 'after-hours')!;
    expect(draft.live).toBe(false);
    const piped = await cli(['--sandbox', 'agents', 'list', '--provider', 'vapi']);
    const vapiAgents = agents.filter((a) => a.provider === 'vapi').length;
    expect(vapiAgents).toBeGreaterThan(0);
    expect(tsv(piped.stdout)).toHaveLength(vapiAgents);
    expect(tsv(piped.stdout).every((cells) => cells[0] === 'vapi')).toBe(true);
  });

  it('warns on stderr when the cache is older than the configured age', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.json'), JSON.stringify({ profiles: { sandbox: { settings: { cacheMaxAge: '0s' } } } }));
    try {
      const result = await cli(['--sandbox', 'numbers', 'list', '--limit', '1']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/warning: the cache of .*retell.* old/);
      expect(tsv(result.stdout)).toHaveLength(1);
    } finally {
      writeFileSync(join(home, 'config.json'), '{}');
    }
  });
});

describe('sync against providers given by address', () => {
  const dir = tempDir();
  let sandbox: SandboxEnvironment;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    dir.cleanup();
  });

  it('fails with the credentials code and names every variable and --sandbox when nothing is configured', async () => {
    const result = await runCli(['sync'], { home: dir.path });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/RETELL_API_KEY/);
    expect(result.stderr).toMatch(/VAPI_API_KEY/);
    expect(result.stderr).toMatch(/BLAND_API_KEY/);
    expect(result.stderr).toMatch(/TWILIO_ACCOUNT_SID/);
    expect(result.stderr).toMatch(/--sandbox/);
  });

  it('syncs the providers that have credentials through VOICENUM_*_BASE_URL, and says which it skipped', async () => {
    const env = { VOICENUM_RETELL_BASE_URL: sandbox.env.VOICENUM_RETELL_BASE_URL, RETELL_API_KEY: sandbox.env.RETELL_API_KEY };
    const result = await runCli(['sync'], { home: dir.path, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/skipped vapi: no VAPI_API_KEY/);
    expect(result.stderr).toMatch(/skipped twilio/);
    const listed = await runCli(['numbers', 'list', '--json', 'provider'], { home: dir.path });
    expect(new Set((JSON.parse(listed.stdout) as { provider: string }[]).map((n) => n.provider))).toEqual(new Set(['retell']));
  });

  it('ends with the credentials code when a key is rejected, without printing the key', async () => {
    const env = { VOICENUM_RETELL_BASE_URL: sandbox.env.VOICENUM_RETELL_BASE_URL, RETELL_API_KEY: 'key_wrong_canary_5511' };
    const result = await runCli(['sync', '--verbose'], { home: dir.path, env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/retell rejected the credentials/);
    expect(result.stderr + result.stdout).not.toContain('key_wrong_canary_5511');
  });
});

describe('the command line itself', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('answers unknown commands and flags with a usage error and a hint', async () => {
    const typo = await runCli(['nubmers', 'list'], { home: dir.path });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'nubmers'/);
    expect(typo.stderr).toMatch(/Did you mean numbers/);
    const flag = await runCli(['numbers', 'list', '--colour'], { home: dir.path });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--colour'/);
  });

  it('keeps --help and --version free of SQLite, the HTTP client, the SDKs and the prompt library', async () => {
    const importsOf = async (args: string[], code = 0) => {
      const trace = join(dir.path, `imports-${args.join('')}.txt`);
      writeFileSync(trace, '');
      const result = await runCli(args, { home: dir.path, env: { VOICENUM_TRACE_IMPORTS: trace }, nodeArgs: ['--import', `${ROOT}test/helpers/trace-imports.mjs`] });
      expect(result.code, result.stderr).toBe(code);
      return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    };
    const heavy = ['addon:better_sqlite3.node', 'better-sqlite3', 'axios', 'twilio', '@inquirer/prompts', 'conf', 'zod', 'libphonenumber-js'];
    // The tracer works: a command that reads the cache does load SQLite.
    expect(await importsOf(['numbers', 'list', '--json'])).toContain('addon:better_sqlite3.node');
    for (const args of [['--help'], ['--version'], ['numbers', 'list', '--help']]) {
      const imported = await importsOf(args);
      for (const name of heavy) {
        expect(imported.some((entry) => entry === name || entry.startsWith(`${name}/`)), `${args.join(' ')} loaded ${name}`).toBe(false);
      }
    }
    // `--help` and `--version` load one file of voicenum's: dist/cli.js, main() and the command tree
    // (commander included), and nothing of what commands load later.
    for (const args of [['--help'], ['--version']]) {
      const loaded = await importsOf(args);
      expect([...new Set(loaded.filter((entry) => entry.startsWith('dist:')))]).toEqual(['dist:cli.js']);
      // Nor do they open a process stream (commander asks the IO for widths and colours).
      expect(loaded.filter((entry) => entry.startsWith('stream:') || entry === 'builtin:node:tty')).toEqual([]);
    }
    // All three process streams are pipes here: a list of a filled cache writes its output itself
    // and opens none of them, nor node:tty to learn that they are not terminals (some ms each).
    // A sync reads Twilio's lists and regions over plain HTTP: the SDK (some 150 ms to load) is for writes.
    const synced = await importsOf(['--sandbox', 'sync']);
    expect(synced).toContain('axios');
    expect(synced.filter((entry) => entry === 'twilio' || entry.startsWith('twilio/'))).toEqual([]);
    const sandboxList = await importsOf(['--sandbox', 'numbers', 'list', '--json']);
    expect(sandboxList).toContain('dist:store-index.js');
    expect(sandboxList.filter((entry) => entry.startsWith('stream:') || entry === 'builtin:node:tty')).toEqual([]);
    const listLoads = await importsOf(['numbers', 'list', '--json']);
    // The tracer sees them: a message on stderr opens it.
    expect(await importsOf(['numbers', 'show', '+19999999999'], 2)).toContain('stream:stderr');
    const listed = [...new Set(listLoads.filter((entry) => entry.startsWith('dist:')))];
    expect(listed.slice(0, 3)).toEqual(['dist:cli.js', 'dist:cli-context.js', 'dist:cli-commands-numbers-list.js']);
    expect(listed).toContain('dist:store-index.js');
    const version = await runCli(['--version'], { home: dir.path });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version);
  });
});
