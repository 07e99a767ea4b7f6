import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { cliEnv, ROOT, runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The states of a number's life through the built CLI on the sandbox: a corrupted import (a write
 * fails and so does its undo) as `numbers list` and `numbers show` display it and as `release
 * --force` forgets it; an import killed (SIGKILL) at every step, which the next command warns about
 * and `import --resume` finishes or `repair` undoes; agents given at import.
 */
describe('lifecycle states, open operations and agents at import', () => {
  const dir = tempDir('voicenum-lifecycle-states-');
  const home = dir.path;
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const cacheFile = join(home, 'profiles', 'sandbox', 'cache.db');
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--sandbox', ...args], { home, env });
  const twilio = () => readSandboxState(stateFile).twilio;
  const retellHolds = (e164: string) => readSandboxState(stateFile).retell.numbers.some((n) => n.phone_number === e164);
  /** Everything voicenum could make on the carrier, by SID. */
  const carrierMade = () => {
    const t = twilio();
    return {
      trunks: t.trunks.map((r) => r.sid).sort(),
      originationUrls: t.originationUrls.map((r) => r.sid).sort(),
      credentialLists: t.credentialLists.map((r) => r.sid).sort(),
      credentials: t.credentials.map((r) => r.sid).sort(),
      trunkCredentialLists: t.trunkCredentialLists.map((r) => `${r.trunk_sid}/${r.sid}`).sort(),
    };
  };
  const routingOf = (e164: string) => {
    const n = twilio().incomingPhoneNumbers.find((r) => r.phone_number === e164)!;
    return { url: n.voice_url, app: n.voice_application_sid, trunk: n.trunk_sid };
  };
  /** Where voicenum could leave a trace of a number's import: the carrier, its routing, Retell. */
  const footprint = (e164: string) => ({ ...carrierMade(), routing: routingOf(e164), retell: retellHolds(e164) });
  let free: string[] = [];

  beforeAll(async () => {
    expect((await cli(['sync'])).code).toBe(0);
    // Twilio numbers no platform holds: the ones to import.
    free = tsv((await cli(['numbers', 'list', '--provider', 'twilio', '--plain'])).stdout).filter((row) => row[1] === 'twilio').map((row) => row[0]!);
    expect(free.length).toBeGreaterThan(4);
  });
  afterAll(() => dir.cleanup());

  it('a failing write whose undo fails too: corrupted in list and show with the manual steps and SIDs; release --force forgets only the record', async () => {
    const number = free[0]!;
    const before = carrierMade();
    // Three carrier writes succeed (trunk, origination URL, credential list), then every write fails: the credential, then each undo.
    const failing = { VOICENUM_SANDBOX_FAULTS: JSON.stringify({ twilio: { failWritesAfter: 3 } }), VOICENUM_HTTP_MAX_ATTEMPTS: '1' };
    const result = await cli(['numbers', 'import', number, '--into', 'retell', '--yes'], failing);
    expect(result.code, result.stderr).toBe(5);
    const after = carrierMade();
    // What the failed import left: one of each of the three it made.
    const newOf = (key: 'trunks' | 'originationUrls' | 'credentialLists') => after[key].filter((sid) => !before[key].includes(sid));
    const left = { trunks: newOf('trunks'), originationUrls: newOf('originationUrls'), credentialLists: newOf('credentialLists') };
    expect([left.trunks.length, left.originationUrls.length, left.credentialLists.length]).toEqual([1, 1, 1]);
    // The error names each resource left, by SID.
    for (const sid of [...left.trunks, ...left.originationUrls, ...left.credentialLists]) expect(result.stderr).toContain(sid);
    expect(result.stderr).toMatch(/is corrupted/);

    const listed = await cli(['numbers', 'list', '--status', 'corrupted', '--plain']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(tsv(listed.stdout).map((row) => [row[0], row[1], row[7]])).toEqual([[number, 'twilio', 'corrupted']]);
    const json = JSON.parse((await cli(['numbers', 'list', '--search', number.slice(2), '--json', 'e164,state'])).stdout) as { e164: string; state: string }[];
    expect(json).toEqual([{ e164: number, state: 'corrupted' }]);
    // Other numbers are active, and --status active leaves the corrupted one out.
    const active = JSON.parse((await cli(['numbers', 'list', '--json', 'e164,state'])).stdout) as { e164: string; state: string }[];
    expect(active.filter((n) => n.state !== 'active').map((n) => n.e164)).toEqual([number]);
    const misspelt = await cli(['numbers', 'list', '--status', 'corrupte']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/did you mean corrupted/);

    const show = await cli(['numbers', 'show', number]);
    expect(show.stdout).toMatch(/^lifecycle\tcorrupted/m);
    const byHand = tsv(show.stdout).filter((row) => row[0] === 'by hand').map((row) => row[1]!);
    expect(byHand).toHaveLength(3);
    for (const sid of [...left.trunks, ...left.originationUrls, ...left.credentialLists]) expect(byHand.some((step) => step.includes(sid))).toBe(true);
    const shown = JSON.parse((await cli(['numbers', 'show', number, '--json', 'state,manualSteps'])).stdout) as { state: string; manualSteps: string[] };
    expect(shown).toEqual({ state: 'corrupted', manualSteps: byHand });

    const forced = await cli(['numbers', 'release', number, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/nothing upstream was touched/);
    expect(forced.stdout).toContain(left.trunks[0]!);
    // Only voicenum's record went: the carrier still holds what the failed import left.
    expect(carrierMade()).toEqual(after);
    expect(tsv((await cli(['numbers', 'list', '--status', 'corrupted', '--plain'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['numbers', 'show', number, '--json', 'state'])).stdout)).toEqual({ state: 'active' });
    // Clean the carrier by hand, as the operator would, for the tests below.
    const { writeSandboxState } = await import('../../src/sandbox/index.js');
    const state = readSandboxState(stateFile);
    state.twilio.trunks = state.twilio.trunks.filter((r) => !left.trunks.includes(r.sid));
    state.twilio.originationUrls = state.twilio.originationUrls.filter((r) => !left.originationUrls.includes(r.sid));
    state.twilio.credentialLists = state.twilio.credentialLists.filter((r) => !left.credentialLists.includes(r.sid));
    expect(carrierMade()).not.toEqual(before);
    writeSandboxState(stateFile, state);
    expect(carrierMade()).toEqual(before);
  }, 120_000);

  it('agents given at import go through the rules of assign: refused before anything is made, assigned after', async () => {
    const number = free[1]!;
    const before = footprint(number);
    const refused = await cli(['numbers', 'import', number, '--into', 'retell', '--yes', '--inbound', 'after-hours']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/after-hours[^]*nothing was bought or imported/);
    expect(footprint(number)).toEqual(before);
    const wrongSlot = await cli(['numbers', 'import', number, '--into', 'vapi', '--yes', '--outbound', 'receptionist']);
    expect(wrongSlot.code).toBe(3);
    expect(readSandboxState(stateFile).vapi.phoneNumbers.some((n) => n.number === number)).toBe(false);

    // Buying too: nothing is bought for an agent the rules refuse (a draft-only agent without --allow-draft).
    const retellCount = readSandboxState(stateFile).retell.numbers.length;
    const unbought = await cli(['numbers', 'buy', '--provider', 'retell', '--area-code', '415', '--yes', '--inbound', 'after-hours']);
    expect(unbought.code).toBe(3);
    expect(unbought.stderr).toMatch(/nothing was bought or imported/);
    expect(readSandboxState(stateFile).retell.numbers.length).toBe(retellCount);

    const imported = await cli(['numbers', 'import', number, '--into', 'retell', '--yes', '--inbound', 'receptionist', '--json', 'operation,state,assignment']);
    expect(imported.code, imported.stderr).toBe(0);
    const answer = JSON.parse(imported.stdout) as { state: string; assignment: { outcome: string } };
    expect(answer).toMatchObject({ state: 'done', assignment: { outcome: 'applied' } });
    const wire = readSandboxState(stateFile).retell;
    const receptionist = wire.agents.find((a) => a.agent_name === 'receptionist')!;
    expect(wire.numbers.find((n) => n.phone_number === number)!.inbound_agents?.map((a) => a.agent_id)).toEqual([receptionist.agent_id]);
    // The journal of assign recorded it: history shows the inbound change.
    expect((await cli(['history', number, '--json', 'field,outcome'])).stdout).toMatch(/"field":"inbound","outcome":"applied"/);
    const released = await cli(['numbers', 'release', number, '--yes']);
    expect(released.code, released.stderr).toBe(0);
    expect(footprint(number)).toEqual(before);
  }, 120_000);

  describe('SIGKILL at each step of a trunk import, then the next command', () => {
    /** The steps of a trunk import, in journal order, and how the sandbox stops each one. */
    const STEPS = [
      { kind: 'save-routing', hang: (applied: boolean) => (applied ? null : { twilio: { pathContains: '/IncomingPhoneNumbers/PN', hang: { count: 1 } } }) },
      ...['trunk', 'origination-url', 'credential-list', 'credential', 'trunk-credential-list', 'trunk-phone-number'].map((kind, i) => ({ kind, hang: (applied: boolean) => ({ twilio: { hangWrite: { nth: i + 1, applied } } }) })),
      { kind: 'platform-import', hang: (applied: boolean) => ({ retell: { hangWrite: { nth: 1, applied } } }) },
    ];
    /** The write of step k has reached the fake (and, held open, will never be answered). */
    const applied = (kind: string, e164: string, before: ReturnType<typeof footprint>): boolean => {
      const now = footprint(e164);
      if (kind === 'trunk') return now.trunks.length > before.trunks.length;
      if (kind === 'origination-url') return now.originationUrls.length > before.originationUrls.length;
      if (kind === 'credential-list') return now.credentialLists.length > before.credentialLists.length;
      if (kind === 'credential') return now.credentials.length > before.credentials.length;
      if (kind === 'trunk-credential-list') return now.trunkCredentialLists.length > before.trunkCredentialLists.length;
      if (kind === 'trunk-phone-number') return now.routing.trunk !== null;
      return now.retell;
    };
    const pendingStep = (): string | null => {
      try {
        const db = new Database(cacheFile, { readonly: true, fileMustExist: true });
        try {
          return (db.prepare("SELECT kind FROM lifecycle_steps WHERE outcome = 'pending'").pluck().get() as string | undefined) ?? null;
        } finally {
          db.close();
        }
      } catch {
        return null;
      }
    };

    /** Start an import that the sandbox holds at step `kind`; SIGKILL it once it is there. */
    const killedAt = (e164: string, kind: string, faults: object, wantApplied: boolean, before: ReturnType<typeof footprint>) =>
      new Promise<{ signal: string | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [`${ROOT}bin/voicenum.js`, '--sandbox', 'numbers', 'import', e164, '--into', 'retell', '--yes'], { env: cliEnv(home, { VOICENUM_SANDBOX_FAULTS: JSON.stringify(faults) }), stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        let polls = 0;
        const poll = setInterval(() => {
          // Bounded: a run that never reaches the step fails the test below instead of hanging it.
          if (++polls > 3000 || (pendingStep() === kind && (!wantApplied || applied(kind, e164, before)))) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 10);
        child.on('error', reject);
        child.on('close', (_code, signal) => {
          clearInterval(poll);
          resolve({ signal, stderr });
        });
      });

    for (const [index, step] of STEPS.entries()) {
      const k = index + 1;
      // Each step both ways out; the step's write reached the fake in one of them and not in the other (a read has only the one).
      const variants = [
        { way: 'resume' as const, applied: k % 2 === 1 },
        { way: 'repair' as const, applied: k % 2 === 0 },
        // The two creates a resume cannot simply make again (a second list would be left behind; a list
        // attached twice is refused): both ways out with the write applied.
        ...(step.kind === 'credential-list' || step.kind === 'trunk-credential-list' ? [{ way: k % 2 === 1 ? ('repair' as const) : ('resume' as const), applied: true }] : []),
      ].map((v) => ({ ...v, applied: step.hang(v.applied) === null ? false : v.applied }));
      for (const variant of variants) {
        it(`step ${k} (${step.kind}, ${variant.applied ? 'sent and applied' : 'not applied'}): the next command warns, then ${variant.way} ${variant.way === 'resume' ? 'finishes the import' : 'undoes it cleanly'}`, async () => {
          const number = free[2 + (k % 2)]!;
          const before = footprint(number);
          expect(before.retell).toBe(false);
          const killed = await killedAt(number, step.kind, step.hang(variant.applied)!, variant.applied, before);
          expect(killed.signal, killed.stderr).toBe('SIGKILL');
          expect(pendingStep()).toBe(step.kind);

          // Any next command says what was left open and the two ways out; --json stays clean JSON.
          const next = await cli(['numbers', 'list', '--json', 'e164,state']);
          expect(next.code, next.stderr).toBe(0);
          expect(next.stderr).toContain(`an import of ${number} into retell was left unfinished`);
          expect(next.stderr).toContain(`voicenum --sandbox numbers import ${number} --into retell --resume`);
          expect(next.stderr).toContain(`voicenum --sandbox numbers repair ${number}`);
          expect((JSON.parse(next.stdout) as { e164: string; state: string }[]).filter((n) => n.e164 === number).map((n) => n.state)).toEqual(['importing']);
          expect(tsv((await cli(['numbers', 'list', '--status', 'importing', '--plain'])).stdout).map((row) => row[0])).toEqual([number]);

          if (variant.way === 'resume') {
            const resumed = await cli(['numbers', 'import', number, '--into', 'retell', '--resume']);
            expect(resumed.code, resumed.stderr).toBe(0);
            expect(resumed.stderr).not.toMatch(/left unfinished/);
            const done = footprint(number);
            expect(done.retell).toBe(true);
            expect(done.trunks).toHaveLength(before.trunks.length + 1);
            expect(done.routing.trunk).toBe(done.trunks.find((sid) => !before.trunks.includes(sid)));
            expect(done.credentialLists).toHaveLength(before.credentialLists.length + 1);
            // Released, nothing voicenum made is left and the routing is back.
            const released = await cli(['numbers', 'release', number, '--yes']);
            expect(released.code, released.stderr).toBe(0);
          } else {
            const repaired = await cli(['numbers', 'repair', number]);
            expect(repaired.code, repaired.stderr).toBe(0);
            expect(repaired.stdout).toMatch(/undone/);
            expect(repaired.stderr).not.toMatch(/left unfinished|may have been made/);
          }
          expect(footprint(number)).toEqual(before);
          const after = await cli(['numbers', 'list', '--json', 'e164,state']);
          expect(after.stderr).not.toMatch(/left unfinished/);
          expect((JSON.parse(after.stdout) as { state: string }[]).every((n) => n.state === 'active')).toBe(true);
        }, 180_000);
      }
    }
  });
});
