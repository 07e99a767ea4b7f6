import { describe, expect, it } from 'vitest';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { tsv } from '../helpers/run-cli.js';
import { useSandboxCli } from '../helpers/in-process.js';

/** `numbers region / label / fallback` and `agents show` against the fakes over HTTP. */
const plan = buildSeedPlan();
const platformE164 = new Set(plan.numbers.filter((n) => n.provider !== 'twilio').map((n) => n.e164));
const importedRetell = plan.numbers.find((n) => n.provider === 'retell' && n.importedFromTwilio && plan.numbers.find((t) => t.provider === 'twilio' && t.e164 === n.e164)?.region === 'us1')!;
const retellOnly = plan.numbers.find((n) => n.provider === 'retell' && !n.importedFromTwilio)!;
const twilioOnly = plan.numbers.find((n) => n.provider === 'twilio' && !platformE164.has(n.e164))!;
const vapi = plan.numbers.find((n) => n.provider === 'vapi' && n.status === 'active')!;
const bland = plan.numbers.find((n) => n.provider === 'bland')!;

interface Shown {
  label: string | null;
  fallback: string | null;
  region: string | null;
}

describe('number settings', () => {
  const cli = useSandboxCli();
  const show = async (e164: string) => JSON.parse((await cli.run(['numbers', 'show', e164, '--json'])).stdout) as Shown;
  const resync = async () => expect((await cli.run(['sync'])).code).toBe(0);

  describe('region', () => {
    it('shows the region of a Twilio number and of a number imported from Twilio, with the valid ones', async () => {
      const own = await cli.run(['numbers', 'region', twilioOnly.e164, '--json']);
      expect(JSON.parse(own.stdout)).toMatchObject({ e164: twilioOnly.e164, provider: 'twilio', region: twilioOnly.region, valid: ['us1', 'ie1', 'au1'] });
      const imported = await cli.run(['region', importedRetell.e164]);
      expect(imported.stdout).toBe(`${importedRetell.e164}\tus1\tus1,ie1,au1\n`);
    });

    it('sets ie1 on a Retell number imported from Twilio through Routes v2; a re-sync agrees', async () => {
      const result = await cli.run(['numbers', 'region', importedRetell.e164, 'ie1']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\ttwilio\tapplied\tregion: us1 -> ie1/);
      expect(result.stderr).toMatch(/takes a few minutes/);
      expect(result.stderr).toMatch(/voice configuration .* must already exist in ie1/);
      const writes = cli.sandbox.fakes.twilio.log.filter((e) => e.method === 'POST');
      expect(writes.map((e) => e.path)).toEqual([`/v2/PhoneNumbers/${importedRetell.e164}`]);
      await resync();
      expect((await show(importedRetell.e164)).region).toBe('ie1');
      const listed = JSON.parse((await cli.run(['numbers', 'list', '--region', 'ie1', '--json', 'e164'])).stdout) as { e164: string }[];
      expect(listed.map((n) => n.e164)).toContain(importedRetell.e164);
      const history = JSON.parse((await cli.run(['history', importedRetell.e164, '--json'])).stdout) as { field: string; before: string; after: string; provider: string }[];
      expect(history).toMatchObject([{ field: 'region', before: 'us1', after: 'ie1', provider: 'twilio' }]);
    });

    it('refuses an unknown region before any call, naming the valid ones', async () => {
      await cli.expectRefused(['numbers', 'region', twilioOnly.e164, 'eu1'], 3, /"eu1" is not a Twilio inbound processing region; valid: us1, ie1, au1/);
    });

    it('explains that a number with no Twilio record has no region', async () => {
      await cli.expectRefused(['region', retellOnly.e164, 'ie1'], 3, /region is a Twilio setting, and .* has no Twilio record/);
      const shown = await cli.run(['region', retellOnly.e164]);
      expect(shown.code).toBe(3);
    });

    it('a dry run changes nothing', async () => {
      const before = await cli.cacheSnapshot();
      const result = await cli.run(['region', twilioOnly.e164, 'au1', '--dry-run']);
      expect(result.code).toBe(0);
      expect(tsv(result.stdout)).toEqual([[twilioOnly.e164, 'twilio', 'region', twilioOnly.region ?? '(none)', 'au1', 'set', '']]);
      expect(cli.writesUpstream()).toEqual([]);
      expect(await cli.cacheSnapshot()).toBe(before);
    });
  });

  describe('label', () => {
    it('sets the label on every provider, visible after a re-sync and searchable', async () => {
      const cases = [
        [retellOnly.e164, 'Retell front desk'],
        [vapi.e164, 'Vapi booking line'],
        [bland.e164, 'Bland collections'],
        [twilioOnly.e164, 'Twilio IVR main'],
      ] as const;
      for (const [e164, label] of cases) {
        const result = await cli.run(['numbers', 'label', e164, label]);
        expect(result.code, `${e164}: ${result.stderr}`).toBe(0);
      }
      await resync();
      for (const [e164, label] of cases) expect((await show(e164)).label).toBe(label);
      const found = JSON.parse((await cli.run(['numbers', 'list', '--search', 'booking line', '--json', 'e164'])).stdout) as { e164: string }[];
      expect(found.map((n) => n.e164)).toEqual([vapi.e164]);
    });

    it('refuses a Vapi label over 40 and a Twilio one over 64 characters before calling', async () => {
      await cli.expectRefused(['numbers', 'label', vapi.e164, 'x'.repeat(41)], 3, /vapi label \(name\) holds at most 40 characters; this one has 41/);
      await cli.expectRefused(['numbers', 'label', twilioOnly.e164, 'y'.repeat(65)], 3, /twilio label \(friendly_name\) holds at most 64/);
      await cli.expectRefused(['numbers', 'label', retellOnly.e164, 'evil\u001b[2Jlabel'], 3, /cannot hold control characters/);
    });

    it('stops with a conflict when the label changed upstream, unless forced', async () => {
      const upstream = cli.sandbox.state().retell.numbers.find((n) => n.phone_number === retellOnly.e164)!;
      upstream.nickname = 'renamed on the dashboard';
      const conflict = await cli.run(['numbers', 'label', retellOnly.e164, 'mine']);
      expect(conflict.code).toBe(6);
      expect(conflict.stderr).toMatch(/label is renamed on the dashboard upstream but retell line \d+ in the cache/);
      expect(upstream.nickname).toBe('renamed on the dashboard');
      expect((await cli.run(['numbers', 'label', retellOnly.e164, 'mine', '--force'])).code).toBe(0);
      expect(upstream.nickname).toBe('mine');
    });
  });

  describe('fallback', () => {
    it('sets and clears a Retell and a Vapi fallback number and a Twilio fallback URL', async () => {
      const cases = [
        [retellOnly.e164, '(415) 555-0199', '+14155550199'],
        [vapi.e164, '+1 212 555 0100', '+12125550100'],
        [twilioOnly.e164, 'https://example.test/fallback.xml', 'https://example.test/fallback.xml'],
      ] as const;
      for (const [e164, typed, stored] of cases) {
        const result = await cli.run(['numbers', 'fallback', e164, typed]);
        expect(result.code, `${e164}: ${result.stderr}`).toBe(0);
        await resync();
        expect((await show(e164)).fallback).toBe(stored);
        expect((await cli.run(['numbers', 'fallback', e164, 'none'])).code).toBe(0);
        await resync();
        expect((await show(e164)).fallback).toBeNull();
      }
    });

    it('refuses a fallback equal to the number, a URL for a phone fallback, a number for Twilio, and any on Bland', async () => {
      await cli.expectRefused(['numbers', 'fallback', retellOnly.e164, retellOnly.e164], 3, /cannot fall back to itself/);
      await cli.expectRefused(['numbers', 'fallback', vapi.e164, 'https://example.test/x'], 3, /vapi fallback is a phone number in E.164/);
      await cli.expectRefused(['numbers', 'fallback', twilioOnly.e164, '+14155550199'], 3, /Twilio fallback is a URL/);
      await cli.expectRefused(['numbers', 'fallback', bland.e164, '+14155550199'], 3, /Bland numbers have no fallback destination/);
    });
  });

  describe('agents show', () => {
    it('shows an agent, whether it is live, and its numbers per slot', async () => {
      const result = await cli.run(['agents', 'show', 'retell:support', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const agent = JSON.parse(result.stdout) as { name: string; live: boolean; numbers: Record<string, { e164: string; weight: number; version: string | null }[]> };
      const support = plan.agents.find((a) => a.provider === 'retell' && a.name === 'support')!;
      const expected = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.some((a) => a.agentId === support.id));
      expect(agent.name).toBe('support');
      expect(agent.live).toBe(true);
      expect(agent.numbers.inbound!.map((n) => n.e164).sort()).toEqual(expected.map((n) => n.e164).sort());
      expect(agent.numbers.inbound!.some((n) => n.weight === 0.3)).toBe(true);
      expect(agent.numbers.inbound!.some((n) => n.version === '2')).toBe(true);
      const draft = JSON.parse((await cli.run(['agents', 'show', 'after-hours', '--json'])).stdout) as { live: boolean };
      expect(draft.live).toBe(false);
    });

    it('asks which one when a name is shared across providers', async () => {
      const result = await cli.run(['agents', 'show', 'receptionist']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/names 5 agents: bland:receptionist .* elevenlabs:receptionist .* retell:receptionist .* twilio:receptionist .* vapi:receptionist/);
    });
  });
});
