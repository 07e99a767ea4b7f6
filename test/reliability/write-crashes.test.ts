import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { cliEnv, ROOT, runCli, seededRandom, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Writes interrupted the hard way, through the built CLI on the embedded sandbox (whose fakes live
 * in the same process, so a SIGKILL stops both at once, with each fake write either saved or not).
 * After every interruption and the next command: the cache passes integrity_check, no journal entry
 * is left open, the cache holds what upstream holds, every upstream change has an `applied` entry
 * in the journal, nothing reported applied is missing upstream, and nothing reported not done
 * happened upstream.
 */
const BATCH = 40;
const AGENTS = ['receptionist', 'support'] as const;

interface RetellWire {
  numbers: { phone_number: string; inbound_agents?: { agent_id: string }[] | null }[];
  agents: { agent_id: string; agent_name?: string | null }[];
}
interface VapiWire {
  phoneNumbers: { id: string; number?: string; assistantId?: string | null; squadId?: string | null }[];
}

describe('writes interrupted by SIGKILL and Ctrl-C', () => {
  const dir = tempDir('voicenum-write-crash-');
  const home = dir.path;
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const cacheFile = join(home, 'profiles', 'sandbox', 'cache.db');
  const faults = JSON.stringify({ retell: { latencyMs: 60 }, vapi: { latencyMs: 120 } });
  let numbers: string[] = [];

  const state = () => readSandboxState(stateFile);
  const retellIds = () => {
    const wire = state().retell as unknown as RetellWire;
    const byId = new Map(wire.agents.map((a) => [a.agent_id, a.agent_name ?? '']));
    return { wire, name: (id: string) => byId.get(id) ?? id };
  };
  /** Each batch number's inbound agent upstream, by name. */
  const upstreamInbound = () => {
    const { wire, name } = retellIds();
    return new Map(numbers.map((e164) => [e164, (wire.numbers.find((n) => n.phone_number === e164)!.inbound_agents ?? []).map((a) => name(a.agent_id)).join(',')]));
  };
  const inspect = () => {
    const db = new Database(cacheFile, { readonly: true, fileMustExist: true });
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      const open = db.prepare("SELECT count(*) FROM audit_log WHERE outcome IN ('pending', 'uncertain')").pluck().get() as number;
      const cached = new Map<string, string>();
      const rows = db
        .prepare(`SELECT n.e164, group_concat(a.name, ',') AS agents FROM numbers n LEFT JOIN assignments s ON s.number_id = n.id AND s.slot = 'inbound'
                  LEFT JOIN agents a ON a.provider = n.provider AND a.agent_id = s.agent_id WHERE n.provider = ? GROUP BY n.id`)
        .all('retell') as { e164: string; agents: string | null }[];
      for (const row of rows) cached.set(row.e164, row.agents ?? '');
      const applied = db.prepare("SELECT e164, after FROM audit_log WHERE provider = 'retell' AND field = 'inbound' AND outcome IN ('applied', 'rolled-back') ORDER BY id").all() as { e164: string; after: string }[];
      return { integrity, open, cached, applied };
    } finally {
      db.close();
    }
  };

  /** How many changes the journal has settled as applied so far. */
  const appliedCount = () => {
    const db = new Database(cacheFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT count(*) FROM audit_log WHERE outcome = 'applied'").pluck().get() as number;
    } finally {
      db.close();
    }
  };
  /** A delay that ends once the run has applied `n` more changes (polled in the cache), or after 30 s. */
  const afterApplied = (n: number, extraMs = 0) => async () => {
    const before = appliedCount();
    for (let i = 0; i < 3000 && appliedCount() < before + n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, extraMs));
  };
  const afterFirstApplied = afterApplied(1);

  /**
   * Run the CLI; stop it after `delayMs` (or once `when` resolves): SIGKILL, or SIGINT (then SIGINT
   * again after `secondMs`).
   */
  const runStopped = (args: string[], input: string, stop: { signal: 'SIGKILL' | 'SIGINT'; delayMs: number | null; when?: () => Promise<void>; secondMs?: number }) =>
    new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [`${ROOT}bin/voicenum.js`, ...args], { env: cliEnv(home, { VOICENUM_SANDBOX_FAULTS: faults }), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timers: NodeJS.Timeout[] = [];
      const fire = () => {
        child.kill(stop.signal);
        if (stop.secondMs !== undefined) timers.push(setTimeout(() => child.kill('SIGINT'), stop.secondMs));
      };
      if (stop.when) void stop.when().then(fire);
      else if (stop.delayMs !== null) timers.push(setTimeout(fire, stop.delayMs));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        timers.forEach(clearTimeout);
        resolve({ code, signal, stdout, stderr });
      });
      child.stdin.end(input);
    });

  /** The checks every interruption must pass, once the next command has run. */
  const assertConsistent = (label: string, upstreamBefore: Map<string, string>) => {
    const upstream = upstreamInbound();
    const { integrity, open, cached, applied } = inspect();
    expect(integrity, label).toBe('ok');
    expect(open, `${label}: journal entries left open`).toBe(0);
    for (const e164 of numbers) {
      expect(cached.get(e164), `${label}: cache of ${e164}`).toBe(upstream.get(e164));
      if (upstream.get(e164) !== upstreamBefore.get(e164)) {
        // An upstream change: the journal's last applied entry for it holds exactly that.
        const last = applied.filter((a) => a.e164 === e164).at(-1);
        expect(last, `${label}: no journal entry for the change of ${e164}`).toBeDefined();
        const names = (JSON.parse(last!.after) as { name: string | null; agentId: string }[]).map((a) => a.name ?? retellIds().name(a.agentId)).join(',');
        expect(names, `${label}: journal of ${e164}`).toBe(upstream.get(e164));
      }
    }
    return upstream;
  };

  beforeAll(async () => {
    const reset = await runCli(['sandbox', 'reset', '--numbers', '200'], { home });
    expect(reset.code, reset.stderr).toBe(0);
    const sync = await runCli(['--sandbox', 'sync'], { home });
    expect(sync.code, sync.stderr).toBe(0);
    // Numbers that can take calls: the seed also holds one that cannot (a doctor case), which the rules refuse.
    const list = await runCli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--json', 'e164,capabilities'], { home });
    numbers = (JSON.parse(list.stdout) as { e164: string; capabilities: { voice: boolean | null } }[]).filter((n) => n.capabilities.voice !== false).map((n) => n.e164).slice(0, BATCH);
    expect(numbers.length).toBe(BATCH);
  });
  afterAll(() => dir.cleanup());

  it('SIGKILL at many points of a batch: the next command reconciles, and a re-run finds it already applied', { timeout: 240_000 }, async () => {
    const assign = (agent: string) => ['--sandbox', 'assign', '-', '--inbound', agent, '--yes'];
    const input = numbers.join('\n');
    // Measure one whole batch to spread the kills over it.
    const seeded = upstreamInbound();
    const started = Date.now();
    const whole = await runStopped(assign(AGENTS[0]), input, { signal: 'SIGKILL', delayMs: null });
    const duration = Date.now() - started;
    expect(whole.code, whole.stderr).toBe(0);
    let upstreamBefore = assertConsistent('whole batch', seeded);
    const next = seededRandom(20261128);
    const RUNS = 8;
    let sawPartial = false;
    for (let run = 0; run < RUNS; run++) {
      const agent = AGENTS[(run + 1) % 2]!;
      const delay = Math.round(((run + next()) / RUNS) * duration);
      const killed = await runStopped(assign(agent), input, { signal: 'SIGKILL', delayMs: delay });
      // The next command that opens the cache settles what the killed one left open.
      const after = await runCli(['--sandbox', 'numbers', 'list', '--json', 'e164'], { home });
      expect(after.code, after.stderr).toBe(0);
      const upstream = assertConsistent(`run ${run} (killed after ${delay} ms, ${killed.signal ?? `exit ${killed.code}`})`, upstreamBefore);
      const moved = numbers.filter((e164) => upstream.get(e164) === agent).length;
      if (moved > 0 && moved < BATCH) sawPartial = true;
      // Running the same command again finishes the rest and never reports a conflict.
      const rerun = await runCli(assign(agent), { home, input, env: { VOICENUM_SANDBOX_FAULTS: faults } });
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      expect(rerun.stdout).not.toMatch(/\tconflict\t/);
      upstreamBefore = assertConsistent(`run ${run}, re-run`, upstream);
      for (const e164 of numbers) expect(upstreamBefore.get(e164)).toBe(agent);
    }
    expect(sawPartial, `no kill landed inside a batch of ${duration} ms`).toBe(true);
  });

  it('Ctrl-C in a batch: in-flight writes finish and are recorded, the rest is reported not started, exit 130', { timeout: 120_000 }, async () => {
    const upstreamBefore = upstreamInbound();
    const target = upstreamBefore.get(numbers[0]!) === 'support' ? 'receptionist' : 'support';
    const stopped = await runStopped(['--sandbox', 'assign', '-', '--inbound', target, '--yes'], numbers.join('\n'), { signal: 'SIGINT', delayMs: null, when: afterFirstApplied });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/stopping: letting the changes in flight finish/);
    expect(stopped.stderr).toMatch(/interrupted: \d+ of 40 numbers done, \d+ not started/);
    const results = new Map(tsv(stopped.stdout).map(([e164, , outcome]) => [e164!, outcome!]));
    expect(results.size).toBe(BATCH);
    const upstream = upstreamInbound();
    const applied = numbers.filter((e164) => results.get(e164) === 'applied');
    const skipped = numbers.filter((e164) => results.get(e164) === 'skipped');
    expect(applied.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);
    expect(applied.length + skipped.length).toBe(BATCH);
    for (const e164 of applied) expect(upstream.get(e164), `${e164} reported applied`).toBe(target);
    for (const e164 of skipped) expect(upstream.get(e164), `${e164} reported not started`).toBe(upstreamBefore.get(e164));
    // Nothing was left for the next command to settle: the in-flight writes were recorded.
    expect(inspect().open).toBe(0);
    assertConsistent('after Ctrl-C', upstreamBefore);
  });

  it('two Ctrl-Cs end the batch at once, and the next command reconciles what was in flight', { timeout: 120_000 }, async () => {
    const upstreamBefore = upstreamInbound();
    const target = upstreamBefore.get(numbers[0]!) === 'support' ? 'receptionist' : 'support';
    const stopped = await runStopped(['--sandbox', 'assign', '-', '--inbound', target, '--yes'], numbers.join('\n'), { signal: 'SIGINT', delayMs: null, when: afterFirstApplied, secondMs: 10 });
    expect(stopped.code).toBe(130);
    const after = await runCli(['--sandbox', 'history', '--json'], { home });
    expect(after.code, after.stderr).toBe(0);
    assertConsistent('after two Ctrl-Cs', upstreamBefore);
  });

  it('SIGKILL during a policy move: every step that reached upstream is in the journal after the next command', { timeout: 120_000 }, async () => {
    const set = await runCli(['--sandbox', 'config', 'set', 'policy.one-number-per-agent', 'on'], { home });
    expect(set.code, set.stderr).toBe(0);
    const vapi = () => state().vapi as unknown as VapiWire;
    const next = seededRandom(7);
    const steps: number[] = [];
    for (let run = 0; run < 5; run++) {
      // A fresh account each run: the move takes booking off every number that holds it.
      expect((await runCli(['sandbox', 'reset', '--numbers', '200'], { home })).code).toBe(0);
      expect((await runCli(['--sandbox', 'sync'], { home })).code).toBe(0);
      const handler = (n: VapiWire['phoneNumbers'][number]) => n.assistantId ?? n.squadId ?? null;
      const before = new Map(vapi().phoneNumbers.map((n) => [n.id, handler(n)]));
      const list = await runCli(['--sandbox', 'numbers', 'list', '--provider', 'vapi', '--agent', 'booking', '--json', 'e164'], { home });
      const holders = (JSON.parse(list.stdout) as { e164: string }[]).map((n) => n.e164);
      const candidates = await runCli(['--sandbox', 'numbers', 'list', '--provider', 'vapi', '--status', 'active', '--agent', 'receptionist', '--json', 'e164,origin'], { home });
      const target = (JSON.parse(candidates.stdout) as { e164: string; origin: string }[]).find((n) => n.origin === 'vapi')?.e164;
      expect(target, 'a Vapi number held by receptionist').toBeDefined();
      expect(holders.length).toBeGreaterThan(0);
      // Killed after a different number of steps each run, at a random point inside the next step.
      await runStopped(['--sandbox', 'assign', target!, '--inbound', 'booking', '--yes'], '', { signal: 'SIGKILL', delayMs: null, when: afterApplied(run + 1, Math.round(next() * 150)) });
      const after = await runCli(['--sandbox', 'history', '--json'], { home });
      expect(after.code, after.stderr).toBe(0);
      const db = new Database(cacheFile, { readonly: true });
      let changed = 0;
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare("SELECT count(*) FROM audit_log WHERE outcome IN ('pending', 'uncertain')").pluck().get()).toBe(0);
        for (const number of vapi().phoneNumbers) {
          const cachedAgent = db.prepare("SELECT s.agent_id FROM numbers n LEFT JOIN assignments s ON s.number_id = n.id AND s.slot = 'inbound' WHERE n.provider = 'vapi' AND n.provider_id = ?").pluck().get(number.id) ?? null;
          expect(cachedAgent, `run ${run}: cache of ${number.number}`).toBe(handler(number));
          if (handler(number) !== before.get(number.id)) {
            const last = db.prepare("SELECT after FROM audit_log WHERE provider = 'vapi' AND provider_id = ? AND outcome IN ('applied', 'rolled-back') ORDER BY id DESC LIMIT 1").pluck().get(number.id) as string | undefined;
            expect(last, `run ${run}: no journal entry for ${number.number}`).toBeDefined();
            expect((JSON.parse(last!) as { agentId: string }[]).map((a) => a.agentId)).toEqual(handler(number) ? [handler(number)] : []);
            changed++;
          }
        }
      } finally {
        db.close();
      }
      steps.push(changed);
    }
    // The kills landed at different steps of the move (not all before it, not all after it).
    expect(new Set(steps).size, `numbers changed per run: ${steps.join(', ')}`).toBeGreaterThan(1);
  });
});
