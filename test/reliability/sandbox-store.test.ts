import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSandboxState, SANDBOX_KEYS, seedSandboxState, startSandbox, writeSandboxState, type SandboxEnvironment, type SandboxState } from '../../src/sandbox/index.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The sandbox's persisted state is one SQLite row per record: a fake's write rewrites the rows of
 * the records it changed and no other, and every write route tells the store all it changed.
 */

interface StoredRow {
  provider: string;
  collection: string;
  seq: number;
  rowid: number;
  version: number;
  body: string;
}

function rowsOf(file: string): Map<string, StoredRow> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT provider, collection, seq, rowid, version, body FROM sandbox_records').all() as StoredRow[];
    return new Map(rows.map((row) => [`${row.provider}/${row.collection}/${row.seq}`, row]));
  } finally {
    db.close();
  }
}

/** The keys of the rows that differ (in rowid, version or body) between two readings, and rows added or removed. */
function changedRows(before: Map<string, StoredRow>, after: Map<string, StoredRow>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key))).sort();
}

describe('a fake write on the persisted sandbox', () => {
  let dir: ReturnType<typeof tempDir>;
  let stateFile: string;
  let sandbox: SandboxEnvironment;

  const send = async (provider: 'retell' | 'vapi' | 'bland' | 'twilio' | 'elevenlabs', method: string, path: string, body: Record<string, unknown> | null): Promise<number> => {
    const twilioBasic = `Basic ${Buffer.from(`${sandbox.env.TWILIO_ACCOUNT_SID}:${SANDBOX_KEYS.twilioAuthToken}`).toString('base64')}`;
    const headers: Record<string, string> = {
      retell: { authorization: `Bearer ${SANDBOX_KEYS.retell}`, 'content-type': 'application/json' },
      vapi: { authorization: `Bearer ${SANDBOX_KEYS.vapi}`, 'content-type': 'application/json' },
      bland: { authorization: SANDBOX_KEYS.bland, 'content-type': 'application/json' },
      twilio: { authorization: twilioBasic, 'content-type': 'application/x-www-form-urlencoded' },
      elevenlabs: { 'xi-api-key': SANDBOX_KEYS.elevenlabs, 'content-type': 'application/json' },
    }[provider];
    const payload = body === null ? undefined : provider === 'twilio' ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
    const response = await fetch(`${sandbox.fakes[provider].url}${path}`, { method, headers, body: payload });
    await response.text();
    return response.status;
  };

  beforeEach(async () => {
    dir = tempDir();
    stateFile = join(dir.path, 'sandbox-state.db');
    sandbox = await startSandbox({ stateFile });
  });
  afterEach(async () => {
    await sandbox.close();
    dir.cleanup();
  });

  it('rewrites the row of the one number it changed, and no other row', async () => {
    const seeded = sandbox.state();
    const target = seeded.retell.numbers[3]!.phone_number;
    const before = rowsOf(stateFile);
    expect(before.size).toBeGreaterThan(50);
    expect(await send('retell', 'PATCH', `/update-phone-number/${encodeURIComponent(target)}`, { nickname: 'one row only' })).toBe(200);
    const after = rowsOf(stateFile);
    expect(changedRows(before, after)).toEqual(['retell/numbers/3']);
    const row = after.get('retell/numbers/3')!;
    // Updated in place: the same row, with a newer version and the new record.
    expect(row.rowid).toBe(before.get('retell/numbers/3')!.rowid);
    expect(row.version).toBeGreaterThan(before.get('retell/numbers/3')!.version);
    expect(JSON.parse(row.body)).toMatchObject({ phone_number: target, nickname: 'one row only' });
  });

  it('a refused write rewrites nothing', async () => {
    const before = rowsOf(stateFile);
    const target = sandbox.state().retell.numbers[0]!.phone_number;
    expect(await send('retell', 'PATCH', `/update-phone-number/${encodeURIComponent(target)}`, { inbound_agent_id: 'removed-field' })).toBe(400);
    expect(changedRows(before, rowsOf(stateFile))).toEqual([]);
  });

  it('every write route stores all it changed: what a fresh reader finds equals what the fakes hold', async () => {
    const state = sandbox.state();
    const retellNumber = state.retell.numbers[0]!.phone_number;
    const vapiNumber = state.vapi.phoneNumbers[0]!.id;
    const blandNumbers = state.bland.numbers.map((n) => n.phone_number);
    // An agent with no persona yet: attaching it makes Bland create one (a record added, not changed).
    const freshAgent = state.bland.agents.find((agent) => !state.bland.personas.some((persona) => persona.agent_id === agent.id) && agent.version_ids.length > 0)!;
    const persona = state.bland.personas[0]!;
    const pathway = state.bland.pathways[0]!.id;
    const withoutSms = blandNumbers.find((e164) => !state.bland.smsNumbers.some((entry) => entry.phone_number === e164))!;
    const twilioNumber = state.twilio.incomingPhoneNumbers[0]!;
    const twilioRoute = state.twilio.routes[0]!.phone_number;
    const [elevenKept, elevenGone] = state.elevenlabs.phoneNumbers;
    expect([freshAgent, persona, withoutSms].every(Boolean)).toBe(true);
    const accounts = `/2010-04-01/Accounts/${sandbox.env.TWILIO_ACCOUNT_SID}`;

    const statuses = [
      await send('retell', 'PATCH', `/update-phone-number/${encodeURIComponent(retellNumber)}`, { nickname: 'retell write' }),
      await send('vapi', 'PATCH', `/phone-number/${vapiNumber}`, { name: 'vapi write' }),
      await send('bland', 'POST', `/v1/inbound/${encodeURIComponent(blandNumbers[0]!)}`, { label: 'bland write' }),
      await send('bland', 'POST', `/v2/agents/${freshAgent.id}/inbound/attach`, { inbound_numbers: [blandNumbers[1]] }),
      await send('bland', 'POST', `/v2/agents/${freshAgent.id}/inbound/detach`, { inbound_numbers: [blandNumbers[1]] }),
      await send('bland', 'POST', `/v1/personas/${persona.id}/inbound/attach`, { inbound_numbers: [blandNumbers[2]] }),
      await send('bland', 'POST', `/v1/personas/${persona.id}/inbound/detach`, { inbound_numbers: [blandNumbers[2]] }),
      await send('bland', 'POST', '/v1/sms/number/update', { phone_number: withoutSms, pathway_id: pathway }),
      await send('twilio', 'POST', `${accounts}/IncomingPhoneNumbers/${twilioNumber.sid}.json`, { FriendlyName: 'twilio write' }),
      await send('twilio', 'POST', `/v2/PhoneNumbers/${encodeURIComponent(twilioRoute)}`, { VoiceRegion: 'ie1' }),
      await send('elevenlabs', 'PATCH', `/v1/convai/phone-numbers/${elevenKept!.phone_number_id}`, { label: 'elevenlabs write', agent_id: null }),
      await send('elevenlabs', 'POST', '/v1/convai/phone-numbers', { provider: 'twilio', phone_number: '+13125550166', label: 'imported', sid: sandbox.env.TWILIO_ACCOUNT_SID, token: SANDBOX_KEYS.twilioAuthToken }),
      await send('elevenlabs', 'DELETE', `/v1/convai/phone-numbers/${elevenGone!.phone_number_id}`, null),
    ];
    expect(statuses.every((status) => status >= 200 && status < 300), JSON.stringify(statuses)).toBe(true);

    const held = sandbox.state();
    const stored = readSandboxState(stateFile);
    // The writes did happen (so the comparison below is not of two unchanged states)...
    expect(stored.retell.numbers[0]!.nickname).toBe('retell write');
    expect(stored.bland.personas.some((p) => p.agent_id === freshAgent.id)).toBe(true);
    expect(stored.bland.smsNumbers.find((entry) => entry.phone_number === withoutSms)?.sms_config.pathway_id).toBe(pathway);
    expect(stored.twilio.routes.find((route) => route.phone_number === twilioRoute)!.voice_region).toBe('ie1');
    expect(stored.elevenlabs.phoneNumbers.map((n) => n.phone_number)).toContain('+13125550166');
    expect(stored.elevenlabs.phoneNumbers.find((n) => n.phone_number_id === elevenKept!.phone_number_id)).toMatchObject({ label: 'elevenlabs write', assigned_agent: null });
    expect(stored.elevenlabs.phoneNumbers.some((n) => n.phone_number_id === elevenGone!.phone_number_id)).toBe(false);
    // ...and a reader of the rows finds exactly what the running fakes hold.
    expect(stored).toEqual(held);
  });

  it('a running sandbox reads the whole state again after another process resets it', async () => {
    expect(sandbox.state().retell.numbers.length).toBeLessThan(50);
    writeSandboxState(stateFile, seedSandboxState(400));
    const reread = sandbox.state();
    expect(reread).toEqual(readSandboxState(stateFile));
    expect(reread.retell.numbers.length).toBeGreaterThan(50);
  });
});

