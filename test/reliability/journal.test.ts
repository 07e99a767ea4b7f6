import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { testIO } from '../helpers/io.js';

/**
 * The intent journal and the write path under faults: a lost answer, a provider that goes away
 * right after applying a write, a cache that cannot record a write that landed, a sync racing
 * writes, a needs-attention flag the operator fixed by hand, and Ctrl-C between the steps of a
 * policy move. After each, upstream, the cache, `history` and the message must agree.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;

interface RetellWire {
  numbers: { phone_number: string; inbound_agents?: { agent_id: string; weight: number }[] | null }[];
}
interface HistoryRow {
  e164: string;
  field: string;
  outcome: string;
  error: string | null;
  after: unknown;
}

describe('the intent journal', () => {
  const cli = useSandboxCli();
  const { run } = cli;
  const retellUpstream = (e164: string) => (cli.sandbox.state().retell as unknown as RetellWire).numbers.find((n) => n.phone_number === e164)!;
  const cacheFile = () => join(cli.home, 'profiles', 'default', 'cache.db');
  const openRows = () => {
    const db = new Database(cacheFile(), { readonly: true });
    try {
      return db.prepare("SELECT e164, field, outcome FROM audit_log WHERE outcome IN ('pending', 'uncertain')").all() as { e164: string; outcome: string }[];
    } finally {
      db.close();
    }
  };
  const history = async (e164: string) => JSON.parse((await run(['history', e164, '--json'])).stdout) as HistoryRow[];
  const cachedInbound = async (e164: string) => (JSON.parse((await run(['numbers', 'show', e164, '--json'])).stdout) as { slots: { inbound: { agentId: string }[] } }).slots.inbound.map((a) => a.agentId);
  /** A Retell number with an empty inbound slot, and a published agent to put there. */
  const freeRetell = (index = 0) => plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0)[index]!;
  const receptionist = agentId('retell', 'receptionist');

  it('a write whose answer is lost but which landed is read again and recorded applied', async () => {
    const number = freeRetell();
    cli.sandbox.fakes.retell.setFaults({ loseWriteAnswer: { count: -1, as: 502 } });
    const result = await run(['assign', number.e164, '--inbound', 'receptionist']);
    expect(result.code, result.stderr).toBe(0);
    expect(retellUpstream(number.e164).inbound_agents?.map((a) => a.agent_id)).toEqual([receptionist]);
    cli.sandbox.fakes.retell.setFaults({});
    expect(await cachedInbound(number.e164)).toEqual([receptionist]);
    const rows = await history(number.e164);
    expect(rows.map((r) => `${r.field} ${r.outcome}`)).toEqual(['inbound applied']);
    expect(openRows()).toEqual([]);
  });

  it('a lost answer whose re-read fails too is uncertain, and the next command records what really happened', async () => {
    const number = freeRetell();
    cli.sandbox.fakes.retell.setFaults({ loseWriteAnswer: { count: 1, as: 'reset', thenDown: true } });
    const result = await run(['assign', number.e164, '--inbound', 'receptionist']);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/may or may not have reached retell/);
    expect(result.stderr).toMatch(/the next voicenum command checks it upstream/);
    expect((await history(number.e164)).map((r) => r.outcome)).toEqual(['uncertain']);
    // The provider is back. Offline, the entry waits and the command says so.
    cli.sandbox.fakes.retell.setFaults({});
    const offline = await run(['--offline', 'numbers', 'list', '--json', 'e164']);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toMatch(/1 journal entry of an interrupted change waits to be checked upstream; run without --offline/);
    expect(openRows().map((r) => r.outcome)).toEqual(['uncertain']);
    // Any command that opens the cache online settles it.
    const next = await run(['numbers', 'list', '--json', 'e164']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`recovered an interrupted change: \\${number.e164} inbound at retell was applied upstream; recorded now`));
    expect(openRows()).toEqual([]);
    expect((await history(number.e164)).map((r) => r.outcome)).toEqual(['applied']);
    expect(await cachedInbound(number.e164)).toEqual([receptionist]);
    // Running the same command again is "already applied", not a conflict.
    const again = await run(['assign', number.e164, '--inbound', 'receptionist']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already applied/);
  });

  it('label and region writes go through the journal too: lost, uncertain, then settled by the next command', async () => {
    const platform = new Set(plan.numbers.filter((n) => n.provider !== 'twilio').map((n) => n.e164));
    const twilio = plan.numbers.find((n) => n.provider === 'twilio' && !platform.has(n.e164) && n.region === 'us1')!;
    const retell = freeRetell();
    cli.sandbox.fakes.retell.setFaults({ loseWriteAnswer: { count: 1, as: 502, thenDown: true } });
    const label = await run(['numbers', 'label', retell.e164, 'front desk']);
    expect(label.code).toBe(5);
    expect(label.stderr).toMatch(/may or may not have reached retell/);
    cli.sandbox.fakes.twilio.setFaults({ loseWriteAnswer: { count: 1, as: 'reset', thenDown: true } });
    const region = await run(['region', twilio.e164, 'ie1']);
    expect(region.code).toBe(5);
    expect(openRows().map((r) => `${r.e164} ${r.outcome}`).sort()).toEqual([`${retell.e164} uncertain`, `${twilio.e164} uncertain`].sort());
    cli.sandbox.fakes.retell.setFaults({});
    cli.sandbox.fakes.twilio.setFaults({});
    const next = await run(['history', '--json']);
    expect(next.stderr).toContain(`${retell.e164} label at retell was applied upstream; recorded now`);
    expect(next.stderr).toContain(`${twilio.e164} region at twilio was applied upstream; recorded now`);
    expect(openRows()).toEqual([]);
    const shownLabel = JSON.parse((await run(['numbers', 'show', retell.e164, '--json'])).stdout) as { label: string };
    expect(shownLabel.label).toBe('front desk');
    const shownRegion = JSON.parse((await run(['region', twilio.e164, '--json'])).stdout) as { region: string };
    expect(shownRegion.region).toBe('ie1');
    expect((await history(twilio.e164)).map((r) => `${r.field} ${r.outcome}`)).toEqual(['region applied']);
  });

  it('a write the provider refused outright is failed, with nothing left open', async () => {
    const number = freeRetell();
    cli.sandbox.fakes.retell.setFaults({ failWritesAfter: 0 });
    const result = await run(['assign', number.e164, '--inbound', 'receptionist']);
    expect(result.code).toBe(5);
    expect(retellUpstream(number.e164).inbound_agents ?? []).toEqual([]);
    expect((await history(number.e164)).map((r) => r.outcome)).toEqual(['failed']);
    expect(openRows()).toEqual([]);
  });

  it('a cache that cannot record a write that landed: per-number report, exit 8, and the journal keeps the truth', async () => {
    cli.env = { ...cli.env, VOICENUM_CACHE_BUSY_TIMEOUT_MS: '100' };
    const numbers = [freeRetell(0), freeRetell(1)];
    cli.sandbox.fakes.retell.setFaults({ latencyMs: 400 });
    const running = run(['assign', '-', '--inbound', 'receptionist'], numbers.map((n) => n.e164).join('\n'));
    // Once both writes are journalled (and so on their way), another process holds the cache's write lock.
    const blocker = new Database(cacheFile());
    for (let i = 0; i < 400 && openRows().length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(openRows().map((r) => r.outcome)).toEqual(['pending', 'pending']);
    blocker.exec('BEGIN IMMEDIATE');
    const result = await running;
    blocker.exec('ROLLBACK');
    blocker.close();
    cli.sandbox.fakes.retell.setFaults({});
    expect(result.code).toBe(8);
    for (const number of numbers) {
      expect(retellUpstream(number.e164).inbound_agents?.map((a) => a.agent_id)).toEqual([receptionist]);
      expect(result.stdout).toMatch(new RegExp(`^\\${number.e164}\\tretell\\tunrecorded\\t.*applied at retell, but the local cache could not record it \\(database is locked\\)`, 'm'));
    }
    expect(result.stderr).toMatch(/0 of 2 numbers done, 2 failed/);
    expect(openRows().length).toBe(2);
    // The next command records both from upstream.
    const next = await run(['history', '--json']);
    expect(next.stderr.match(/was applied upstream; recorded now/g)?.length).toBe(2);
    expect(openRows()).toEqual([]);
    for (const number of numbers) {
      expect(await cachedInbound(number.e164)).toEqual([receptionist]);
      expect((await history(number.e164)).map((r) => r.outcome)).toEqual(['applied']);
    }
  });

  it('a sync that read upstream before a batch wrote keeps the batch\'s rows', async () => {
    const numbers = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 0);
    expect(numbers.length).toBeGreaterThanOrEqual(4);
    cli.sandbox.fakes.retell.setFaults({ latencyMs: 150 });
    // The sync's upstream read begins first; the batch's writes land while it is still reading.
    const sync = run(['sync', '--provider', 'retell']);
    const batch = run(['assign', '-', '--inbound', 'receptionist'], numbers.map((n) => n.e164).join('\n'));
    const [synced, assigned] = await Promise.all([sync, batch]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(assigned.code, assigned.stderr).toBe(0);
    cli.sandbox.fakes.retell.setFaults({});
    for (const number of numbers) {
      expect(retellUpstream(number.e164).inbound_agents?.map((a) => a.agent_id)).toEqual([receptionist]);
      expect(await cachedInbound(number.e164), number.e164).toEqual([receptionist]);
    }
    expect(synced.stderr).toMatch(/changed by a write during the sync, kept as written/);
  });
});

