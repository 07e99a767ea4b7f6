import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlandAdapter } from '../../src/providers/bland/index.js';
import { createRetellAdapter } from '../../src/providers/retell/index.js';
import type { LifecycleCapability, CarrierSource } from '../../src/providers/types.js';
import { createVapiAdapter } from '../../src/providers/vapi/index.js';
import { openSandboxStore, readSandboxState, SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import type { SqliteSandboxStore } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Records a fake removes (a released number) on the persisted sandbox: the row becomes a tombstone,
 * a fresh reader and a process that had the state loaded already both stop seeing the record, and
 * the records after it keep their places for later changes.
 */

function rowBodies(file: string, provider: string, collection: string): Map<number, string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT seq, body FROM sandbox_records WHERE provider = ? AND collection = ?').all(provider, collection) as { seq: number; body: string }[];
    return new Map(rows.map((row) => [row.seq, row.body]));
  } finally {
    db.close();
  }
}

describe('removing records from the persisted sandbox', () => {
  let dir: ReturnType<typeof tempDir>;
  let stateFile: string;
  let sandbox: SandboxEnvironment;
  let other: SqliteSandboxStore | undefined;

  const http = { maxAttempts: 1, timeoutMs: 5_000 };
  const life = {
    retell: () => createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: sandbox.fakes.retell.url, http }).lifecycle as Required<LifecycleCapability>,
    vapi: () => createVapiAdapter({ apiKey: SANDBOX_KEYS.vapi, baseUrl: sandbox.fakes.vapi.url, http }).lifecycle as Required<LifecycleCapability>,
    bland: () => createBlandAdapter({ apiKey: SANDBOX_KEYS.bland, baseUrl: sandbox.fakes.bland.url, http }).lifecycle as Required<LifecycleCapability>,
  };

  beforeEach(async () => {
    dir = tempDir();
    stateFile = join(dir.path, 'sandbox-state.db');
    sandbox = await startSandbox({ stateFile });
  });
  afterEach(async () => {
    other?.close();
    other = undefined;
    await sandbox.close();
    dir.cleanup();
  });

  it('buy, import and release at all three platforms store exactly what the fakes hold', async () => {
    const twilio: CarrierSource = { accountSid: sandbox.env.TWILIO_ACCOUNT_SID!, authToken: SANDBOX_KEYS.twilioAuthToken, phoneNumberSid: `PN${'1'.repeat(32)}` };
    // Taken as values: state() hands out the live arrays, which the releases below change.
    const seeded = structuredClone(sandbox.state());
    const retell = life.retell();
    const vapi = life.vapi();
    const bland = life.bland();
    const retellBought = await retell.buy({ areaCode: '212' });
    await retell.importFromCarrier({ e164: '+13125550101', source: twilio, trunk: { terminationUri: 'vn-a.pstn.twilio.com', username: 'u', password: 'Passw0rd-long' } });
    await retell.release({ providerId: seeded.retell.numbers[1]!.phone_number, e164: seeded.retell.numbers[1]!.phone_number });
    const vapiBought = await vapi.buy({ areaCode: '646' });
    await vapi.importFromCarrier({ e164: '+13125550102', source: twilio });
    await vapi.release({ providerId: seeded.vapi.phoneNumbers[0]!.id, e164: seeded.vapi.phoneNumbers[0]!.number! });
    await bland.buy({ areaCode: '718' });
    await bland.importFromCarrier({ e164: '+13125550103', source: twilio });
    await bland.release({ providerId: '+13125550103', e164: '+13125550103' }, { source: twilio });
    await bland.release({ providerId: seeded.bland.numbers[0]!.phone_number, e164: seeded.bland.numbers[0]!.phone_number });

    const stored = readSandboxState(stateFile);
    expect(stored).toEqual(sandbox.state());
    expect(stored.retell.numbers.map((number) => number.phone_number)).toEqual(expect.arrayContaining([retellBought.e164, '+13125550101']));
    expect(stored.retell.numbers.map((number) => number.phone_number)).not.toContain(seeded.retell.numbers[1]!.phone_number);
    expect(stored.vapi.phoneNumbers.map((number) => number.id)).toEqual(expect.arrayContaining([vapiBought.providerId]));
    expect(stored.vapi.phoneNumbers.map((number) => number.id)).not.toContain(seeded.vapi.phoneNumbers[0]!.id);
    expect(stored.bland.numbers.map((number) => number.phone_number)).not.toContain('+13125550103');
    expect(stored.bland.numbers.map((number) => number.phone_number)).not.toContain(seeded.bland.numbers[0]!.phone_number);
    expect(stored.bland.twilioAccounts.find((account) => account.account_sid === twilio.accountSid)!.numbers).not.toContain('+13125550103');
  });

  it('a removed record leaves a tombstone row; its seq is not handed out again', async () => {
    const gone = sandbox.state().retell.numbers[0]!.phone_number;
    const before = rowBodies(stateFile, 'retell', 'numbers');
    const seqOfGone = [...before].find(([, body]) => (JSON.parse(body) as { phone_number: string }).phone_number === gone)![0];
    await life.retell().release({ providerId: gone, e164: gone });
    const bought = await life.retell().buy({ areaCode: '212' });
    const after = rowBodies(stateFile, 'retell', 'numbers');
    expect(after.get(seqOfGone)).toBe('null');
    expect(after.size).toBe(before.size + 1);
    const newSeq = [...after].find(([, body]) => body !== 'null' && (JSON.parse(body) as { phone_number: string }).phone_number === bought.e164)![0];
    expect(newSeq).toBe(Math.max(...before.keys()) + 1);
  });

  it('a process that had the state loaded stops seeing a removed record, and later changes land on the right records', async () => {
    other = openSandboxStore(stateFile);
    const loaded = other.access('retell').read().numbers.map((number) => number.phone_number);
    expect(loaded.length).toBeGreaterThan(3);
    const gone = loaded[1]!;
    const later = loaded[3]!;
    await life.retell().release({ providerId: gone, e164: gone });
    // A change to a record after the removed one: its place in the other process's array moved up.
    const response = await fetch(`${sandbox.fakes.retell.url}/update-phone-number/${later}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${SANDBOX_KEYS.retell}`, 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'after the removal' }),
    });
    expect(response.status).toBe(200);
    const seen = other.access('retell').read().numbers;
    expect(seen.map((number) => number.phone_number)).toEqual(loaded.filter((e164) => e164 !== gone));
    expect(seen.find((number) => number.phone_number === later)!.nickname).toBe('after the removal');
    expect(seen.filter((number) => number.nickname === 'after the removal')).toHaveLength(1);
    expect(seen).toEqual(readSandboxState(stateFile).retell.numbers);
  });
});