describe('a sandbox state file of an earlier voicenum', () => {
  const dir = tempDir();
  const profile = join(dir.path, 'profiles', 'sandbox');
  afterAll(() => dir.cleanup());

  it('is moved into the database once, with a notice, and its records are kept', async () => {
    const earlier = seedSandboxState();
    const number = earlier.retell.numbers[0]!;
    number.nickname = 'kept from the JSON file';
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    writeFileSync(join(profile, 'sandbox-state.json'), JSON.stringify(earlier));

    const first = await runCli(['--sandbox', 'sync'], { home: dir.path });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('moved the fakes\' state from sandbox-state.json');
    expect(existsSync(join(profile, 'sandbox-state.json'))).toBe(false);
    const listed = tsv((await runCli(['--sandbox', 'numbers', 'list', '--plain'], { home: dir.path })).stdout);
    expect(listed.find((row) => row[0] === number.phone_number)?.[2]).toBe('kept from the JSON file');

    const second = await runCli(['--sandbox', 'sync'], { home: dir.path });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('sandbox-state.json');
  });

  it('from before a provider existed: its records are kept, and the new provider starts from the seed', async () => {
    const home = join(dir.path, 'older');
    const older = join(home, 'profiles', 'sandbox');
    const earlier: Partial<SandboxState> = seedSandboxState();
    earlier.retell!.numbers[0]!.nickname = 'kept without elevenlabs';
    delete earlier.elevenlabs;
    mkdirSync(older, { recursive: true, mode: 0o700 });
    writeFileSync(join(older, 'sandbox-state.json'), JSON.stringify(earlier));
    const sync = await runCli(['--sandbox', 'sync'], { home });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stderr).toMatch(/✓ elevenlabs: \d+ numbers/);
    const state = readSandboxState(join(older, 'sandbox-state.db'));
    expect(state.retell.numbers[0]!.nickname).toBe('kept without elevenlabs');
    expect(state.elevenlabs).toEqual(seedSandboxState().elevenlabs);
  });
});

describe('a sandbox database of an earlier voicenum, without a provider added since', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('gains that provider from the seed when opened; every other row stays as it was', () => {
    const file = join(dir.path, 'sandbox-state.db');
    const seeded = seedSandboxState();
    seeded.vapi.phoneNumbers[0]!.name = 'changed before the upgrade';
    writeSandboxState(file, seeded);
    const db = new Database(file);
    db.prepare("DELETE FROM sandbox_records WHERE provider = 'elevenlabs'").run();
    db.close();
    const before = [...rowsOf(file).values()];
    expect(before.some((row) => row.provider === 'elevenlabs')).toBe(false);
    const state = readSandboxState(file);
    expect(state.elevenlabs).toEqual(seedSandboxState().elevenlabs);
    expect(state.vapi.phoneNumbers[0]!.name).toBe('changed before the upgrade');
    const after = rowsOf(file);
    for (const row of before) expect(after.get(`${row.provider}/${row.collection}/${row.seq}`)).toEqual(row);
  });
});
