import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan, type SeedNumber } from '../../src/sandbox/seed.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * drift and undo through the built executable on the persisted sandbox. A dashboard change is an
 * edit of the fakes' persisted state between two commands, as a person at the provider's dashboard
 * would make it.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;
const vacantRetell = (n: SeedNumber) => n.provider === 'retell' && n.slots.inbound.length === 0 && n.slots.outbound.length === 0 && n.slots.sms.length === 0;

interface DriftJson {
  e164: string;
  provider: string;
  id: string;
  field: string;
  kind: string;
  known: unknown;
  upstream: unknown;
  knownAt: string | null;
  restore: string | null;
}

interface HistoryJson {
  id: number;
  batch: string;
  e164: string;
  field: string;
  outcome: string;
  error: string | null;
  after: unknown;
}

describe('drift and undo, end to end on the sandbox', () => {
  const dir = tempDir();
  const cli = (args: string[], input?: string) => runCli(['--sandbox', ...args], { home: dir.path, input });
  const stateFile = join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db');
  const retellNumber = (e164: string) => readSandboxState(stateFile).retell.numbers.find((n) => n.phone_number === e164)!;
  const onDashboard = (change: (state: SandboxState) => void) => {
    const state = readSandboxState(stateFile);
    change(state);
    writeSandboxState(stateFile, state);
  };
  const history = async () => JSON.parse((await cli(['history', '--json'])).stdout) as HistoryJson[];
  const [first, second] = plan.numbers.filter(vacantRetell);
  const third = plan.numbers.find((n) => n.provider === 'retell' && n.slots.outbound.length === 0 && !vacantRetell(n));
  const receptionist = agentId('retell', 'receptionist');
  const support = agentId('retell', 'support');

  beforeEach(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
    expect((await cli(['sync'])).code).toBe(0);
  }, 120_000);
  afterAll(() => dir.cleanup());

  it('a dashboard change after an assign shows in drift (exit 11, JSON), is not written to the cache, and its restore command puts it back; sync accepts the rest', async () => {
    expect(first && second && third).toBeTruthy();
    const assigned = await cli(['assign', first!.e164, '--inbound', 'receptionist']);
    expect(assigned.code, assigned.stderr).toBe(0);
    const clean = await cli(['drift']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toMatch(/no drift/);

    onDashboard((state) => {
      const number = state.retell.numbers.find((n) => n.phone_number === first!.e164)!;
      number.inbound_agents = [{ agent_id: support, weight: 1 }];
      number.nickname = 'edited by hand';
    });
    const found = await cli(['drift', '--json']);
    expect(found.code, found.stderr).toBe(11);
    const items = JSON.parse(found.stdout) as DriftJson[];
    expect(items.map((i) => [i.e164, i.provider, i.field, i.kind])).toEqual([
      [first!.e164, 'retell', 'inbound', 'changed'],
      [first!.e164, 'retell', 'label', 'changed'],
    ]);
    expect(items[0]).toMatchObject({ id: first!.id, known: [{ agentId: receptionist, weight: 1, version: null }], upstream: [{ agentId: support, weight: 1, version: null }] });
    expect(items[1]).toMatchObject({ known: first!.label, upstream: 'edited by hand' });
    expect(items[0]!.knownAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(items[0]!.restore).toBe(`voicenum --sandbox sync --provider retell && voicenum --sandbox assign ${first!.e164} --provider retell --inbound ${receptionist} --yes`);

    // Piped: one row per field, upstream before known, then the kind and the restore command.
    const piped = await cli(['drift', '--provider', 'retell']);
    expect(piped.code).toBe(11);
    expect(tsv(piped.stdout).map((r) => r.slice(0, 6))).toEqual([
      [first!.e164, 'retell', 'inbound', 'support', 'receptionist', 'changed'],
      [first!.e164, 'retell', 'label', 'edited by hand', first!.label, 'changed'],
    ]);
    // drift wrote nothing: the cache still holds what voicenum knew, so it is reported again.
    const shown = JSON.parse((await cli(['numbers', 'show', first!.e164, '--json'])).stdout) as { label: string; slots: { inbound: { agentId: string }[] } };
    expect([shown.label, shown.slots.inbound.map((a) => a.agentId)]).toEqual([first!.label, [receptionist]]);

    // The restore command, run as printed, puts the agent back upstream.
    for (const command of items[0]!.restore!.split(' && ')) {
      const words = command.split(' ');
      expect(words.slice(0, 2)).toEqual(['voicenum', '--sandbox']);
      const run = await cli(words.slice(2));
      expect(run.code, run.stderr).toBe(0);
    }
    expect(retellNumber(first!.e164).inbound_agents).toEqual([{ agent_id: receptionist, weight: 1 }]);
    // The restore's sync took the label in: nothing is left to report.
    const after = await cli(['drift', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([]);
  }, 120_000);

  it('after sync, drift shows nothing: sync accepts a dashboard change', async () => {
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === second!.e164)!.outbound_agents = [{ agent_id: agentId('retell', 'outbound-dialer'), weight: 1 }];
    });
    expect((await cli(['drift'])).code).toBe(11);
    expect((await cli(['sync', '--provider', 'retell'])).code).toBe(0);
    const after = await cli(['drift']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('');
  }, 120_000);

  it('a provider that cannot be read makes its drift unknown, never clean: exit 7 beside the others, its own code alone', async () => {
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === second!.e164)!.nickname = 'by hand';
    });
    const env = { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ vapi: { serverError: { count: -1, status: 503 } } }), VOICENUM_HTTP_MAX_ATTEMPTS: '1' };
    const partial = await runCli(['--sandbox', 'drift', '--json'], { home: dir.path, env });
    expect(partial.code, partial.stderr).toBe(7);
    expect((JSON.parse(partial.stdout) as DriftJson[]).map((i) => [i.e164, i.field])).toEqual([[second!.e164, 'label']]);
    expect(partial.stderr).toMatch(/vapi: .*its drift is unknown/);
    const alone = await runCli(['--sandbox', 'drift', '--provider', 'vapi'], { home: dir.path, env });
    expect(alone.code).toBe(5);
  }, 120_000);

  it('undo --last puts an assignment back through the push path, needs a yes, and an undo of the undo redoes it', async () => {
    expect((await cli(['assign', first!.e164, '--inbound', 'receptionist'])).code).toBe(0);
    const unconfirmed = await cli(['undo', '--last']);
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stderr).toMatch(/confirm with --yes/);
    expect(retellNumber(first!.e164).inbound_agents).toEqual([{ agent_id: receptionist, weight: 1 }]);

    const undone = await cli(['undo', '--last', '--yes']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(tsv(undone.stdout)).toEqual([[first!.e164, 'retell', 'applied', 'inbound: receptionist -> (none)']]);
    expect(retellNumber(first!.e164).inbound_agents ?? []).toEqual([]);
    const log = await history();
    expect(log.map((h) => [h.e164, h.field, h.outcome, h.error])).toEqual([
      [first!.e164, 'inbound', 'applied', null],
      [first!.e164, 'inbound', 'applied', `undo of change ${log[0]!.id}`],
    ]);
    expect(log[1]!.batch).not.toBe(log[0]!.batch);

    const redone = await cli(['undo', '--last', '--yes']);
    expect(redone.code, redone.stderr).toBe(0);
    expect(retellNumber(first!.e164).inbound_agents).toEqual([{ agent_id: receptionist, weight: 1 }]);
    expect((await history()).at(-1)!.error).toBe(`undo of change ${log[1]!.id}`);
    // Every write went through the cache too: no drift anywhere.
    expect((await cli(['drift'])).code).toBe(0);
  }, 120_000);

  it('undo refuses a number changed since the change (exit 6), in the cache or upstream; --force sets it back', async () => {
    expect((await cli(['assign', first!.e164, '--inbound', 'receptionist'])).code).toBe(0);
    const [assignedId] = (await history()).map((h) => h.id);
    // Changed by voicenum since: the cache knows.
    expect((await cli(['assign', first!.e164, '--inbound', 'sales', '--yes'])).code).toBe(0);
    const refused = await cli(['undo', String(assignedId), '--yes']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(new RegExp(`${first!.e164.replace('+', '\\+')}: inbound is sales now, not receptionist as change ${assignedId} left it`));
    expect(retellNumber(first!.e164).inbound_agents).toEqual([{ agent_id: agentId('retell', 'sales'), weight: 1 }]);
    const dry = await cli(['undo', String(assignedId), '--dry-run']);
    expect(dry.code).toBe(6);
    expect(tsv(dry.stdout).map((r) => r[5])).toEqual(['unassign', 'conflict']);
    const forced = await cli(['undo', String(assignedId), '--force', '--yes']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(retellNumber(first!.e164).inbound_agents ?? []).toEqual([]);

    // Changed on a dashboard since: the push's freshness read finds it.
    expect((await cli(['assign', second!.e164, '--inbound', 'receptionist'])).code).toBe(0);
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === second!.e164)!.inbound_agents = [{ agent_id: support, weight: 1 }];
    });
    const conflict = await cli(['undo', '--last', '--yes']);
    expect(conflict.code).toBe(6);
    expect(conflict.stderr).toMatch(/inbound is support upstream but receptionist in the cache/);
    expect(retellNumber(second!.e164).inbound_agents).toEqual([{ agent_id: support, weight: 1 }]);
    const overridden = await cli(['undo', '--last', '--yes', '--force']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(retellNumber(second!.e164).inbound_agents ?? []).toEqual([]);
  }, 120_000);

  it('--batch ID (or its first characters) reverts every number of a batch', async () => {
    const numbers = [first!, second!, third!].map((n) => n.e164);
    const batch = await cli(['assign', '-', '--outbound', 'outbound-dialer'], `${numbers.join('\n')}\n`);
    expect(batch.code, batch.stderr).toBe(0);
    // A later, unrelated change: --batch names the older run, not the last one.
    expect((await cli(['numbers', 'label', first!.e164, 'kept'])).code).toBe(0);
    const log = await history();
    const batchId = log[0]!.batch;
    expect(log.filter((h) => h.batch === batchId).map((h) => h.e164).sort()).toEqual([...numbers].sort());
    const undone = await cli(['undo', '--batch', batchId.slice(0, 8), '--yes']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(tsv(undone.stdout).map((r) => [r[0], r[2]]).sort()).toEqual(numbers.map((e164) => [e164, 'applied']).sort());
    for (const e164 of numbers) expect(retellNumber(e164).outbound_agents ?? []).toEqual([]);
    expect(retellNumber(first!.e164).nickname).toBe('kept');
  }, 120_000);

  it('an unknown change id or batch is a usage error (exit 2); a change that failed has nothing to undo (exit 3)', async () => {
    const unknown = await cli(['undo', '999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no change 999 in the audit log/);
    expect((await cli(['undo', 'abc'])).code).toBe(2);
    expect((await cli(['undo', '--batch', 'ffffffff'])).stderr).toMatch(/no batch ffffffff/);
    const none = await cli(['undo']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/CHANGE-ID, --batch ID or --last/);
    expect((await cli(['undo', '--last'])).code).toBe(2);

    // A write refused upstream is logged as failed: there is nothing to take back.
    expect((await cli(['assign', first!.e164, '--inbound', 'receptionist'], undefined)).code).toBe(0);
    onDashboard((state) => {
      state.retell.numbers.find((n) => n.phone_number === first!.e164)!.inbound_agents = [{ agent_id: support, weight: 1 }];
    });
    expect((await cli(['assign', first!.e164, '--inbound', 'sales', '--yes'])).code).toBe(6);
    const conflicted = (await history()).at(-1)!;
    expect(conflicted.outcome).toBe('conflict');
    const nothing = await cli(['undo', String(conflicted.id), '--yes']);
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toMatch(/nothing to undo: change \d+ changed nothing upstream \(conflict\)/);
  }, 120_000);

  it('writes on every provider leave no drift: what a write records is what a full read finds', async () => {
    const pick = (provider: string) => plan.numbers.find((n) => n.provider === provider && !(n.provider === 'vapi' && n.status !== 'active'))!;
    const twilio = plan.numbers.find((n) => n.provider === 'twilio' && n.region === 'us1')!;
    const writes = [
      ['numbers', 'label', pick('retell').e164, 'relabelled', '--provider', 'retell'],
      ['numbers', 'label', pick('vapi').e164, 'relabelled', '--provider', 'vapi'],
      ['numbers', 'label', pick('bland').e164, 'relabelled', '--provider', 'bland'],
      ['numbers', 'label', twilio.e164, 'relabelled', '--provider', 'twilio'],
      ['numbers', 'fallback', first!.e164, plan.numbers.find((n) => n.provider === 'retell' && n !== first && !n.fallback)!.e164, '--provider', 'retell'],
      ['region', twilio.e164, 'ie1', '--provider', 'twilio'],
      ['assign', first!.e164, '--inbound', 'sales@1=0.5,support=0.5', '--outbound', 'outbound-dialer', '--yes'],
      ['assign', pick('vapi').e164, '--inbound', 'booking', '--provider', 'vapi', '--yes'],
      ['assign', pick('bland').e164, '--inbound', 'intake-flow', '--provider', 'bland', '--yes'],
    ];
    for (const args of writes) {
      const result = await cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect((await history()).filter((h) => h.outcome === 'applied').length).toBeGreaterThanOrEqual(writes.length);
    const after = await cli(['drift', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([]);
  }, 120_000);

  it('undo sets settings back too (label, region), and the rules still apply to it', async () => {
    const twilio = plan.numbers.find((n) => n.provider === 'twilio' && n.region === 'us1')!;
    expect((await cli(['numbers', 'label', first!.e164, 'temporary'])).code).toBe(0);
    expect((await cli(['region', twilio.e164, 'au1', '--provider', 'twilio'])).code).toBe(0);
    const labelled = await cli(['undo', String((await history())[0]!.id), '--yes']);
    expect(labelled.code, labelled.stderr).toBe(0);
    expect(retellNumber(first!.e164).nickname).toBe(first!.label);
    const region = await cli(['undo', '--batch', (await history())[1]!.batch, '--yes', '--json']);
    expect(region.code, region.stderr).toBe(0);
    expect(JSON.parse(region.stdout)).toMatchObject([{ e164: twilio.e164, provider: 'twilio', outcome: 'applied', changes: [{ field: 'region', before: 'au1', after: 'us1' }] }]);
    expect(JSON.parse((await cli(['region', twilio.e164, '--provider', 'twilio', '--json', 'region'])).stdout)).toEqual({ region: 'us1' });

    // Rule 4: putting back an agent that was deleted upstream since is refused, nothing pushed.
    expect((await cli(['assign', second!.e164, '--inbound', 'receptionist'])).code).toBe(0);
    expect((await cli(['assign', second!.e164, '--inbound', 'sales', '--yes'])).code).toBe(0);
    onDashboard((state) => {
      state.retell.agents = state.retell.agents.filter((a) => a.agent_id !== receptionist);
    });
    expect((await cli(['sync', '--provider', 'retell'])).code).toBe(0);
    const refused = await cli(['undo', '--last', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/inbound: (no agent "agent_\w+" at retell|agent receptionist .* was deleted)/);
    expect(retellNumber(second!.e164).inbound_agents).toEqual([{ agent_id: agentId('retell', 'sales'), weight: 1 }]);
  }, 120_000);

  it('history shows change ids and batch ids, in the table and in JSON', async () => {
    expect((await cli(['assign', first!.e164, '--inbound', 'receptionist'])).code).toBe(0);
    const log = await history();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: expect.any(Number), batch: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const rows = tsv((await cli(['history'])).stdout);
    expect(rows.map((r) => r.slice(0, 2))).toEqual([[String(log[0]!.id), log[0]!.batch]]);
    expect(JSON.parse((await cli(['history', '--json', 'id,batch'])).stdout)).toEqual([{ id: log[0]!.id, batch: log[0]!.batch }]);
  }, 120_000);
});
