import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderError } from '../../src/domain/errors.js';
import { createTwilioAdapter, type TwilioAdapter } from '../../src/providers/twilio/index.js';
import { readSandboxState, SANDBOX_KEYS, startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { rejection } from '../helpers/await.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A fake's delete on the persisted sandbox (a Twilio release, a trunk removed): the record's row
 * becomes a tombstone, so every other holder of the state file (another voicenum process) drops the
 * record too, a fresh reader never sees it, and the records after it stay where they are.
 * Two sandboxes on one file stand for two processes: each has its own SQLite connection and copy.
 */

describe('a fake delete on the persisted sandbox', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let first: SandboxEnvironment;
  let second: SandboxEnvironment;

  const adapterOn = (sandbox: SandboxEnvironment): TwilioAdapter => {
    const accountSid = sandbox.env.TWILIO_ACCOUNT_SID!;
    const url = sandbox.fakes.twilio.url;
    return createTwilioAdapter({ accountSid, username: accountSid, password: SANDBOX_KEYS.twilioAuthToken, apiBaseUrl: url, routesBaseUrl: url, trunkingBaseUrl: url, http: { maxAttempts: 1 } });
  };

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir.path, 'sandbox.db');
    first = await startSandbox({ stateFile: file });
    second = await startSandbox({ stateFile: file });
  });

  afterEach(async () => {
    await first.close();
    await second.close();
    dir.cleanup();
  });

  it('a released number is gone for the other process and for a fresh reader; the numbers after it keep their own records', async () => {
    const a = adapterOn(first);
    const b = adapterOn(second);
    const seeded = readSandboxState(file).twilio.incomingPhoneNumbers.length;
    const [n1, n2, n3] = [await a.lifecycle.buy!({ e164: '+14155550701' }), await a.lifecycle.buy!({ e164: '+14155550702' }), await a.lifecycle.buy!({ e164: '+14155550703' })];
    // The other process has read the state (and so holds n2) before the release.
    expect((await b.trunking.readVoiceRouting(n2.providerId)).voiceUrl).toBeNull();

    await a.lifecycle.release!({ providerId: n2.providerId, e164: n2.e164 });
    const gone = await rejection(b.trunking.readVoiceRouting(n2.providerId));
    expect((gone as ProviderError).status).toBe(404);

    // Each process changes the number after the removed one: the change lands on that number.
    await b.trunking.restoreVoiceRouting(n3.providerId, { voiceUrl: 'https://example.com/b', voiceMethod: 'POST', voiceApplicationSid: null, trunkSid: null });
    expect((await a.trunking.readVoiceRouting(n3.providerId)).voiceUrl).toBe('https://example.com/b');
    await a.trunking.restoreVoiceRouting(n3.providerId, { voiceUrl: 'https://example.com/a', voiceMethod: 'GET', voiceApplicationSid: null, trunkSid: null });

    const stored = readSandboxState(file).twilio;
    expect(stored.incomingPhoneNumbers).toHaveLength(seeded + 2);
    const byNumber = (e164: string) => stored.incomingPhoneNumbers.find((entry) => entry.phone_number === e164);
    expect(byNumber(n2.e164)).toBeUndefined();
    expect(byNumber(n1.e164)).toMatchObject({ sid: n1.providerId, voice_url: null });
    expect(byNumber(n3.e164)).toMatchObject({ sid: n3.providerId, voice_url: 'https://example.com/a', voice_method: 'GET' });
    // Both running sandboxes agree with the file.
    expect(first.state().twilio.incomingPhoneNumbers.map((entry) => entry.sid).sort()).toEqual(stored.incomingPhoneNumbers.map((entry) => entry.sid).sort());
    expect(second.state().twilio.incomingPhoneNumbers.map((entry) => entry.sid).sort()).toEqual(stored.incomingPhoneNumbers.map((entry) => entry.sid).sort());
  });

  it('the removed record is a tombstone row (body null, the newest generation) and its seq is not reused', async () => {
    const a = adapterOn(first);
    const b = adapterOn(second);
    const list = await a.trunking.createCredentialList('voicenum-gone');
    await a.trunking.remove(list);
    const kept = await b.trunking.createCredentialList('voicenum-kept');
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare("SELECT seq, body FROM sandbox_records WHERE provider = 'twilio' AND collection = 'credentialLists' ORDER BY seq").all() as { seq: number; body: string }[];
      expect(rows.map((row) => [row.seq, row.body === 'null' ? null : (JSON.parse(row.body) as { sid: string }).sid])).toEqual([
        [0, null],
        [1, kept.sid],
      ]);
    } finally {
      db.close();
    }
    expect(first.state().twilio.credentialLists.map((entry) => entry.sid)).toEqual([kept.sid]);
  });
});
