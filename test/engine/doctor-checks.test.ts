import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName, ProviderSnapshot, RemoteAgent, RemoteNumber } from '../../src/domain/model.js';
import { CHECKS, runChecks } from '../../src/engine/doctor/run.js';
import { readSnapshot } from '../../src/engine/doctor/snapshot.js';
import type { AccountProbe, DoctorSettings, DoctorSnapshot, Finding } from '../../src/engine/doctor/types.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Each doctor check over a real cache: a small fleet with nothing wrong (every number answered,
 * every agent holding a number, carrier routing as each platform needs it), then one fault at a time.
 */

const NOW = new Date('2026-11-28T12:00:00.000Z');
const TRUNK = 'TK0123456789abcdef0123456789abcdef';
const APP = 'AP0123456789abcdef0123456789abcdef';
const pn = (n: number) => `PN${String(n).padStart(32, '0')}`;

interface Fleet {
  agents: RemoteAgent[];
  numbers: RemoteNumber[];
}

function number(provider: ProviderName, providerId: string, e164: string, slots: Partial<RemoteNumber['slots']> = {}, extra: Partial<RemoteNumber> = {}): RemoteNumber {
  return { provider, providerId, e164, label: null, status: null, capabilities: { voice: null, sms: null }, region: null, fallback: null, origin: null, slots: { inbound: [], outbound: [], sms: [], ...slots }, ...extra };
}
const one = (agentId: string) => [{ agentId, weight: 1 }];
const carrierRecord = (id: string, e164: string, extra: Partial<RemoteNumber> = {}) => number('twilio', id, e164, {}, { status: 'in-use', capabilities: { voice: true, sms: true }, region: 'us1', origin: 'twilio', voiceUrl: null, ...extra });

/** A healthy fleet: Retell over a SIP trunk, Vapi and Bland by webhook, a Twilio number on an application. */
function healthyFleet(): Fleet {
  return {
    agents: [
      { provider: 'retell', id: 'agent_voice', name: 'receptionist', kind: 'voice', live: true },
      { provider: 'retell', id: 'agent_dialer', name: 'dialer', kind: 'voice', live: true },
      { provider: 'retell', id: 'agent_chat', name: 'concierge', kind: 'chat', live: true },
      { provider: 'vapi', id: 'vapi-1', name: 'booking', kind: 'assistant', live: null },
      { provider: 'bland', id: 'bland-1', name: 'intake', kind: 'agent', live: true },
      { provider: 'twilio', id: APP, name: 'ivr', kind: 'twiml-app', live: null },
      { provider: 'twilio', id: TRUNK, name: TRUNK, kind: 'sip-trunk', live: null },
    ],
    numbers: [
      number('retell', '+14155550100', '+14155550100', { inbound: one('agent_voice'), outbound: one('agent_dialer'), sms: one('agent_chat') }, { origin: 'custom' }),
      carrierRecord(pn(1), '+14155550100', { slots: { inbound: one(TRUNK), outbound: [], sms: [] } }),
      number('vapi', 'uuid-1', '+14155550101', { inbound: one('vapi-1'), sms: one('vapi-1') }, { status: 'active', origin: 'twilio' }),
      carrierRecord(pn(2), '+14155550101', { voiceUrl: 'https://api.vapi.ai/twilio/inbound_call' }),
      number('bland', '+14155550102', '+14155550102', { inbound: one('bland-1') }, { origin: 'twilio' }),
      carrierRecord(pn(3), '+14155550102', { voiceUrl: 'https://api.bland.ai/v1/inbound/twilio' }),
      carrierRecord(pn(4), '+14155550103', { slots: { inbound: one(APP), outbound: [], sms: [] } }),
    ],
  };
}

const DEFAULT_SETTINGS: DoctorSettings = { cacheMaxAge: '24h', cacheMaxAgeMs: 86_400_000, defaultRegion: null, oneAgentPerNumber: false, oneNumberPerAgent: false };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function storeOf(fleet: Fleet): Store {
  const dir = tempDir();
  const store = Store.open(join(dir.path, 'cache.db'));
  cleanups.push(() => {
    store.close();
    dir.cleanup();
  });
  for (const provider of ['retell', 'vapi', 'bland', 'twilio'] as const) {
    const snapshot: ProviderSnapshot = { provider, numbers: fleet.numbers.filter((n) => n.provider === provider), agents: fleet.agents.filter((a) => a.provider === provider), skipped: [], requests: 1 };
    store.replaceProvider(snapshot, new Date(NOW.getTime() - 60_000));
  }
  return store;
}