describe('needs-attention and interruptions of a policy move', () => {
  const cli = useSandboxCli();
  const { run } = cli;
  interface VapiWire {
    phoneNumbers: { id: string; assistantId?: string | null }[];
  }
  const vapiUpstream = (id: string) => (cli.sandbox.state().vapi as unknown as VapiWire).phoneNumbers.find((n) => n.id === id)!;
  const holders = () => plan.numbers.filter((n) => n.provider === 'vapi' && n.slots.inbound[0]?.agentId === agentId('vapi', 'booking')).sort((a, b) => a.e164.localeCompare(b.e164));
  const target = () => plan.numbers.find((n) => n.provider === 'vapi' && n.status === 'active' && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist') && !n.importedFromTwilio)!;

  it('sync clears needs-attention once the operator has set the number back by hand, and says so', async () => {
    cli.setConfig({ oneNumberPerAgent: true });
    const number = target();
    cli.sandbox.fakes.vapi.setFaults({ failWritesAfter: 1 });
    const failed = await run(['assign', number.e164, '--inbound', 'booking', '--yes']);
    expect(failed.code).toBe(5);
    cli.sandbox.fakes.vapi.setFaults({});
    // Not fixed yet: the flag stays, and sync says what still differs.
    const early = await run(['sync', '--provider', 'vapi']);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stderr).toMatch(new RegExp(`\\${number.e164} still needs attention at vapi: inbound is`));
    const stillFlagged = JSON.parse((await run(['numbers', 'list', '--status', 'needs-attention', '--json', 'e164'])).stdout) as { e164: string }[];
    expect(stillFlagged.map((n) => n.e164)).toEqual([number.e164]);
    // The operator follows the message on the dashboard.
    vapiUpstream(number.id).assistantId = agentId('vapi', 'receptionist');
    const fixed = await run(['sync', '--provider', 'vapi']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toMatch(new RegExp(`\\${number.e164} no longer needs attention: vapi now holds what the fix asked for`));
    const flagged = JSON.parse((await run(['numbers', 'list', '--status', 'needs-attention', '--json', 'e164'])).stdout) as { e164: string }[];
    expect(flagged).toEqual([]);
    const again = await run(['assign', number.e164, '--inbound', 'booking', '--yes']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('Ctrl-C between the steps of a policy move undoes the steps done, reports it, and exits 130', async () => {
    cli.setConfig({ oneNumberPerAgent: true });
    const number = target();
    const [first, second] = holders();
    cli.sandbox.fakes.vapi.setFaults({ latencyMs: 100 });
    const signals = new EventEmitter();
    const io = testIO();
    const exits: number[] = [];
    const running = main(['assign', number.e164, '--inbound', 'booking', '--yes'], { io, env: cli.env, signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>, exit: (code) => exits.push(code) });
    // The first step's write has reached the fake: the operator presses Ctrl-C.
    const writes = () => cli.sandbox.fakes.vapi.log.filter((e) => e.method === 'PATCH').length;
    for (let i = 0; i < 500 && writes() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    signals.emit('SIGINT');
    const code = await running;
    cli.sandbox.fakes.vapi.setFaults({});
    expect(exits).toEqual([]);
    expect(code).toBe(130);
    expect(io.err()).toMatch(/stopping: letting the changes in flight finish/);
    expect(io.out()).toMatch(/rolled-back/);
    expect(vapiUpstream(number.id).assistantId).toBe(agentId('vapi', 'receptionist'));
    expect(vapiUpstream(first!.id).assistantId).toBe(agentId('vapi', 'booking'));
    expect(vapiUpstream(second!.id).assistantId).toBe(agentId('vapi', 'booking'));
    // The steps done before the signal (at least the first, not all three) are undone newest first.
    const rows = JSON.parse((await run(['history', '--json'])).stdout) as HistoryRow[];
    const applied = rows.filter((r) => r.outcome === 'applied').map((r) => r.e164);
    expect(applied[0]).toBe(number.e164);
    expect(applied.length).toBeLessThan(3);
    expect(rows.map((r) => `${r.e164} ${r.outcome}`)).toEqual([...applied.map((e) => `${e} applied`), ...[...applied].reverse().map((e) => `${e} rolled-back`)]);
    const cached = JSON.parse((await run(['numbers', 'show', number.e164, '--json'])).stdout) as { slots: { inbound: { agentId: string }[] } };
    expect(cached.slots.inbound.map((a) => a.agentId)).toEqual([agentId('vapi', 'receptionist')]);
  });

  it('a second Ctrl-C ends the run at once', async () => {
    const number = target();
    cli.sandbox.fakes.vapi.setFaults({ latencyMs: 300 });
    const signals = new EventEmitter();
    const exits: number[] = [];
    const running = main(['assign', number.e164, '--inbound', 'booking', '--yes'], { io: testIO(), env: cli.env, signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>, exit: (code) => exits.push(code) });
    const requests = () => cli.sandbox.fakes.vapi.log.length;
    const before = requests();
    for (let i = 0; i < 500 && requests() === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    signals.emit('SIGINT');
    expect(exits).toEqual([]);
    signals.emit('SIGINT');
    expect(exits).toEqual([130]);
    await running;
    cli.sandbox.fakes.vapi.setFaults({});
  });
});
