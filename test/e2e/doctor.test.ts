import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFile } from '../../src/config/paths.js';
import { PROVIDERS } from '../../src/domain/model.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { Store } from '../../src/store/index.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `voicenum doctor` end to end: the built CLI on the sandbox finds each seeded case with the command
 * that fixes it, and running that command (the operator's choice of agent filled in) makes the
 * finding go away. A small clean cache reports nothing and exits 0.
 */

interface Finding {
  check: string;
  severity: 'error' | 'warning' | 'info';
  subject: string;
  provider: string | null;
  problem: string;
  fix: string | null;
  manual: string | null;
}
interface Report {
  healthy: boolean;
  counts: { error: number; warning: number; info: number };
  accounts: { provider: string; ok: boolean; latencyMs: number }[] | null;
  findings: Finding[];
}

const plan = buildSeedPlan();
const seeded = (label: string) => plan.numbers.find((n) => n.label === label)!.e164;

describe('voicenum doctor on the sandbox', () => {
  const dir = tempDir();
  const home = dir.path;
  const cli = (args: string[], env?: Record<string, string | undefined>) => runCli(args, { home, env });
  const doctor = async (...flags: string[]): Promise<Report> => {
    const result = await cli(['--sandbox', 'doctor', ...flags, '--json']);
    expect([0, 12], result.stderr).toContain(result.code);
    return JSON.parse(result.stdout) as Report;
  };
  const has = (report: Report, check: string, subject: string) => report.findings.some((f) => f.check === check && f.subject === subject);
  let first: Report;

  beforeAll(async () => {
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect((await cli(['--sandbox', 'config', 'set', 'default-region', 'us1'])).code).toBe(0);
    first = await doctor();
  });
  afterAll(() => dir.cleanup());

  /** Each seeded case: the check, the number (or agent) it is about, and the fix doctor prints. */
  const CASES: { check: string; subject: () => string; fix: RegExp | null }[] = [
    { check: 'agent-gone', subject: () => seeded('doctor deleted agent'), fix: /^voicenum --sandbox assign \S+ --inbound <agent> --yes$/ },
    { check: 'agent-not-live', subject: () => seeded('doctor draft agent'), fix: /^voicenum --sandbox assign \S+ --inbound <agent> --yes$/ },
    { check: 'sms-without-capability', subject: () => seeded('doctor sms without capability'), fix: /^voicenum --sandbox unassign \S+ --sms --yes$/ },
    { check: 'voice-without-capability', subject: () => seeded('doctor voice without capability'), fix: /^voicenum --sandbox unassign \S+ --inbound --yes$/ },
    { check: 'fallback-self', subject: () => seeded('doctor fallback to itself'), fix: /^voicenum --sandbox numbers fallback \S+ none$/ },
    { check: 'carrier-routing-elsewhere', subject: () => seeded('doctor routed elsewhere'), fix: /^voicenum --sandbox assign \S+ --provider twilio --inbound TK[0-9a-f]{32} --yes$/ },
    { check: 'carrier-trunk-unheld', subject: () => seeded('doctor trunk without platform'), fix: /^voicenum --sandbox numbers import \S+ --into retell --yes$/ },
    { check: 'carrier-region-missing', subject: () => seeded('doctor no region'), fix: /^voicenum --sandbox region \S+ us1$/ },
    { check: 'carrier-region-differs', subject: () => plan.numbers.find((n) => n.provider === 'twilio' && n.region === 'ie1')!.e164, fix: /^voicenum --sandbox region \S+ us1$/ },
    { check: 'carrier-routed-nowhere', subject: () => plan.numbers.find((n) => n.provider === 'twilio' && n.label.startsWith('twilio ') && n.slots.inbound.length === 0)!.e164, fix: /^voicenum --sandbox assign \S+ --inbound <application>$/ },
    { check: 'no-inbound-agent', subject: () => plan.numbers.find((n) => n.provider === 'retell' && n.label.startsWith('retell line') && n.slots.inbound.length === 0)!.e164, fix: /^voicenum --sandbox assign \S+ --inbound <agent>$/ },
    { check: 'agent-without-number', subject: () => 'survey', fix: /^voicenum --sandbox assign <number> --inbound vapi:[0-9a-f-]{36}$/ },
    { check: 'agent-name-shared', subject: () => 'survey', fix: null },
  ];

  it('finds each seeded case with its fix, and exits 12 for the errors', async () => {
    const result = await cli(['--sandbox', 'doctor', '--offline']);
    expect(result.code).toBe(12);
    expect(first.healthy).toBe(false);
    // One account per provider, ElevenLabs included.
    expect(first.accounts).toHaveLength(PROVIDERS.length);
    expect(first.accounts!.every((a) => a.ok && a.latencyMs >= 0)).toBe(true);
    for (const { check, subject, fix } of CASES) {
      const found = first.findings.filter((f) => f.check === check && f.subject === subject());
      expect(found, `${check} ${subject()}`).toHaveLength(1);
      if (fix) expect(found[0]!.fix).toMatch(fix);
      else expect(found[0]!.manual).toMatch(/dashboard/);
    }
    // Terminal and piped forms carry the same findings.
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(first.findings.length);
  });

  it('reports credentials a provider rejects, with the login that fixes them, and a provider never synced', async () => {
    // The fakes on their own, reached from a real profile with a wrong key: they answer 401.
    const sandbox = await startSandbox();
    const other = tempDir();
    try {
      const result = await runCli(['doctor', '--json', '--provider', 'bland'], { home: other.path, env: { VOICENUM_BLAND_BASE_URL: sandbox.env.VOICENUM_BLAND_BASE_URL, BLAND_API_KEY: 'not-the-key' } });
      expect(result.code, result.stderr).toBe(12);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.accounts).toEqual([expect.objectContaining({ provider: 'bland', ok: false })]);
      expect(report.findings.filter((f) => f.check === 'credentials')).toEqual([expect.objectContaining({ subject: 'bland', fix: 'voicenum auth login bland' })]);
      expect(report.findings.filter((f) => f.check === 'never-synced')).toEqual([expect.objectContaining({ subject: 'bland', fix: 'voicenum sync --provider bland' })]);
      expect(report.findings.every((f) => f.provider === 'bland')).toBe(true);
    } finally {
      await sandbox.close();
      other.cleanup();
    }
  });

  it('running each suggested fix makes its finding disappear', { timeout: 240_000 }, async () => {
    const agentOf = (name: string) => plan.agents.find((a) => a.name === name)!;
    const fill = (fix: string, subject: string): string[] => {
      const args = fix.replace(/^voicenum --sandbox /, '').split(' ');
      return args.map((arg) =>
        arg === '<agent>' ? 'receptionist'
        : arg === '<application>' ? 'main-ivr'
        // An agent without a number: put it on a Vapi number in place of its assistant.
        : arg === '<number>' ? plan.numbers.find((n) => n.provider === 'vapi' && !n.importedFromTwilio && n.status === 'active' && n.slots.inbound[0]?.agentId === agentOf('booking').id)!.e164
        : arg === subject ? subject : arg,
      );
    };
    let checked = 0;
    for (const { check, subject } of CASES) {
      const finding = first.findings.find((f) => f.check === check && f.subject === subject())!;
      if (!finding.fix) continue;
      const args = fill(finding.fix, subject());
      if (check === 'agent-without-number') args.push('--yes');
      const result = await cli(['--sandbox', ...args]);
      expect(result.code, `${finding.fix}: ${result.stderr}`).toBe(0);
      const after = await doctor('--offline');
      expect(has(after, check, subject()), `${check} ${subject()} after ${finding.fix}`).toBe(false);
      checked++;
    }
    expect(checked).toBe(CASES.filter((c) => c.fix).length);
  });

  it('a policy broken upstream is found once the policy is on, and its fix clears it', { timeout: 60_000 }, async () => {
    expect((await cli(['--sandbox', 'config', 'set', 'policy.one-number-per-agent', 'on'])).code).toBe(0);
    const report = await doctor('--offline');
    const broken = report.findings.filter((f) => f.check === 'policy-one-number-per-agent');
    expect(broken.length).toBeGreaterThan(0);
    const target = broken[0]!;
    const result = await cli(['--sandbox', ...target.fix!.replace(/^voicenum --sandbox /, '').split(' ')]);
    expect(result.code, result.stderr).toBe(0);
    expect((await doctor('--offline')).findings.some((f) => f.check === target.check && f.subject === target.subject && f.problem === target.problem)).toBe(false);
    expect((await cli(['--sandbox', 'config', 'set', 'policy.one-number-per-agent', 'off'])).code).toBe(0);
  });

  it('local state: an open journal entry and a needs-attention flag are found, and sync clears both', { timeout: 60_000 }, async () => {
    const number = seeded('doctor fallback to itself');
    const store = Store.open(cacheFile(home, 'sandbox'));
    try {
      store.beginIntent('doctor-test', [{ at: new Date().toISOString(), osUser: 'test', profile: 'sandbox', batch: 'b', provider: 'retell', providerId: number, e164: number, field: 'label', before: '"doctor fallback to itself"', after: '"never sent"', outcome: 'pending', error: null }]);
      store.markNeedsAttention('retell', number, 'set the label back by hand', []);
    } finally {
      store.close();
    }
    const found = await doctor('--offline');
    expect(has(found, 'journal-open', number)).toBe(true);
    expect(found.findings.find((f) => f.check === 'needs-attention' && f.subject === number)?.fix).toBe('voicenum --sandbox sync');
    expect((await cli(['--sandbox', 'sync'])).code).toBe(0);
    const after = await doctor('--offline');
    expect(has(after, 'journal-open', number)).toBe(false);
    expect(has(after, 'needs-attention', number)).toBe(false);
  });

  it('NUMBER arguments keep only those numbers', async () => {
    const number = seeded('doctor trunk without platform');
    const report = await doctor('--offline', plan.numbers.find((n) => n.provider === 'twilio' && n.region === 'au1')!.e164);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.subject !== number && f.subject.startsWith('+61'))).toBe(true);
  });
});

describe('voicenum doctor on a clean fleet', () => {
  it('reports nothing and exits 0', async () => {
    const dir = tempDir();
    try {
      const store = Store.open(cacheFile(dir.path, 'default'));
      const at = new Date();
      store.replaceProvider({ provider: 'bland', numbers: [{ provider: 'bland', providerId: '+14155550100', e164: '+14155550100', label: null, status: null, capabilities: { voice: null, sms: null }, region: null, fallback: null, origin: null, slots: { inbound: [{ agentId: 'b1', weight: 1 }], outbound: [], sms: [] } }], agents: [{ provider: 'bland', id: 'b1', name: 'intake', kind: 'agent', live: true }], skipped: [], requests: 1 }, at);
      store.close();
      const result = await runCli(['doctor'], { home: dir.path });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/no problems found/);
      const json = await runCli(['doctor', '--json'], { home: dir.path });
      expect(JSON.parse(json.stdout)).toEqual({ healthy: true, counts: { error: 0, warning: 0, info: 0 }, accounts: [], findings: [] });
    } finally {
      dir.cleanup();
    }
  });
});
