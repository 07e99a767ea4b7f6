import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { ROOT, runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The commands written without ElevenLabs in mind — export/plan/apply, doctor, drift and undo — on
 * ElevenLabs numbers, through the built executable on the persisted sandbox. A dashboard change is
 * an edit of the fakes' persisted state between two commands.
 */
const seed = buildSeedPlan();
const eleven = seed.numbers.filter((n) => n.provider === 'elevenlabs');
const agentId = (name: string) => seed.agents.find((a) => a.provider === 'elevenlabs' && a.name === name)!.id;
// A vacant ElevenLabs number imported from the sandbox Twilio account, and one of its own (SIP).
const vacantImported = eleven.find((n) => n.importedFromTwilio && n.slots.inbound.length === 0)!;
const vacantOwn = eleven.find((n) => !n.importedFromTwilio && n.slots.inbound.length === 0)!;
const regionOf = (e164: string) => seed.numbers.find((n) => n.provider === 'twilio' && n.e164 === e164)!.region;

interface Finding {
  check: string;
  subject: string;
  provider: string;
  fix: string | null;
}

interface DriftJson {
  e164: string;
  provider: string;
  field: string;
  kind: string;
  restore: string | null;
}

describe('ElevenLabs numbers through fleet files, doctor, drift and undo (built CLI, sandbox)', () => {
  const dir = tempDir();
  const cli = (args: string[]) => runCli(['--sandbox', ...args], { home: dir.path });
  const stateFile = join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db');
  const fleet = join(dir.path, 'fleet.yaml');
  const upstream = (e164: string) => readSandboxState(stateFile).elevenlabs.phoneNumbers.find((n) => n.phone_number === e164)!;
  const carrierRecord = (e164: string) => readSandboxState(stateFile).twilio.incomingPhoneNumbers.find((n) => n.phone_number === e164)!;
  const onDashboard = (change: (state: SandboxState) => void) => {
    const state = readSandboxState(stateFile);
    change(state);
    writeSandboxState(stateFile, state);
  };
  const findings = async (...numbers: string[]) => {
    const run = await cli(['doctor', ...numbers, '--json']);
    expect([0, 12]).toContain(run.code);
    return (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
  };
  /** Run a printed command (`voicenum --sandbox …`) as printed, with `<agent>` filled in. */
  const runPrinted = async (command: string, agent?: string) => {
    const words = command.replace('<agent>', agent ?? '<agent>').split(' ');
    expect(words.slice(0, 2)).toEqual(['voicenum', '--sandbox']);
    return cli(words.slice(2));
  };

  beforeEach(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
    expect((await cli(['sync'])).code).toBe(0);
  }, 120_000);
  afterAll(() => dir.cleanup());

  it('export writes each ElevenLabs number with the fields its descriptor allows, valid against the schema; an edit plans exactly itself, applies, and then plans nothing', async () => {
    expect(vacantImported && vacantOwn).toBeTruthy();
    const exported = await cli(['export', '-o', fleet]);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(fleet, 'utf8');
    const file = parseYaml(text) as { numbers: Record<string, unknown>[] };
    const entries = file.numbers.filter((e) => e.provider === 'elevenlabs');
    expect(entries.map((e) => e.number).sort()).toEqual(eleven.map((n) => n.e164).sort());
    for (const n of eleven) {
      const entry = entries.find((e) => e.number === n.e164)!;
      // No outbound, sms or fallback; the region only where `region` reaches it (the Twilio record).
      expect(Object.keys(entry), n.e164).toEqual(n.importedFromTwilio ? ['number', 'provider', 'label', 'region', 'inbound'] : ['number', 'provider', 'label', 'inbound']);
      expect(entry.label).toBe(n.label);
      expect(entry.inbound).toEqual(n.slots.inbound.map((a) => ({ agent: `elevenlabs:${seed.agents.find((x) => x.id === a.agentId)!.name}`, id: a.agentId })));
      const region = await cli(['region', n.e164]);
      if (n.importedFromTwilio) {
        expect(entry.region).toBe(regionOf(n.e164));
        expect(tsv(region.stdout)[0]!.slice(0, 2)).toEqual([n.e164, regionOf(n.e164)]);
      } else {
        expect(region.code).toBe(3);
      }
    }
    // The shipped JSON Schema takes the file, and refuses an outbound slot on an ElevenLabs entry.
    const schema = await cli(['export', '--schema']);
    expect(schema.code).toBe(0);
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const validate = new Ajv2020({ strict: true }).compile(JSON.parse(schema.stdout) as object);
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    const shipped = new Ajv2020({ strict: true }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'fleet.schema.json'), 'utf8')) as object);
    expect(shipped(file), JSON.stringify(shipped.errors)).toBe(true);
    const withOutbound = structuredClone(file);
    withOutbound.numbers.find((e) => e.number === vacantImported.e164)!.outbound = [];
    expect(validate(withOutbound)).toBe(false);

    // The edit: an inbound agent and a new label on the vacant imported number.
    const start = text.indexOf(`number: "${vacantImported.e164}"`);
    const end = text.indexOf('  - number:', start);
    const block = text.slice(start, end);
    const edited = block.replace(`label: ${vacantImported.label}`, 'label: front desk').replace('inbound: []', 'inbound: [{ agent: "elevenlabs:receptionist" }]');
    expect(edited).not.toBe(block);
    writeFileSync(fleet, text.slice(0, start) + edited + text.slice(end));
    const plan = await cli(['plan', '-f', fleet, '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(10);
    expect(tsv(plan.stdout)).toEqual([
      [vacantImported.e164, 'elevenlabs', 'inbound', '(none)', 'receptionist', 'assign', ''],
      [vacantImported.e164, 'elevenlabs', 'label', vacantImported.label, 'front desk', 'set', ''],
    ]);
    const applied = await cli(['apply', '-f', fleet, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(upstream(vacantImported.e164)).toMatchObject({ label: 'front desk', assigned_agent: { agent_id: agentId('receptionist') } });
    const after = await cli(['plan', '-f', fleet, '--detailed-exitcode']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('');
  }, 180_000);

  it('a fleet file giving an ElevenLabs number an outbound slot is refused at its line and column, nothing planned; a region plans only where the number has a Twilio record', async () => {
    writeFileSync(fleet, ['version: 1', 'numbers:', `  - number: "${vacantOwn.e164}"`, '    provider: elevenlabs', '    inbound: []', '    outbound: [{ agent: "elevenlabs:receptionist" }]', ''].join('\n'));
    const plan = await cli(['plan', '-f', fleet]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toBe('');
    // The problem on a line of its own under the error (not an escaped \n inside it).
    expect(plan.stderr.split('\n')).toContain(`  ${fleet}:6:5: elevenlabs numbers have no outbound slot: ElevenLabs numbers have no outbound assignment: each outbound call names its agent`);
    const apply = await cli(['apply', '-f', fleet, '--yes']);
    expect(apply.code).toBe(2);
    expect(upstream(vacantOwn.e164).assigned_agent).toBeNull();
    // The schema takes a region on any entry (it is the carrier's); a number with no Twilio record is refused by the plan, as by `region`.
    writeFileSync(fleet, ['version: 1', 'numbers:', `  - number: "${vacantOwn.e164}"`, '    provider: elevenlabs', '    region: ie1', `  - number: "${vacantImported.e164}"`, '    provider: elevenlabs', '    region: ie1', ''].join('\n'));
    const regions = await cli(['plan', '-f', fleet]);
    expect(regions.code).toBe(3);
    expect(tsv(regions.stdout)).toEqual([
      [vacantOwn.e164, 'elevenlabs', '', '', '', 'refused', `the inbound processing region is a Twilio setting, and ${vacantOwn.e164} has no Twilio record (it lives at elevenlabs only)`],
      [vacantImported.e164, 'elevenlabs', 'region', regionOf(vacantImported.e164)!, 'ie1', 'set', ''],
    ]);
  }, 120_000);

  it('doctor: a vacant ElevenLabs number is no-inbound-agent with an assign fix that clears it; the Twilio imports routed to ElevenLabs are not carrier-routing-elsewhere until the URL is a stranger\'s', async () => {
    const all = await findings();
    const ofEleven = all.filter((f) => f.provider === 'elevenlabs');
    expect(ofEleven.filter((f) => f.check === 'no-inbound-agent').map((f) => f.subject).sort()).toEqual([vacantImported.e164, vacantOwn.e164].sort());
    expect(ofEleven.filter((f) => f.check === 'carrier-routing-elsewhere')).toEqual([]);
    // The seeded imports are routed as ElevenLabs routes them.
    for (const n of eleven.filter((x) => x.importedFromTwilio)) expect(new URL(carrierRecord(n.e164).voice_url!).hostname).toBe('api.elevenlabs.io');

    for (const number of [vacantOwn.e164, vacantImported.e164]) {
      const finding = all.find((f) => f.check === 'no-inbound-agent' && f.subject === number)!;
      expect(finding.fix).toBe(`voicenum --sandbox assign ${number} --inbound <agent>`);
      const fixed = await runPrinted(finding.fix!, 'receptionist');
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(upstream(number).assigned_agent?.agent_id).toBe(agentId('receptionist'));
      expect((await findings(number)).filter((f) => f.check === 'no-inbound-agent')).toEqual([]);
    }

    // The check does look at ElevenLabs imports: a voice URL that is not ElevenLabs' is reported.
    const [imported] = eleven.filter((x) => x.importedFromTwilio && x.slots.inbound.length > 0);
    onDashboard((state) => {
      state.twilio.incomingPhoneNumbers.find((n) => n.phone_number === imported!.e164)!.voice_url = 'https://ivr.example.com/voice';
    });
    expect((await cli(['sync', '--provider', 'twilio'])).code).toBe(0);
    const elsewhere = (await findings(imported!.e164)).filter((f) => f.check === 'carrier-routing-elsewhere');
    expect(elsewhere.map((f) => [f.subject, f.provider])).toEqual([[imported!.e164, 'elevenlabs']]);
  }, 180_000);

  it('a sandbox import into Vapi, Bland or ElevenLabs points the Twilio number at the platform, so doctor finds no carrier-routing-elsewhere; a release puts the routing back', async () => {
    // Twilio numbers that route nowhere: doctor says so before the imports.
    const nowhere = (await findings()).filter((f) => f.check === 'carrier-routed-nowhere').map((f) => f.subject);
    expect(nowhere.length).toBeGreaterThanOrEqual(3);
    const cases = [
      { platform: 'vapi', e164: nowhere[0]!, host: 'api.vapi.ai' },
      { platform: 'bland', e164: nowhere[1]!, host: 'api.bland.ai' },
      { platform: 'elevenlabs', e164: nowhere[2]!, host: 'api.elevenlabs.io' },
    ];
    for (const { platform, e164, host } of cases) {
      const before = carrierRecord(e164);
      expect(before.voice_url).toBeNull();
      const imported = await cli(['numbers', 'import', e164, '--into', platform, '--yes']);
      expect(imported.code, imported.stderr).toBe(0);
      expect(new URL(carrierRecord(e164).voice_url!).hostname).toBe(host);
      const after = await findings(e164);
      expect(after.filter((f) => f.check === 'carrier-routing-elsewhere' || f.check === 'carrier-routed-nowhere'), platform).toEqual([]);
      expect(after.filter((f) => f.check === 'no-inbound-agent').map((f) => [f.subject, f.provider])).toEqual([[e164, platform]]);
    }
    const { platform, e164 } = cases[0]!;
    const released = await cli(['numbers', 'release', e164, '--provider', platform, '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(carrierRecord(e164).voice_url).toBeNull();
  }, 180_000);

  it('drift shows a hand change on the ElevenLabs fake (exit 11) and its restore command puts it back', async () => {
    expect((await cli(['assign', vacantOwn.e164, '--inbound', 'receptionist'])).code).toBe(0);
    expect((await cli(['drift'])).code).toBe(0);
    onDashboard((state) => {
      const number = state.elevenlabs.phoneNumbers.find((n) => n.phone_number === vacantOwn.e164)!;
      number.assigned_agent = { agent_id: agentId('support-desk'), agent_name: 'support-desk' };
      number.label = 'edited by hand';
    });
    const found = await cli(['drift', '--json']);
    expect(found.code, found.stderr).toBe(11);
    const items = JSON.parse(found.stdout) as DriftJson[];
    expect(items.map((i) => [i.e164, i.provider, i.field, i.kind])).toEqual([
      [vacantOwn.e164, 'elevenlabs', 'inbound', 'changed'],
      [vacantOwn.e164, 'elevenlabs', 'label', 'changed'],
    ]);
    for (const command of items[0]!.restore!.split(' && ')) {
      const run = await runPrinted(command);
      expect(run.code, run.stderr).toBe(0);
    }
    expect(upstream(vacantOwn.e164).assigned_agent?.agent_id).toBe(agentId('receptionist'));
    expect((await cli(['drift'])).code).toBe(0);
  }, 120_000);

  it('undo --last after an assign on an ElevenLabs number puts it back upstream', async () => {
    expect((await cli(['assign', vacantImported.e164, '--inbound', 'receptionist'])).code).toBe(0);
    expect(upstream(vacantImported.e164).assigned_agent?.agent_id).toBe(agentId('receptionist'));
    const undone = await cli(['undo', '--last', '--yes']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(tsv(undone.stdout)).toEqual([[vacantImported.e164, 'elevenlabs', 'applied', 'inbound: receptionist -> (none)']]);
    expect(upstream(vacantImported.e164).assigned_agent).toBeNull();
    expect((await cli(['drift'])).code).toBe(0);
  }, 120_000);
});