function snapshotOf(store: Store, options: { settings?: Partial<DoctorSettings>; probes?: AccountProbe[] | null; configured?: ProviderName[]; now?: Date } = {}): DoctorSnapshot {
  return readSnapshot(store, {
    now: options.now ?? NOW,
    configured: options.configured ?? ['retell', 'vapi', 'bland', 'twilio'],
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    probes: options.probes === undefined ? null : options.probes,
    command: (text) => `voicenum ${text}`,
  });
}

function findingsOf(fleet: Fleet, options: Parameters<typeof snapshotOf>[1] = {}): Finding[] {
  return runChecks(snapshotOf(storeOf(fleet), options));
}

/** The one finding of a check (the fleet has exactly one fault). */
function only(findings: Finding[], check: string): Finding {
  const matching = findings.filter((f) => f.check === check);
  expect(matching, JSON.stringify(findings, null, 1)).toHaveLength(1);
  return matching[0]!;
}

function mutate(change: (fleet: Fleet) => void): Fleet {
  const fleet = healthyFleet();
  change(fleet);
  return fleet;
}

const find = (fleet: Fleet, e164: string, provider: ProviderName) => fleet.numbers.find((n) => n.e164 === e164 && n.provider === provider)!;

describe('doctor checks', () => {
  it('find nothing in a healthy fleet, online with working credentials too', () => {
    const probes: AccountProbe[] = (['retell', 'vapi', 'bland', 'twilio'] as const).map((provider) => ({ provider, ok: true, rejected: false, latencyMs: 12, detail: null }));
    expect(findingsOf(healthyFleet(), { probes, settings: { defaultRegion: 'us1', oneAgentPerNumber: false, oneNumberPerAgent: true } })).toEqual([]);
  });

  it('every check has a unique id', () => {
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });

  it('credentials: a rejected key, with auth login as the fix; skipped offline', () => {
    const probes: AccountProbe[] = [{ provider: 'bland', ok: false, rejected: true, latencyMs: 30, detail: 'invalid key' }];
    const finding = only(findingsOf(healthyFleet(), { probes }), 'credentials');
    expect(finding).toMatchObject({ severity: 'error', subject: 'bland', fix: 'voicenum auth login bland' });
    expect(findingsOf(healthyFleet(), { probes: null }).filter((f) => f.check === 'credentials')).toEqual([]);
  });

  it('never-synced: a configured provider without a sync', () => {
    const store = storeOf(healthyFleet());
    store.db.prepare("DELETE FROM sync_state WHERE provider = 'vapi'").run();
    expect(only(runChecks(snapshotOf(store)), 'never-synced')).toMatchObject({ subject: 'vapi', fix: 'voicenum sync --provider vapi' });
  });

  it('cache-stale: a sync older than cache-max-age', () => {
    const findings = findingsOf(healthyFleet(), { settings: { cacheMaxAge: '30s', cacheMaxAgeMs: 30_000 } });
    expect(findings.filter((f) => f.check === 'cache-stale').map((f) => f.fix).sort()).toEqual(['bland', 'retell', 'twilio', 'vapi'].map((p) => `voicenum sync --provider ${p}`));
  });

  it('cache-health: a schema other than this voicenum expects, or an integrity problem', () => {
    const snapshot = snapshotOf(storeOf(healthyFleet()));
    expect(runChecks({ ...snapshot, cache: { schemaVersion: 9, expectedVersion: 10, integrityProblems: ['row 3 missing from index'] } }).filter((f) => f.check === 'cache-health')).toHaveLength(2);
  });

  it('journal-open: a pending journal entry, with sync as the fix', () => {
    const store = storeOf(healthyFleet());
    store.beginIntent('i-1', [{ at: NOW.toISOString(), osUser: 'me', profile: 'default', batch: 'b', provider: 'retell', providerId: '+14155550100', e164: '+14155550100', field: 'inbound', before: '[]', after: '[]', outcome: 'pending', error: null }]);
    expect(only(runChecks(snapshotOf(store)), 'journal-open')).toMatchObject({ subject: '+14155550100', fix: 'voicenum sync' });
  });

  it('no-inbound-agent: an active number nothing answers', () => {
    const fleet = mutate((f) => (find(f, '+14155550102', 'bland').slots.inbound = []));
    expect(only(findingsOf(fleet), 'no-inbound-agent')).toMatchObject({ subject: '+14155550102', provider: 'bland', fix: 'voicenum assign +14155550102 --inbound <agent>' });
  });

  it('agent-gone: an agent deleted upstream, and one never known', () => {
    const store = storeOf(healthyFleet());
    store.replaceProvider({ provider: 'bland', numbers: healthyFleet().numbers.filter((n) => n.provider === 'bland'), agents: [], skipped: [], requests: 1 }, NOW);
    expect(only(runChecks(snapshotOf(store)), 'agent-gone')).toMatchObject({ subject: '+14155550102', fix: 'voicenum assign +14155550102 --inbound <agent> --yes' });
    const unknown = mutate((f) => (find(f, '+14155550102', 'bland').slots.inbound = one('bland-unknown')));
    expect(only(findingsOf(unknown), 'agent-gone').problem).toMatch(/bland-unknown does not exist/);
  });

  it('agent-not-live: a draft-only agent in a slot', () => {
    const fleet = mutate((f) => (f.agents.find((a) => a.id === 'agent_voice')!.live = false));
    expect(only(findingsOf(fleet), 'agent-not-live')).toMatchObject({ subject: '+14155550100', fix: 'voicenum assign +14155550100 --inbound <agent> --yes' });
  });

  it('sms-without-capability and voice-without-capability read the carrier record', () => {
    const sms = mutate((f) => (find(f, '+14155550100', 'twilio').capabilities.sms = false));
    expect(only(findingsOf(sms), 'sms-without-capability')).toMatchObject({ subject: '+14155550100', fix: 'voicenum unassign +14155550100 --sms --yes' });
    const voice = mutate((f) => (find(f, '+14155550100', 'twilio').capabilities.voice = false));
    const finding = only(findingsOf(voice), 'voice-without-capability');
    expect(finding.fix).toBe('voicenum unassign +14155550100 --inbound --outbound --yes');
  });

  it('carrier-routed-nowhere: a carrier number with no application, trunk or voice URL; a voice URL is routing', () => {
    const fleet = mutate((f) => (find(f, '+14155550103', 'twilio').slots.inbound = []));
    expect(only(findingsOf(fleet), 'carrier-routed-nowhere')).toMatchObject({ subject: '+14155550103', fix: 'voicenum assign +14155550103 --inbound <application>' });
    const byUrl = mutate((f) => Object.assign(find(f, '+14155550103', 'twilio'), { slots: { inbound: [], outbound: [], sms: [] }, voiceUrl: 'https://example.com/voice' }));
    // The application now holds no number (a note), but the number is routed.
    expect(findingsOf(byUrl).map((f) => f.check)).toEqual(['agent-without-number']);
  });

  it('carrier-trunk-unheld: on the trunk of a platform that does not hold it; the fix imports it there', () => {
    const fleet = mutate((f) => f.numbers.push(carrierRecord(pn(5), '+14155550104', { slots: { inbound: one(TRUNK), outbound: [], sms: [] } })));
    expect(only(findingsOf(fleet), 'carrier-trunk-unheld')).toMatchObject({ subject: '+14155550104', fix: 'voicenum numbers import +14155550104 --into retell --yes' });
  });

  it('carrier-routing-elsewhere: a trunk import routed to an application; a webhook import routed to a stranger', () => {
    const trunk = mutate((f) => {
      find(f, '+14155550103', 'twilio').slots.inbound = one(TRUNK); // another Retell number on the trunk, held by Retell
      f.numbers.push(number('retell', '+14155550103', '+14155550103', { inbound: one('agent_voice'), outbound: one('agent_dialer'), sms: one('agent_chat') }));
      find(f, '+14155550100', 'twilio').slots.inbound = one(APP);
    });
    expect(only(findingsOf(trunk), 'carrier-routing-elsewhere')).toMatchObject({ subject: '+14155550100', provider: 'retell', fix: `voicenum assign +14155550100 --provider twilio --inbound ${TRUNK} --yes` });
    const url = mutate((f) => (find(f, '+14155550101', 'twilio').voiceUrl = 'https://example.com/old'));
    expect(only(findingsOf(url), 'carrier-routing-elsewhere')).toMatchObject({ subject: '+14155550101', provider: 'vapi', fix: null });
    const hidden = mutate((f) => (find(f, '+14155550101', 'twilio').slots.inbound = one(APP)));
    expect(only(findingsOf(hidden), 'carrier-routing-elsewhere').fix).toBe('voicenum unassign +14155550101 --provider twilio --inbound --yes');
  });

  it('carrier-region-missing and carrier-region-differs', () => {
    const missing = mutate((f) => (find(f, '+14155550103', 'twilio').region = null));
    expect(only(findingsOf(missing), 'carrier-region-missing')).toMatchObject({ subject: '+14155550103', fix: 'voicenum region +14155550103 us1' });
    const differs = mutate((f) => (find(f, '+14155550101', 'twilio').region = 'ie1'));
    expect(findingsOf(differs).filter((f) => f.check === 'carrier-region-differs')).toEqual([]);
    expect(only(findingsOf(differs, { settings: { defaultRegion: 'us1' } }), 'carrier-region-differs')).toMatchObject({ subject: '+14155550101', fix: 'voicenum region +14155550101 us1' });
  });

  it('needs-attention, corrupted and removed numbers', () => {
    const store = storeOf(healthyFleet());
    store.markNeedsAttention('bland', '+14155550102', 'set the pathway back to intake', []);
    store.beginLifecycleOp({ id: 'op-1', kind: 'import', e164: '+14155550100', provider: 'retell', at: NOW.toISOString() });
    store.finishLifecycleOp('op-1', 'corrupted', 'undo failed', NOW.toISOString());
    store.replaceProvider({ provider: 'vapi', numbers: [], agents: healthyFleet().agents.filter((a) => a.provider === 'vapi'), skipped: [], requests: 1 }, NOW);
    const findings = runChecks(snapshotOf(store));
    expect(only(findings, 'needs-attention')).toMatchObject({ subject: '+14155550102', fix: 'voicenum sync' });
    expect(only(findings, 'lifecycle-open')).toMatchObject({ subject: '+14155550100', severity: 'error', fix: 'voicenum numbers repair +14155550100' });
    expect(only(findings, 'removed-upstream')).toMatchObject({ subject: '+14155550101', severity: 'info' });
  });

  it('the policies, only when on', () => {
    const fleet = mutate((f) => f.numbers.push(number('bland', '+14155550105', '+14155550105', { inbound: one('bland-1') })));
    expect(findingsOf(fleet).filter((f) => f.check.startsWith('policy-'))).toEqual([]);
    const perAgent = findingsOf(fleet, { settings: { oneNumberPerAgent: true } });
    expect(only(perAgent, 'policy-one-number-per-agent')).toMatchObject({ subject: '+14155550105', fix: 'voicenum unassign +14155550105 --inbound --yes' });
    const perNumber = findingsOf(healthyFleet(), { settings: { oneAgentPerNumber: true } });
    expect(only(perNumber, 'policy-one-agent-per-number')).toMatchObject({ subject: '+14155550100', fix: 'voicenum unassign +14155550100 --outbound --sms --yes' });
  });

  it('fallback-self: a fallback to the number itself', () => {
    const fleet = mutate((f) => (find(f, '+14155550100', 'retell').fallback = '+14155550100'));
    expect(only(findingsOf(fleet), 'fallback-self')).toMatchObject({ subject: '+14155550100', fix: 'voicenum numbers fallback +14155550100 none' });
  });

  it('agent-without-number and agent-name-shared', () => {
    const fleet = mutate((f) => {
      f.agents.push({ provider: 'retell', id: 'agent_idle', name: 'Receptionist', kind: 'voice', live: true });
    });
    const findings = findingsOf(fleet);
    expect(only(findings, 'agent-without-number')).toMatchObject({ subject: 'Receptionist', fix: 'voicenum assign <number> --inbound retell:agent_idle' });
    expect(only(findings, 'agent-name-shared')).toMatchObject({ provider: 'retell', fix: null });
    const draft = mutate((f) => f.agents.push({ provider: 'retell', id: 'agent_draft', name: 'night', kind: 'voice', live: false }));
    expect(only(findingsOf(draft), 'agent-without-number').fix).toBe('voicenum assign <number> --inbound retell:agent_draft --allow-draft');
    expect(only(findings, 'agent-name-shared').problem).toMatch(/2 Retell agents are named receptionist \(agent_idle, agent_voice\)/i);
  });

  it('keeps only the numbers and providers asked for', () => {
    const fleet = mutate((f) => {
      find(f, '+14155550102', 'bland').slots.inbound = [];
      find(f, '+14155550103', 'twilio').slots.inbound = [];
    });
    const snapshot = snapshotOf(storeOf(fleet));
    // The two numbers, and the two agents they no longer use.
    expect(runChecks(snapshot).map((f) => f.subject).sort()).toEqual(['+14155550102', '+14155550103', 'intake', 'ivr']);
    expect(runChecks(snapshot, { numbers: ['+14155550102'] }).map((f) => f.subject)).toEqual(['+14155550102']);
    expect(runChecks(snapshot, { providers: ['twilio'] }).map((f) => f.subject)).toEqual(['+14155550103', 'ivr']);
  });

  it('reads agents as agents list shows them (whether, not how many, numbers they hold on each slot), and each record with its own slots, when records share a slot filling', () => {
    const fleet = healthyFleet();
    const two = (a: string, b: string) => [{ agentId: a, weight: 0.5 }, { agentId: b, weight: 0.5 }];
    fleet.numbers.push(
      // The same filling as +14155550100, on another number.
      number('retell', '+14155550110', '+14155550110', { inbound: one('agent_voice'), outbound: one('agent_dialer'), sms: one('agent_chat') }, { origin: 'custom' }),
      // One agent on two slots, and two agents sharing a slot.
      number('retell', '+14155550111', '+14155550111', { inbound: one('agent_voice'), outbound: one('agent_voice') }, { origin: 'custom' }),
      number('retell', '+14155550112', '+14155550112', { inbound: two('agent_voice', 'agent_dialer') }, { origin: 'custom' }),
      number('retell', '+14155550113', '+14155550113', { inbound: one('agent_dialer') }, { origin: 'custom' }),
      // The only number with agent_chat on outbound, removed below: it holds nothing there then.
      number('retell', '+14155550114', '+14155550114', { outbound: one('agent_chat') }, { origin: 'custom' }),
    );
    const store = storeOf(fleet);
    // The next sync finds +14155550113 gone: a removed record counts for nobody.
    store.replaceProvider({ provider: 'retell', numbers: fleet.numbers.filter((n) => n.provider === 'retell' && n.e164 !== '+14155550113' && n.e164 !== '+14155550114'), agents: fleet.agents.filter((a) => a.provider === 'retell'), skipped: [], requests: 1 }, NOW);
    const snapshot = snapshotOf(store);
    // Doctor asks whether an agent holds a number on a slot, where agents list counts them.
    const holding = store.listAgents({ includeRemoved: true }).map(({ numbers, ...agent }) => ({ ...agent, holds: { inbound: numbers.inbound > 0, outbound: numbers.outbound > 0, sms: numbers.sms > 0 } }));
    expect(snapshot.agents).toEqual(holding);
    expect(snapshot.agents.find((a) => a.id === 'agent_voice')!.holds).toEqual({ inbound: true, outbound: true, sms: false });
    expect(snapshot.agents.find((a) => a.id === 'agent_chat')!.holds).toEqual({ inbound: false, outbound: false, sms: true });
    const slotsOf = (e164: string) => snapshot.fleet.rows().find((n) => n.e164 === e164 && n.provider === 'retell')!.slots;
    expect(slotsOf('+14155550110')).toEqual(slotsOf('+14155550100'));
    expect(slotsOf('+14155550111')).toEqual({ inbound: one('agent_voice'), outbound: one('agent_voice'), sms: [] });
    expect(slotsOf('+14155550112')).toEqual({ inbound: two('agent_voice', 'agent_dialer'), outbound: [], sms: [] });
    expect(snapshot.fleet.removed().find((n) => n.e164 === '+14155550113')!.removed).toBe(true);
  });
});
