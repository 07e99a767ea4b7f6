import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, RefusedError } from '../../src/domain/errors.js';
import type { ProviderName, RemoteNumber } from '../../src/domain/model.js';
import { buyNumber, generateSipPassword, importNumber, LifecycleFailure, releaseIsIrreversible, releaseNumber, resumeOrRepair, type LifecyclePorts } from '../../src/engine/lifecycle/index.js';
import { CAPABILITIES } from '../../src/providers/registry.js';
import type { CreatedResource, LifecycleCapability, NumberKey, ProviderAdapter, PurchaseRequest, SipTrunkAccess, TrunkingCapability, CarrierSource, VoiceRouting } from '../../src/providers/types.js';
import { lifecycleKey, Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The lifecycle engine against in-memory carrier and platform accounts that record every call and
 * can fail any one of them: with an error (the engine must undo), with the undo failing too (the
 * number must end corrupted with exactly what is left), or with a crash (the engine stops where it
 * is; resume or repair must end clean). The journal is a real SQLite file.
 */

const E164 = '+14155550123';
const PN = 'PN00000000000000000000000000000123';
const OTHER = '+14155550124';
const OTHER_PN = 'PN00000000000000000000000000000124';
const ORIGINAL: VoiceRouting = { voiceUrl: 'https://ivr.example.com/answer', voiceMethod: 'POST', voiceApplicationSid: null, trunkSid: null };
const TWILIO: CarrierSource = { accountSid: 'AC00000000000000000000000000000001', authToken: 'secret-token', phoneNumberSid: PN };

/** A crash: not a VoicenumError, so the engine leaves the operation running as a killed process would. */
class Crash extends Error {}

type Mode = 'error' | 'crash-before' | 'crash-after';

/** The upstream accounts: carrier resources, number routings, platform numbers. */
class World {
  trunks = new Map<string, { sid: string; domainName: string; friendlyName: string }>();
  urls = new Map<string, { trunkSid: string; sipUrl: string }>();
  lists = new Map<string, { name: string }>();
  credentials = new Map<string, { listSid: string; username: string; password: string }>();
  trunkLists = new Map<string, { trunkSid: string; listSid: string }>();
  routing = new Map<string, VoiceRouting>([
    [PN, { ...ORIGINAL }],
    [OTHER_PN, { ...ORIGINAL, voiceUrl: 'https://ivr.example.com/other' }],
  ]);
  platform = new Map<string, RemoteNumber>();
  calls: string[] = [];
  passwords: string[] = [];
  /** The call to fail, and how. */
  fault: { call: string; mode: Mode } | null = null;
  /** Every undo (remove, platform release, routing restore) fails. */
  undoFails = false;
  /** Only removals of these kinds fail (release teardown). */
  removeFails = new Set<string>();
  private next = 0;

  sid(prefix: string): string {
    return `${prefix}${String(++this.next).padStart(32, '0')}`;
  }

  /** Run an upstream call through the fault switch. */
  async call<T>(name: string, effect: () => T): Promise<T> {
    this.calls.push(name);
    const fault = this.fault?.call === name ? this.fault : null;
    if (fault) this.fault = null;
    if (fault?.mode === 'error') throw new ProviderError('twilio', `${name} refused (injected)`, { status: 400 });
    if (fault?.mode === 'crash-before') throw new Crash(`killed during ${name}`);
    const value = effect();
    if (fault?.mode === 'crash-after') throw new Crash(`killed after ${name} landed`);
    return value;
  }

  /** What the undo calls removed or restored, in order, by kind. */
  undone: string[] = [];

  async undo<T>(name: string, kind: string, effect: () => T): Promise<T> {
    this.calls.push(name);
    this.undone.push(kind);
    if (this.undoFails || this.removeFails.has(kind)) throw new ProviderError('twilio', `${name} ${kind} refused (injected)`, { status: 500 });
    return effect();
  }

  /** Every carrier resource and platform number there is, as kind:sid. */
  resources(): string[] {
    const trunkNumbers = [...this.routing].filter(([, r]) => r.trunkSid).map(([pn, r]) => `trunk-phone-number:${pn}@${r.trunkSid}`);
    return [
      ...[...this.trunks.keys()].map((sid) => `trunk:${sid}`),
      ...[...this.urls.keys()].map((sid) => `origination-url:${sid}`),
      ...[...this.lists.keys()].map((sid) => `credential-list:${sid}`),
      ...[...this.credentials.keys()].map((sid) => `credential:${sid}`),
      ...[...this.trunkLists.keys()].map((sid) => `trunk-credential-list:${sid}`),
      ...trunkNumbers,
      ...[...this.platform.values()].map((n) => `platform:${n.provider}:${n.e164}`),
    ].sort();
  }

  trunking(): TrunkingCapability {
    const remove = (resource: CreatedResource) =>
      this.undo('remove', resource.kind, () => {
        const maps: Record<string, Map<string, unknown>> = { trunk: this.trunks, 'origination-url': this.urls, 'credential-list': this.lists, credential: this.credentials, 'trunk-credential-list': this.trunkLists };
        if (resource.kind === 'trunk-phone-number') {
          const routing = this.routing.get(resource.sid);
          if (routing?.trunkSid === resource.parentSid) this.routing.set(resource.sid, { voiceUrl: null, voiceMethod: null, voiceApplicationSid: null, trunkSid: null });
          return;
        }
        maps[resource.kind]!.delete(resource.sid);
      });
    return {
      listTrunks: async (prefix) =>
        this.call('listTrunks', () =>
          [...this.trunks.values()]
            .filter((t) => t.friendlyName.startsWith(prefix))
            .map((t) => ({ ...t, phoneNumberSids: [...this.routing].filter(([, r]) => r.trunkSid === t.sid).map(([pn]) => pn) })),
        ),
      createTrunk: async ({ friendlyName, domainName }) =>
        this.call('createTrunk', () => {
          expect(domainName).toMatch(/^voicenum-14155550\d{3}-[0-9a-f]{8}\.pstn\.twilio\.com$/);
          const sid = this.sid('TK');
          this.trunks.set(sid, { sid, domainName, friendlyName });
          return { kind: 'trunk' as const, sid, domainName };
        }),
      addOriginationUrl: async (trunkSid, request) =>
        this.call('addOriginationUrl', () => {
          const sid = this.sid('OU');
          this.urls.set(sid, { trunkSid, sipUrl: request.sipUrl });
          return { kind: 'origination-url' as const, sid, parentSid: trunkSid };
        }),
      createCredentialList: async (name) =>
        this.call('createCredentialList', () => {
          expect(name.length).toBeLessThanOrEqual(64);
          const sid = this.sid('CL');
          this.lists.set(sid, { name });
          return { kind: 'credential-list' as const, sid };
        }),
      addCredential: async (listSid, username, password) =>
        this.call('addCredential', () => {
          expect(this.lists.has(listSid)).toBe(true);
          this.passwords.push(password);
          const sid = this.sid('CR');
          this.credentials.set(sid, { listSid, username, password });
          return { kind: 'credential' as const, sid, parentSid: listSid };
        }),
      attachCredentialList: async (trunkSid, listSid) =>
        this.call('attachCredentialList', () => {
          this.trunkLists.set(listSid, { trunkSid, listSid });
          return { kind: 'trunk-credential-list' as const, sid: listSid, parentSid: trunkSid };
        }),
      attachPhoneNumber: async (trunkSid, phoneNumberSid) =>
        this.call('attachPhoneNumber', () => {
          this.routing.set(phoneNumberSid, { voiceUrl: null, voiceMethod: null, voiceApplicationSid: null, trunkSid });
          return { kind: 'trunk-phone-number' as const, sid: phoneNumberSid, parentSid: trunkSid };
        }),
      remove,
      readVoiceRouting: async (pn) => this.call('readVoiceRouting', () => ({ ...this.routing.get(pn)! })),
      restoreVoiceRouting: async (pn, routing) => this.undo('restoreVoiceRouting', 'routing', () => void this.routing.set(pn, { ...routing })),
    };
  }

  platformLifecycle(provider: ProviderName): LifecycleCapability {
    return {
      importFromCarrier: async ({ e164, label, source: twilio, trunk }) =>
        this.call(`${provider}.importFromCarrier`, () => {
          if (trunk) this.checkTrunkAccess(trunk, twilio.phoneNumberSid);
          // Vapi (credentials) points the number at itself, as the real one does.
          if (!trunk) this.routing.set(twilio.phoneNumberSid, { voiceUrl: `https://${provider}.example/twilio`, voiceMethod: 'POST', voiceApplicationSid: null, trunkSid: null });
          const number = remote(provider, provider === 'retell' ? e164 : `uuid-${e164}`, e164, label ?? null);
          this.platform.set(`${provider}:${e164}`, number);
          return number;
        }),
      buy: async (request: PurchaseRequest) =>
        this.call(`${provider}.buy`, () => {
          const number = remote(provider, `bought-${request.e164 ?? 'any'}`, request.e164 ?? '+14155550999', null);
          this.platform.set(`${provider}:${number.e164}`, number);
          return number;
        }),
      release: async (key: NumberKey) =>
        this.undo(`${provider}.release`, 'platform', () => {
          for (const [k, n] of this.platform) if (n.provider === provider && n.providerId === key.providerId) this.platform.delete(k);
        }),
    };
  }

  /** What the platform checks at an import: the trunk, its credential, and the number on the trunk. */
  private checkTrunkAccess(trunk: SipTrunkAccess, pn: string): void {
    const found = [...this.trunks.values()].find((t) => t.domainName === trunk.terminationUri);
    expect(found, 'the termination URI is the trunk made').toBeDefined();
    const credential = [...this.credentials.values()].find((c) => c.username === trunk.username);
    expect(credential?.password).toBe(trunk.password);
    expect(this.trunkLists.get(credential!.listSid)?.trunkSid).toBe(found!.sid);
    expect(this.routing.get(pn)?.trunkSid).toBe(found!.sid);
    expect([...this.urls.values()].some((u) => u.trunkSid === found!.sid && u.sipUrl === 'sip:sip.retellai.com;transport=tcp')).toBe(true);
  }

  adapter(provider: ProviderName): ProviderAdapter {
    const numbers = this.platform;
    return {
      name: provider,
      requestCount: 0,
      fetchAll: async () => ({ provider, numbers: [...numbers.values()].filter((n) => n.provider === provider), agents: [], skipped: [], requests: 1 }),
      readNumber: async (key: NumberKey) => [...numbers.values()].find((n) => n.provider === provider && n.providerId === key.providerId)!,
      lifecycle: this.platformLifecycle(provider),
      ...(provider === 'twilio' ? { trunking: this.trunking() } : {}),
    } as unknown as ProviderAdapter;
  }
}

function remote(provider: ProviderName, providerId: string, e164: string, label: string | null): RemoteNumber {
  return { provider, providerId, e164, label, status: null, capabilities: { voice: true, sms: null }, region: null, fallback: null, origin: 'twilio', slots: { inbound: [], outbound: [], sms: [] } };
}

/** The calls of a trunk import, in order: each is a step k the tests fail. */
const TRUNK_STEPS = ['readVoiceRouting', 'createTrunk', 'addOriginationUrl', 'createCredentialList', 'addCredential', 'attachCredentialList', 'attachPhoneNumber', 'retell.importFromCarrier'];

describe('the life of a number (engine)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let world: World;
  let ports: LifecyclePorts;

  beforeEach(() => {
    dir = tempDir();
    store = Store.open(join(dir.path, 'cache.db'));
    world = new World();
    const adapters = new Map<ProviderName, ProviderAdapter>();
    ports = {
      store,
      now: () => new Date('2026-11-28T12:00:00.000Z'),
      audit: { osUser: 'ops', profile: 'default', batch: 'batch-1' },
      capabilities: CAPABILITIES,
      adapter: async (provider) => {
        if (!adapters.has(provider)) adapters.set(provider, world.adapter(provider));
        return adapters.get(provider)!;
      },
    };
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const importRetell = (extra: { e164?: string; pn?: string; reuseTrunk?: boolean } = {}) =>
    importNumber(ports, { e164: extra.e164 ?? E164, into: 'retell', source: { ...TWILIO, phoneNumberSid: extra.pn ?? PN }, label: 'front desk', reuseTrunk: extra.reuseTrunk });
  const failure = async (work: Promise<unknown>): Promise<LifecycleFailure> => {
    const error = await work.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LifecycleFailure);
    return error as LifecycleFailure;
  };
  const crash = async (work: Promise<unknown>) => expect(work).rejects.toBeInstanceOf(Crash);
  const onlyOp = () => store.openLifecycleOps().concat(store.lifecycleOpsOf(E164))[0]!;
  const stepOutcomes = (opId: string) => store.lifecycleSteps(opId).map((s) => `${s.kind}:${s.outcome}`);
  /** The cache file as bytes, with its write-ahead log (recent commits live there first). */
  const databaseBytes = () => [store.file, `${store.file}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('');

  it('generates SIP passwords of 32 characters with a digit and both cases, never the same twice', () => {
    const passwords = Array.from({ length: 200 }, () => generateSipPassword());
    for (const password of passwords) expect(password).toMatch(/^(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9]{32}$/);
    expect(new Set(passwords).size).toBe(200);
  });

  it('imports into Retell over a new SIP trunk, step by step, journalled, and the password is nowhere in the cache', async () => {
    const result = await importRetell();
    expect(world.calls).toEqual(TRUNK_STEPS);
    expect(result).toMatchObject({ state: 'done', reusedTrunk: null, number: { provider: 'retell', providerId: E164 } });
    const [trunk] = [...world.trunks.values()];
    expect(trunk!.friendlyName).toBe(`voicenum-retell ${E164}`);
    expect(world.routing.get(PN)!.trunkSid).toBe(trunk!.sid);
    const op = store.lifecycleOp(result.opId)!;
    expect(op).toMatchObject({ kind: 'import', e164: E164, provider: 'retell', carrier: 'twilio', carrierId: PN, state: 'done' });
    expect(stepOutcomes(op.id)).toEqual(['save-routing', 'trunk', 'origination-url', 'credential-list', 'credential', 'trunk-credential-list', 'trunk-phone-number', 'platform-import'].map((k) => `${k}:done`));
    expect(store.lifecycleSteps(op.id)[0]!.routing).toEqual(ORIGINAL);
    expect(store.lifecycleSteps(op.id)[1]!.resource).toEqual({ kind: 'trunk', sid: trunk!.sid, domainName: trunk!.domainName });
    // History: one line per step and the import itself.
    const audit = store.readAudit({ e164: E164 });
    expect(audit.map((e) => `${e.field}:${e.outcome}`)).toContain('import:applied');
    expect(audit.filter((e) => e.field.startsWith('lifecycle:'))).toHaveLength(8);
    expect(store.hasOpenIntents()).toBe(false);
    expect(store.lifecycleStates().size).toBe(0);
    // The password went to Twilio and Retell and nowhere else.
    expect(world.passwords).toHaveLength(1);
    const password = world.passwords[0]!;
    expect(world.credentials.size).toBe(1);
    store.db.pragma('wal_checkpoint(PASSIVE)');
    expect(databaseBytes()).not.toContain(password);
    expect(databaseBytes()).not.toContain(TWILIO.authToken);
    expect(databaseBytes()).toContain(trunk!.sid);
    // Imported once: a second import of the same number is refused before anything is sent.
    world.calls = [];
    await expect(importRetell()).rejects.toBeInstanceOf(RefusedError);
    expect(world.calls).toEqual([]);
  });

  it.each(TRUNK_STEPS.map((call, index) => [index + 1, call] as const))('step %i (%s) failing undoes everything made before it, newest first, and puts the routing back', async (_k, call) => {
    world.fault = { call, mode: 'error' };
    const error = await failure(importRetell());
    expect(error.state).toBe('rolled-back');
    expect(error.message).toContain(`${call} refused (injected)`);
    expect(error.manualSteps).toEqual([]);
    expect(world.resources()).toEqual([]);
    expect(world.routing.get(PN)).toEqual(ORIGINAL);
    const op = store.lifecycleOpsOf(E164)[0]!;
    expect(op.state).toBe('rolled-back');
    const outcomes = store.lifecycleSteps(op.id).map((s) => s.outcome);
    expect(outcomes).not.toContain('pending');
    expect(outcomes.at(-1)).toBe('failed');
    // Every step that made something is undone; the saved routing is put back once the number moved.
    const rows = store.lifecycleSteps(op.id).slice(0, -1);
    for (const row of rows) expect(`${row.kind}:${row.outcome}`).toBe(`${row.kind}:${row.kind === 'save-routing' && call !== 'retell.importFromCarrier' ? 'done' : 'undone'}`);
    // Undone newest first, each once, and the routing last (once the number had moved).
    const made = ['trunk', 'origination-url', 'credential-list', 'credential', 'trunk-credential-list', 'trunk-phone-number'].slice(0, Math.max(0, TRUNK_STEPS.indexOf(call) - 1));
    expect(world.undone).toEqual(call === 'retell.importFromCarrier' ? [...made].reverse().concat('routing') : [...made].reverse());
    expect(store.readAudit({ e164: E164 }).at(-1)).toMatchObject({ field: 'import', outcome: 'rolled-back' });
    expect(store.lifecycleStates().size).toBe(0);
  });

  // Steps 1 and 2 fail before anything exists to undo (the first failure is the plain rollback above).
  it.each(TRUNK_STEPS.slice(2).map((call, index) => [index + 3, call] as const))('step %i (%s) failing with every undo failing too leaves the number corrupted, naming exactly what is left', async (_k, call) => {
    world.fault = { call, mode: 'error' };
    world.undoFails = true;
    const error = await failure(importRetell());
    expect(error.state).toBe('corrupted');
    const left = world.resources();
    // Each resource still upstream is named once in the manual steps, with its SID, and nothing else is.
    const sids = left.map((r) => r.split(':').at(-1)!.split('@')[0]!).map((sid) => (sid.startsWith('+') ? E164 : sid));
    const routingChanged = call === 'retell.importFromCarrier';
    expect(error.manualSteps).toHaveLength(left.length + (routingChanged ? 1 : 0));
    for (const sid of sids) expect(error.manualSteps.some((step) => step.includes(sid))).toBe(true);
    if (routingChanged) expect(error.manualSteps.at(-1)).toBe(`twilio: set the voice routing of ${PN} (${E164}) back to voice URL https://ivr.example.com/answer (POST)`);
    expect(error.message).toContain('corrupted');
    const op = store.lifecycleOpsOf(E164)[0]!;
    expect(op.state).toBe('corrupted');
    expect(store.lifecycleStates().get(lifecycleKey(E164, 'retell'))).toBe('corrupted');
    // A later command is refused until it is repaired; the repair (undo working again) ends clean.
    await expect(importRetell()).rejects.toBeInstanceOf(RefusedError);
    world.undoFails = false;
    const repaired = await resumeOrRepair(ports, op.id, 'repair');
    expect(repaired.state).toBe('rolled-back');
    expect(world.resources()).toEqual([]);
    expect(world.routing.get(PN)).toEqual(ORIGINAL);
    expect(store.lifecycleOp(op.id)!.state).toBe('rolled-back');
    expect(store.lifecycleStates().size).toBe(0);
  });

  describe.each(['repair', 'resume'] as const)('a crash, then %s', (mode) => {
    const cases = [
      ...TRUNK_STEPS.map((call) => [call, 'crash-before'] as const),
      // The steps whose outcome can be read back after a crash: landed, answer never recorded.
      ...(['createTrunk', 'attachPhoneNumber', 'retell.importFromCarrier'] as const).map((call) => [call, 'crash-after'] as const),
    ];
    it.each(cases)('stopped at %s (%s) ends clean', async (call, how) => {
      world.fault = { call, mode: how };
      await crash(importRetell());
      const op = onlyOp();
      expect(op.state).toBe('running');
      expect(store.lifecycleSteps(op.id).at(-1)!.outcome).toBe('pending');
      expect(store.lifecycleStates().get(lifecycleKey(E164, 'retell'))).toBe('importing');
      const result = await resumeOrRepair(ports, op.id, mode, { source: TWILIO });
      expect(store.lifecycleSteps(op.id).map((s) => s.outcome)).not.toContain('pending');
      expect(store.lifecycleStates().size).toBe(0);
      if (mode === 'repair') {
        expect(result.state).toBe('rolled-back');
        expect(world.resources()).toEqual([]);
        expect(world.routing.get(PN)).toEqual(ORIGINAL);
        return;
      }
      expect(result.state).toBe('done');
      // Exactly one of everything, wired together (the platform's own check ran at the import).
      expect(world.trunks.size).toBe(1);
      expect(world.urls.size).toBe(1);
      expect(world.lists.size).toBe(1);
      expect(world.credentials.size).toBe(1);
      expect(world.trunkLists.size).toBe(1);
      expect(world.platform.size).toBe(1);
      expect(world.routing.get(PN)!.trunkSid).toBe([...world.trunks.keys()][0]);
      // A release afterwards finds the import and tears it all down.
      await releaseNumber(ports, { e164: E164, provider: 'retell' });
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
      store.db.pragma('wal_checkpoint(PASSIVE)');
      for (const password of world.passwords) expect(databaseBytes()).not.toContain(password);
    });
  });

  it('a resumed import whose credential was made before the crash replaces it (its password is gone)', async () => {
    world.fault = { call: 'attachCredentialList', mode: 'crash-before' };
    await crash(importRetell());
    await resumeOrRepair(ports, onlyOp().id, 'resume', { source: TWILIO });
    expect(world.passwords).toHaveLength(2);
    expect([...world.credentials.values()].map((c) => c.password)).toEqual([world.passwords[1]]);
  });

  it('a crash after a credential list was made is reported: the ports cannot list them', async () => {
    world.fault = { call: 'createCredentialList', mode: 'crash-after' };
    await crash(importRetell());
    const result = await resumeOrRepair(ports, onlyOp().id, 'repair');
    expect(result.warnings).toEqual([expect.stringMatching(/^twilio: a credential list named "voicenum \+14155550123 [0-9a-f]{8}" may have been made/)]);
  });

  it('reuses a voicenum trunk when asked, says which, and keeps it at release while another number uses it', async () => {
    await importRetell();
    const [trunk] = [...world.trunks.values()];
    const second = await importRetell({ e164: OTHER, pn: OTHER_PN, reuseTrunk: true });
    expect(second.reusedTrunk).toEqual({ sid: trunk!.sid, domainName: trunk!.domainName });
    expect(world.trunks.size).toBe(1);
    expect(world.urls.size).toBe(1);
    expect(world.routing.get(OTHER_PN)!.trunkSid).toBe(trunk!.sid);

    const first = await releaseNumber(ports, { e164: E164, provider: 'retell' });
    expect(first.imported).toBe(true);
    expect(first.warnings).toEqual([`trunk ${trunk!.sid} (${trunk!.domainName}) stays: ${OTHER_PN} still uses it`]);
    expect(world.trunks.size).toBe(1);
    expect(world.routing.get(PN)).toEqual(ORIGINAL);
    await releaseNumber(ports, { e164: OTHER, provider: 'retell' });
    expect(world.resources()).toEqual([]);
    expect(world.routing.get(OTHER_PN)!.voiceUrl).toBe('https://ivr.example.com/other');
  });

  describe('release', () => {
    const TEARDOWN = ['trunk-phone-number', 'trunk-credential-list', 'credential', 'credential-list', 'origination-url', 'trunk', 'routing'];

    it('of an imported number: the platform first, then what voicenum made, then the routing', async () => {
      await importRetell();
      world.calls = [];
      const result = await releaseNumber(ports, { e164: E164, provider: 'retell' });
      expect(result).toMatchObject({ state: 'done', imported: true });
      expect(world.calls).toEqual(['listTrunks', 'retell.release', 'remove', 'remove', 'remove', 'remove', 'remove', 'remove', 'restoreVoiceRouting']);
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
      expect(store.readAudit({ e164: E164 }).at(-1)).toMatchObject({ field: 'release', outcome: 'applied' });
    });

    it('failing on the platform changes nothing', async () => {
      await importRetell();
      const before = world.resources();
      world.undoFails = true;
      const error = await failure(releaseNumber(ports, { e164: E164, provider: 'retell' }));
      expect(error.state).toBe('rolled-back');
      expect(world.resources()).toEqual(before);
      world.undoFails = false;
      // Still an imported number: the next release tears it down.
      await releaseNumber(ports, { e164: E164, provider: 'retell' });
      expect(world.resources()).toEqual([]);
    });

    it.each(TEARDOWN.map((kind, index) => [index + 1, kind] as const))('teardown step %i (%s) failing leaves it corrupted with the exact manual steps, and repair finishes it', async (k, kind) => {
      await importRetell();
      world.removeFails.add(kind);
      const error = await failure(releaseNumber(ports, { e164: E164, provider: 'retell' }));
      expect(error.state).toBe('corrupted');
      // The failed step and every one after it, in order; the platform number is gone already.
      expect(error.manualSteps).toHaveLength(TEARDOWN.length - k + 1);
      const left = world.resources();
      expect(left.some((r) => r.startsWith('platform:'))).toBe(false);
      for (const resource of left) expect(error.manualSteps.some((step) => step.includes(resource.split(':')[1]!.split('@')[0]!))).toBe(true);
      expect(error.manualSteps.at(-1)).toContain('set the voice routing');
      const op = store.lifecycleOpsOf(E164, 'retell', 'release')[0]!;
      expect(store.lifecycleStates().get(lifecycleKey(E164, 'retell'))).toBe('corrupted');
      world.removeFails.clear();
      await resumeOrRepair(ports, op.id, 'repair');
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
      expect(store.lifecycleOp(op.id)!.state).toBe('done');
    });

    it.each(['retell.release', 'remove', 'restoreVoiceRouting'])('a crash at %s shows deleting, and repair or resume finishes the teardown', async (call) => {
      await importRetell();
      // Releases, removals and restores go through `undo`: the first `call` lands, then the process dies.
      const original = world.undo.bind(world);
      let crashed = false;
      world.undo = async (name, kind, effect) => {
        const value = await original(name, kind, effect);
        if (name === call && !crashed) {
          crashed = true;
          throw new Crash(`killed after ${name}`);
        }
        return value;
      };
      await crash(releaseNumber(ports, { e164: E164, provider: 'retell' }));
      const op = store.lifecycleOpsOf(E164, 'retell', 'release')[0]!;
      expect(store.lifecycleStates().get(lifecycleKey(E164, 'retell'))).toBe('deleting');
      await resumeOrRepair(ports, op.id, 'repair');
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
      expect(store.lifecycleStates().size).toBe(0);
    });

    it('a crash before the platform released it: repair ends with nothing changed', async () => {
      await importRetell();
      const before = world.resources();
      world.undo = async (name) => {
        throw new Crash(`killed during ${name}`);
      };
      await crash(releaseNumber(ports, { e164: E164, provider: 'retell' }));
      world.undo = World.prototype.undo.bind(world);
      const op = store.lifecycleOpsOf(E164, 'retell', 'release')[0]!;
      expect((await resumeOrRepair(ports, op.id, 'repair')).state).toBe('rolled-back');
      expect(world.resources()).toEqual(before);
    });

    it('of a number voicenum did not import: the platform only; from the carrier only when confirmed', async () => {
      world.platform.set('vapi:+14155550177', remote('vapi', 'uuid-77', '+14155550177', null));
      const result = await releaseNumber(ports, { e164: '+14155550177', provider: 'vapi', providerId: 'uuid-77' });
      expect(result.imported).toBe(false);
      expect(world.calls).toEqual(['vapi.release']);
      expect(world.platform.size).toBe(0);
      expect(releaseIsIrreversible(ports, 'twilio')).toBe(true);
      expect(releaseIsIrreversible(ports, 'retell')).toBe(false);
      await expect(releaseNumber(ports, { e164: E164, provider: 'twilio', providerId: PN })).rejects.toBeInstanceOf(RefusedError);
      expect(world.calls).toEqual(['vapi.release']);
      await releaseNumber(ports, { e164: E164, provider: 'twilio', providerId: PN, irreversibleConfirmed: true });
      expect(world.calls).toEqual(['vapi.release', 'twilio.release']);
    });
  });

  describe('the credentials path (Vapi: the descriptor says credentials)', () => {
    it('is one platform call, after saving the routing; release puts the routing back', async () => {
      const result = await importNumber(ports, { e164: E164, into: 'vapi', source: TWILIO });
      expect(world.calls).toEqual(['readVoiceRouting', 'vapi.importFromCarrier']);
      expect(result.number).toMatchObject({ provider: 'vapi', providerId: `uuid-${E164}` });
      expect(world.trunks.size + world.lists.size).toBe(0);
      await releaseNumber(ports, { e164: E164, provider: 'vapi' });
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
    });

    it('a failed import leaves nothing; with the undo failing it names what is left', async () => {
      world.fault = { call: 'vapi.importFromCarrier', mode: 'error' };
      expect((await failure(importNumber(ports, { e164: E164, into: 'vapi', source: TWILIO }))).state).toBe('rolled-back');
      expect(world.resources()).toEqual([]);
      expect(world.routing.get(PN)).toEqual(ORIGINAL);
    });

    it.each(['repair', 'resume'] as const)('a crash after the platform took it, then %s, ends clean', async (mode) => {
      world.fault = { call: 'vapi.importFromCarrier', mode: 'crash-after' };
      await crash(importNumber(ports, { e164: E164, into: 'vapi', source: TWILIO }));
      const op = store.openLifecycleOps()[0]!;
      const result = await resumeOrRepair(ports, op.id, mode, { source: TWILIO });
      expect(world.calls.filter((c) => c === 'vapi.importFromCarrier')).toHaveLength(1);
      if (mode === 'repair') {
        expect(result.state).toBe('rolled-back');
        expect(world.resources()).toEqual([]);
        expect(world.routing.get(PN)).toEqual(ORIGINAL);
      } else {
        expect(result).toMatchObject({ state: 'done', number: { providerId: `uuid-${E164}` } });
        expect(world.resources()).toEqual([`platform:vapi:${E164}`]);
      }
    });

    it('a platform whose descriptor has no import is refused before anything is sent', async () => {
      await expect(importNumber(ports, { e164: E164, into: 'twilio', source: TWILIO })).rejects.toBeInstanceOf(RefusedError);
      expect(world.calls).toEqual([]);
      expect(store.lifecycleOpsOf(E164)).toEqual([]);
    });
  });

  describe('buy', () => {
    it('is one journalled call', async () => {
      const result = await buyNumber(ports, { provider: 'retell', purchase: { e164: '+14155550188' } });
      expect(world.calls).toEqual(['retell.buy']);
      expect(result.number).toMatchObject({ e164: '+14155550188' });
      const op = store.lifecycleOp(result.opId)!;
      expect(op).toMatchObject({ kind: 'buy', state: 'done' });
      expect(stepOutcomes(op.id)).toEqual(['platform-buy:done']);
      expect(store.readAudit({ e164: '+14155550188' }).at(-1)).toMatchObject({ field: 'buy', outcome: 'applied' });
    });

    it('failing buys nothing and says so', async () => {
      world.fault = { call: 'retell.buy', mode: 'error' };
      const error = await failure(buyNumber(ports, { provider: 'retell', purchase: { areaCode: '415' } }));
      expect(error.state).toBe('rolled-back');
      expect(world.platform.size).toBe(0);
    });

    it.each(['repair', 'resume'] as const)('a crash after the purchase landed, then %s', async (mode) => {
      world.fault = { call: 'retell.buy', mode: 'crash-after' };
      await crash(buyNumber(ports, { provider: 'retell', purchase: { e164: '+14155550188' } }));
      const op = store.openLifecycleOps()[0]!;
      expect(store.lifecycleStates().get(lifecycleKey('+14155550188', 'retell'))).toBe('buying');
      const result = await resumeOrRepair(ports, op.id, mode);
      expect(world.calls.filter((c) => c === 'retell.buy')).toHaveLength(1);
      expect(result.state).toBe(mode === 'repair' ? 'rolled-back' : 'done');
      expect(world.platform.size).toBe(mode === 'repair' ? 0 : 1);
    });
  });
});
