import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../src/providers/registry.js';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * ElevenLabs Agents through the built CLI on the sandbox: a sync of five providers, then list,
 * show, agents, assign, unassign, label, import and release on ElevenLabs numbers, and the
 * refusals its descriptor gives. After each write, what the fake holds is what the command said.
 */

const plan = buildSeedPlan();
const eleven = plan.numbers.filter((n) => n.provider === 'elevenlabs');
const agentId = (name: string) => plan.agents.find((a) => a.provider === 'elevenlabs' && a.name === name)!.id;
const importedHeld = eleven.find((n) => n.importedFromTwilio && n.slots.inbound[0]?.agentId === agentId('receptionist'))!;
const importedIe1 = eleven.find((n) => n.importedFromTwilio && plan.numbers.some((t) => t.provider === 'twilio' && t.e164 === n.e164 && t.region === 'ie1'))!;
const sipFree = eleven.find((n) => !n.importedFromTwilio && n.slots.inbound.length === 0)!;

describe('ElevenLabs on the sandbox, end to end', () => {
  const dir = tempDir();
  const stateFile = join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db');
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--sandbox', ...args], { home: dir.path, env });
  const upstream = () => readSandboxState(stateFile).elevenlabs.phoneNumbers;
  const held = (e164: string) => upstream().find((n) => n.phone_number === e164);

  beforeAll(async () => {
    expect([importedHeld, importedIe1, sipFree].every(Boolean)).toBe(true);
    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('sync reads five providers; ElevenLabs with its numbers and agents', async () => {
    const sync = await cli(['sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    const providers = (JSON.parse(sync.stdout) as { provider: string }[]).map((entry) => entry.provider);
    expect(providers).toEqual(['retell', 'vapi', 'bland', 'twilio', 'elevenlabs']);
    expect(sync.stderr).toMatch(new RegExp(`✓ elevenlabs: ${eleven.length} numbers, 4 agents`));
  });

  it('lists ElevenLabs numbers with their agent, label, and the region of the Twilio record they came from', async () => {
    const list = await cli(['numbers', 'list', '--provider', 'elevenlabs', '--json', 'e164,label,region,slots,carrier,origin']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { e164: string; label: string; region: string | null; slots: Record<string, { name: string }[] | null>; carrier: { provider: string } | null; origin: string }[];
    expect(rows.map((r) => r.e164).sort()).toEqual(eleven.map((n) => n.e164).sort());
    const ie1 = rows.find((r) => r.e164 === importedIe1.e164)!;
    expect(ie1).toMatchObject({ region: 'ie1', origin: 'twilio', carrier: { provider: 'twilio' } });
    // No outbound or SMS slot at ElevenLabs: null, not an empty list.
    expect(rows.every((r) => r.slots.outbound === null && r.slots.sms === null)).toBe(true);
    expect(rows.find((r) => r.e164 === importedHeld.e164)!.slots.inbound!.map((a) => a.name)).toEqual(['receptionist']);
    expect(rows.find((r) => r.e164 === sipFree.e164)).toMatchObject({ origin: 'sip_trunk', carrier: null, region: null });
  });

  it('shows one number, and lists the agents with the numbers each holds', async () => {
    const show = await cli(['numbers', 'show', importedHeld.e164]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/provider\s+elevenlabs phnum_/);
    expect(show.stdout).toMatch(/outbound\s+not an elevenlabs setting/);
    const agents = await cli(['agents', 'list', '--provider', 'elevenlabs', '--json']);
    const parsed = JSON.parse(agents.stdout) as { name: string; kind: string; live: boolean | null; numbers: { inbound: number } }[];
    expect(parsed.map((a) => a.name).sort()).toEqual(['appointment-setter', 'concierge-multilingual', 'receptionist', 'support-desk']);
    expect(parsed.every((a) => a.kind === 'agent' && a.live === null)).toBe(true);
    expect(parsed.find((a) => a.name === 'receptionist')!.numbers.inbound).toBe(1);
    // The receptionist's name is shared with four other platforms: by name alone it is ambiguous.
    const ambiguous = await cli(['agents', 'show', 'receptionist']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('elevenlabs:receptionist');
    const one = await cli(['agents', 'show', 'elevenlabs:receptionist', '--json']);
    expect(one.code, one.stderr).toBe(0);
  });

  it('assigns and unassigns the inbound agent; the fake holds what the command said', async () => {
    const assigned = await cli(['assign', sipFree.e164, '--inbound', 'receptionist', '--yes']);
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(held(sipFree.e164)!.assigned_agent?.agent_id).toBe(agentId('receptionist'));
    // Replacing the agent is a move: it needs the yes.
    const move = await cli(['assign', sipFree.e164, '--inbound', 'support-desk']);
    expect(move.code).toBe(3);
    expect(held(sipFree.e164)!.assigned_agent?.agent_id).toBe(agentId('receptionist'));
    const unassigned = await cli(['unassign', sipFree.e164, '--yes']);
    expect(unassigned.code, unassigned.stderr).toBe(0);
    expect(held(sipFree.e164)!.assigned_agent).toBeNull();
    const history = await cli(['history', sipFree.e164, '--json']);
    expect((JSON.parse(history.stdout) as { outcome: string }[]).filter((entry) => entry.outcome === 'applied')).toHaveLength(2);
  });

  it('refuses what ElevenLabs numbers do not have with the descriptor\'s reasons, pushing nothing', async () => {
    const before = JSON.stringify(upstream());
    const outbound = await cli(['assign', importedHeld.e164, '--outbound', 'receptionist', '--yes']);
    expect(outbound.code).toBe(3);
    expect(outbound.stderr).toContain(`outbound: ${(capabilitiesOf('elevenlabs').slots.outbound as { reason: string }).reason}`);
    const sms = await cli(['assign', importedHeld.e164, '--sms', 'receptionist', '--yes']);
    expect(sms.code).toBe(3);
    expect(sms.stderr).toContain('sms: ElevenLabs numbers have no SMS assignment');
    const fallback = await cli(['numbers', 'fallback', importedHeld.e164, '+14155550100']);
    expect(fallback.code).toBe(3);
    expect(fallback.stderr).toContain('ElevenLabs numbers have no fallback destination');
    const otherAgent = await cli(['assign', importedHeld.e164, '--inbound', 'vapi:booking', '--yes']);
    expect(otherAgent.code).toBe(3);
    expect(otherAgent.stderr).toContain('is an elevenlabs number: an elevenlabs number takes elevenlabs agents only');
    const buy = await cli(['numbers', 'buy', '--provider', 'elevenlabs', '--area-code', '415', '--yes']);
    expect(buy.code).toBe(2);
    expect(JSON.stringify(upstream())).toBe(before);
  });

  it('sets and clears the label', async () => {
    const set = await cli(['numbers', 'label', importedIe1.e164, 'Dublin desk']);
    expect(set.code, set.stderr).toBe(0);
    expect(held(importedIe1.e164)!.label).toBe('Dublin desk');
    const list = await cli(['numbers', 'list', '--provider', 'elevenlabs', '--search', 'Dublin', '--plain']);
    expect(tsv(list.stdout).map((row) => [row[0], row[2]])).toEqual([[importedIe1.e164, 'Dublin desk']]);
    const cleared = await cli(['numbers', 'label', importedIe1.e164, '']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(held(importedIe1.e164)!.label).toBe('');
  });

  it('imports a Twilio number with the Twilio credentials (one call), then releases it', async () => {
    const twilioOnly = await cli(['numbers', 'list', '--provider', 'twilio', '--plain']);
    const number = tsv(twilioOnly.stdout).find((row) => row[1] === 'twilio')![0]!;
    const plan = await cli(['numbers', 'import', number, '--into', 'elevenlabs', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('into ElevenLabs with the Twilio credentials');
    expect(held(number)).toBeUndefined();
    const imported = await cli(['numbers', 'import', number, '--into', 'elevenlabs', '--yes', '--label', 'imported line', '--json', 'operation,state,provider']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ operation: 'import', state: 'done', provider: 'elevenlabs' });
    expect(held(number)).toMatchObject({ provider: 'twilio', label: 'imported line', twilio_account_sid: readSandboxState(stateFile).twilioAccountSid });
    const listed = await cli(['numbers', 'list', '--provider', 'elevenlabs', '--json', 'e164']);
    expect((JSON.parse(listed.stdout) as { e164: string }[]).map((n) => n.e164)).toContain(number);
    // The import's steps are in the history.
    expect((await cli(['history', number, '--json'])).stdout).toMatch(/lifecycle/);
    const assigned = await cli(['assign', number, '--provider', 'elevenlabs', '--inbound', 'support-desk', '--yes']);
    expect(assigned.code, assigned.stderr).toBe(0);

    const released = await cli(['numbers', 'release', number, '--provider', 'elevenlabs', '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(held(number)).toBeUndefined();
    const show = await cli(['numbers', 'show', number, '--json', 'provider']);
    expect(JSON.parse(show.stdout)).toEqual({ provider: 'twilio' });
  });

  it('an import ElevenLabs refuses is undone: nothing left there, the number still only at Twilio', async () => {
    const twilioOnly = await cli(['numbers', 'list', '--provider', 'twilio', '--plain']);
    const number = tsv(twilioOnly.stdout).filter((row) => row[1] === 'twilio')[1]![0]!;
    const failed = await cli(['numbers', 'import', number, '--into', 'elevenlabs', '--yes'], { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ elevenlabs: { failWrite: { nth: 1, status: 422 } } }) });
    expect(failed.code, failed.stderr).toBe(5);
    expect(failed.stderr).toMatch(/Injected failure of write 1/);
    expect(held(number)).toBeUndefined();
    const show = await cli(['numbers', 'show', number, '--json', 'provider,lifecycle']);
    expect(JSON.parse(show.stdout)).toEqual({ provider: 'twilio', lifecycle: null });
  });
});
