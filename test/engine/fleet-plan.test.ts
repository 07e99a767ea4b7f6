import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/config/settings.js';
import { PROVIDERS } from '../../src/domain/model.js';
import { planFleet, type DesiredNumber } from '../../src/engine/fleet/plan.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { Store } from '../../src/store/index.js';
import { useSandboxCli } from '../helpers/in-process.js';

/**
 * The plan engine on its own: desired numbers against a real cache (filled by a sync of the fakes),
 * no file and no command line. What drift will reuse: per number, per field, before → after.
 */
const seed = buildSeedPlan();
const agent = (provider: string, name: string) => seed.agents.find((a) => a.provider === provider && a.name === name)!;
const options = { prune: false, scope: [...PROVIDERS], allowDraft: false, force: false };

describe('planFleet', () => {
  const cli = useSandboxCli();
  let store: Store | undefined;
  const open = () => (store = Store.open(join(cli.home, 'profiles', 'default', 'cache.db')));
  afterEach(() => store?.close());
  const desired = (e164: string, provider: string, fields: Partial<DesiredNumber>): DesiredNumber => {
    const row = store!.findNumbers(e164).find((r) => r.provider === provider)!;
    return { provider: row.provider, providerId: row.providerId, e164, slots: {}, ...fields };
  };

  it('lists only what differs, per field, with kinds and a summary; an unchanged number is not in the plan', () => {
    open();
    const split = seed.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 2)!;
    const sales = agent('retell', 'sales');
    const support = agent('retell', 'support');
    const plan = planFleet(store!, DEFAULT_SETTINGS, [
      // The split written in the other order: the same split, no change.
      desired(split.e164, 'retell', { slots: { inbound: [{ agentId: support.id, name: 'support', weight: 0.3, version: null, text: 'support' }, { agentId: sales.id, name: 'sales', weight: 0.7, version: null, text: 'sales' }] }, label: split.label }),
      // A number with no field given: left as it is.
      desired(seed.numbers.find((n) => n.provider === 'bland')!.e164, 'bland', {}),
    ], options);
    expect(plan.numbers).toEqual([]);
    expect(plan.summary).toEqual({ toChange: 0, fields: 0, moves: 0, refused: 0 });

    const held = seed.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.outbound.length === 1 && n.slots.sms.length === 1)!;
    const changed = planFleet(store!, DEFAULT_SETTINGS, [desired(held.e164, 'retell', { slots: { inbound: [{ agentId: sales.id, name: 'sales', weight: 1, version: null, text: 'sales' }], sms: [] }, label: 'front desk' })], options);
    expect(changed.numbers.length).toBe(1);
    expect(changed.numbers[0]!.changes.map((c) => [c.field, c.kind])).toEqual([
      ['inbound', 'move'],
      ['sms', 'unassign'],
      ['label', 'set'],
    ]);
    expect(changed.numbers[0]!.changes[2]).toMatchObject({ before: held.label, after: 'front desk' });
    expect(changed.summary).toEqual({ toChange: 1, fields: 3, moves: 1, refused: 0 });
    expect(changed.numbers[0]!.confirmations.length).toBe(2);
  });

  it('a saved state as `upstream` is the before of each change (what the freshness read compares with)', () => {
    open();
    const vacant = seed.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0)!;
    const receptionist = agent('retell', 'receptionist');
    const support = agent('retell', 'support');
    const plan = planFleet(store!, DEFAULT_SETTINGS, [
      desired(vacant.e164, 'retell', {
        slots: { inbound: [{ agentId: support.id, name: 'support', weight: 1, version: null, text: 'support' }] },
        upstream: { inbound: [{ agentId: receptionist.id, name: 'receptionist', kind: 'voice', weight: 1, version: null }] },
      }),
    ], options);
    expect(plan.numbers[0]!.changes).toEqual([expect.objectContaining({ field: 'inbound', kind: 'move', before: [expect.objectContaining({ agentId: receptionist.id })] })]);
    expect(plan.numbers[0]!.slotPlan!.changes[0]!.before.map((a) => a.agentId)).toEqual([receptionist.id]);
  });

  it('settings are checked against the provider: a label too long for Vapi and a region that cannot be cleared are refusals', () => {
    open();
    const vapi = seed.numbers.find((n) => n.provider === 'vapi' && n.status === 'active')!;
    const twilio = seed.numbers.find((n) => n.provider === 'twilio' && !seed.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164))!;
    const plan = planFleet(store!, DEFAULT_SETTINGS, [desired(vapi.e164, 'vapi', { label: 'x'.repeat(41) }), desired(twilio.e164, 'twilio', { region: null })], options);
    expect(plan.numbers.map((n) => n.refusals)).toEqual([[expect.stringMatching(/at most 40 characters/)], [expect.stringMatching(/cannot be cleared/)]]);
    expect(plan.summary.refused).toBe(2);
  });
});
