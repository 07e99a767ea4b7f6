import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

const plan = buildSeedPlan();

interface Listed {
  e164: string;
  provider: string;
  slots: Record<string, { name: string | null }[] | null>;
}

describe('assign and unassign, end to end on the sandbox', () => {
  const dir = tempDir();
  const cli = (args: string[], input?: string) => runCli(args, { home: dir.path, input });
  const listed = async (...args: string[]) => JSON.parse((await cli(['--sandbox', 'numbers', 'list', '--json', ...args])).stdout) as Listed[];
  const show = async (e164: string) => JSON.parse((await cli(['--sandbox', 'numbers', 'show', e164, '--json'])).stdout) as Listed;
  const names = (number: Listed, slot: string) => number.slots[slot]?.map((a) => a.name);

  beforeAll(async () => {
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('assigns by name, and a fresh sync still shows it: it reached upstream', async () => {
    const vacant = (await listed('--provider', 'retell', '--unassigned', 'inbound'))[0]!;
    const result = await cli(['--sandbox', 'assign', vacant.e164, '--inbound', 'receptionist']);
    expect(result.code, result.stderr).toBe(0);
    expect(tsv(result.stdout)).toEqual([[vacant.e164, 'retell', 'applied', 'inbound: (none) -> receptionist']]);
    expect((await cli(['--sandbox', 'sync', '--provider', 'retell'])).code).toBe(0);
    expect(names(await show(vacant.e164), 'inbound')).toEqual(['receptionist']);
    // The fake's own persisted state holds it too.
    const state = readSandboxState(join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db'));
    const upstream = state.retell.numbers.find((n) => n.phone_number === vacant.e164)!;
    const receptionist = plan.agents.find((a) => a.provider === 'retell' && a.name === 'receptionist')!;
    expect(upstream.inbound_agents).toEqual([{ agent_id: receptionist.id, weight: 1 }]);
  });

  it('assigns a weighted split with a version pin, then unassigns every slot', async () => {
    const number = (await listed('--provider', 'retell', '--unassigned'))[0]!;
    const assigned = await cli(['--sandbox', 'numbers', 'assign', number.e164, '--inbound', 'sales@1=0.5,support=0.5', '--sms', 'sms-concierge']);
    expect(assigned.code, assigned.stderr).toBe(0);
    await cli(['--sandbox', 'sync', '--provider', 'retell']);
    const synced = await show(number.e164);
    expect(synced.slots.inbound).toMatchObject([
      { name: 'sales', weight: 0.5, version: '1' },
      { name: 'support', weight: 0.5, version: null },
    ]);
    expect(names(synced, 'sms')).toEqual(['sms-concierge']);
    const refused = await cli(['--sandbox', 'unassign', number.e164]);
    expect(refused.code).toBe(3);
    const unassigned = await cli(['--sandbox', 'unassign', number.e164, '--yes']);
    expect(unassigned.code, unassigned.stderr).toBe(0);
    await cli(['--sandbox', 'sync', '--provider', 'retell']);
    const empty = await show(number.e164);
    expect([names(empty, 'inbound'), names(empty, 'outbound'), names(empty, 'sms')]).toEqual([[], [], []]);
  });

  it('a dry run prints the plan and changes nothing upstream', async () => {
    const number = (await listed('--provider', 'vapi', '--status', 'active'))[0]!;
    const before = names(number, 'inbound');
    const dry = await cli(['--sandbox', 'assign', number.e164, '--inbound', 'booking', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(tsv(dry.stdout)).toEqual([[number.e164, 'vapi', 'inbound', before?.join(', ') || '(none)', 'booking', before?.length ? 'move' : 'assign', '']]);
    await cli(['--sandbox', 'sync', '--provider', 'vapi']);
    expect(names(await show(number.e164), 'inbound')).toEqual(before);
  });

  it('a move without --yes in a pipe fails; with --yes it succeeds', async () => {
    const number = (await listed('--provider', 'twilio', '--agent', 'main-ivr'))[0]!;
    const refused = await cli(['--sandbox', 'assign', number.e164, '--inbound', 'receptionist']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/confirm with --yes/);
    const moved = await cli(['--sandbox', 'assign', number.e164, '--inbound', 'receptionist', '--yes']);
    expect(moved.code, moved.stderr).toBe(0);
    await cli(['--sandbox', 'sync', '--provider', 'twilio']);
    expect(names(await show(number.e164), 'inbound')).toEqual(['receptionist']);
  });

  it('a stdin batch with one bad number exits with the partial code and applies the rest', async () => {
    const piped = await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--unassigned', 'outbound', '--plain']);
    const lines = piped.stdout.trim().split('\n').slice(0, 3);
    expect(lines.length).toBe(3);
    const input = [...lines, 'not a number', ''].join('\n');
    const batch = await cli(['--sandbox', 'assign', '-', '--outbound', 'outbound-dialer'], input);
    expect(batch.code, batch.stderr).toBe(7);
    const rows = tsv(batch.stdout);
    expect(rows.filter((r) => r[2] === 'applied').map((r) => r[0])).toEqual(lines.map((l) => l.split('\t')[0]));
    expect(rows.find((r) => r[0] === 'not a number')?.[2]).toBe('refused');
    expect(batch.stderr).toMatch(/3 of 4 numbers done, 1 failed/);
    await cli(['--sandbox', 'sync', '--provider', 'retell']);
    for (const line of lines) expect(names(await show(line.split('\t')[0]!), 'outbound')).toEqual(['outbound-dialer']);
  });

  it('history --json shows every change with who, what, before, after and outcome', async () => {
    const result = await cli(['--sandbox', 'history', '--json']);
    expect(result.code).toBe(0);
    const history = JSON.parse(result.stdout) as { e164: string; field: string; outcome: string; osUser: string; before: unknown[]; after: { name: string }[] }[];
    // first assign + split assign (2 slots) + unassign (2 slots) + move + 3 batch numbers
    expect(history.filter((h) => h.outcome === 'applied')).toHaveLength(9);
    expect(history.every((h) => typeof h.osUser === 'string' && h.osUser.length > 0)).toBe(true);
    // The three batch numbers are the only outbound writes.
    expect(history.filter((h) => h.field === 'outbound' && h.outcome === 'applied')).toHaveLength(3);
    expect(history.filter((h) => h.field === 'outbound').every((h) => h.after[0]?.name === 'outbound-dialer')).toBe(true);
  });

  it('needs a slot to assign, and an agent there', async () => {
    const number = plan.numbers.find((n) => n.provider === 'retell')!;
    const none = await cli(['--sandbox', 'assign', number.e164]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--inbound, --outbound or --sms/);
    const empty = await cli(['--sandbox', 'assign', '-', '--inbound', 'sales'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no numbers on standard input/);
  });
});
