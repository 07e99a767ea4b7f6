import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../src/sandbox/index.js';
import { cliEnv, ROOT, runCli, seededRandom } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * product.md §6: "a sync of one provider replaces that provider's rows in one transaction: a crash
 * or Ctrl-C mid-sync leaves the previous state whole". Every run below relabels every number
 * upstream with a new generation marker, starts `voicenum --sandbox sync` as a child process and
 * SIGKILLs it part way; the cache must pass `PRAGMA integrity_check` and hold, per provider, one
 * generation only: the last one that provider committed, or the new one.
 */
const PROVIDERS = ['retell', 'vapi', 'bland', 'twilio', 'elevenlabs'] as const;
type Provider = (typeof PROVIDERS)[number];
const RUNS = 8;
const GEN = /^gen(\d+) /;

/** Every number's label of one provider, in that provider's wire field. */
function labelSlots(state: SandboxState, provider: Provider): { get(): string | null; set(value: string): void }[] {
  switch (provider) {
    case 'retell':
      return state.retell.numbers.map((n) => ({ get: () => n.nickname, set: (v) => (n.nickname = v) }));
    case 'vapi':
      return state.vapi.phoneNumbers.map((n) => ({ get: () => n.name ?? null, set: (v) => (n.name = v) }));
    case 'bland':
      return state.bland.numbers.map((n) => ({ get: () => n.label, set: (v) => (n.label = v) }));
    case 'twilio':
      return state.twilio.incomingPhoneNumbers.map((n) => ({ get: () => n.friendly_name, set: (v) => (n.friendly_name = v) }));
    case 'elevenlabs':
      return state.elevenlabs.phoneNumbers.map((n) => ({ get: () => n.label, set: (v) => (n.label = v) }));
  }
}

describe('a sync killed with SIGKILL part way', () => {
  const dir = tempDir('voicenum-crash-');
  const home = dir.path;
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const cacheFile = join(home, 'profiles', 'sandbox', 'cache.db');
  const counts = new Map<Provider, number>();

  /** Relabel every number of every provider upstream as `gen<g> <original label>`. */
  const bumpGeneration = (generation: number) => {
    const state = readSandboxState(stateFile);
    for (const provider of PROVIDERS) {
      for (const slot of labelSlots(state, provider)) slot.set(`gen${generation} ${(slot.get() ?? '').replace(GEN, '')}`);
    }
    writeSandboxState(stateFile, state);
  };

  /** The cache as the next voicenum would find it: integrity, and the generations each provider holds. */
  const inspectCache = () => {
    const db = new Database(cacheFile, { fileMustExist: true });
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      const generations = new Map<Provider, Set<number>>();
      const rows = new Map<Provider, number>();
      for (const provider of PROVIDERS) {
        const labels = db.prepare('SELECT label FROM numbers WHERE provider = ?').pluck().all(provider) as (string | null)[];
        rows.set(provider, labels.length);
        generations.set(provider, new Set(labels.map((label) => Number(GEN.exec(label ?? '')?.[1] ?? 0))));
      }
      return { integrity, generations, rows };
    } finally {
      db.close();
    }
  };

  /** Start a sync; SIGKILL it after `delayMs` (or never). Resolves with how it ended. */
  const syncKilledAfter = (delayMs: number | null) =>
    new Promise<{ killed: boolean; code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [`${ROOT}bin/voicenum.js`, '--sandbox', 'sync'], { env: cliEnv(home), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = delayMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), delayMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ killed: signal === 'SIGKILL', code, stderr });
      });
    });

  beforeAll(async () => {
    const reset = await runCli(['sandbox', 'reset', '--numbers', '3000'], { home });
    expect(reset.code, reset.stderr).toBe(0);
    const first = await runCli(['--sandbox', 'sync'], { home });
    expect(first.code, first.stderr).toBe(0);
    const { rows } = inspectCache();
    for (const provider of PROVIDERS) {
      // The seed gives ElevenLabs a fixed handful at any size; the others grow with it.
      expect(rows.get(provider)!, provider).toBeGreaterThan(provider === 'elevenlabs' ? 5 : 300);
      counts.set(provider, rows.get(provider)!);
    }
  });
  afterAll(() => dir.cleanup());

  it('leaves an intact cache where each provider is wholly old or wholly new, and a full sync catches up', { timeout: 240_000 }, async () => {
    // Measure one whole sync (generation 1) to spread the kills over its duration.
    bumpGeneration(1);
    const started = Date.now();
    const full = await syncKilledAfter(null);
    const duration = Date.now() - started;
    expect(full.code, full.stderr).toBe(0);
    const measured = inspectCache();
    expect(measured.integrity).toBe('ok');
    for (const provider of PROVIDERS) expect([...measured.generations.get(provider)!], provider).toEqual([1]);

    const committed = new Map<Provider, number>(PROVIDERS.map((p) => [p, 1]));
    const next = seededRandom(20261121);
    let sawOld = false;
    let sawNew = false;
    const trail: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const generation = run + 2;
      bumpGeneration(generation);
      // Stratified: run i lands somewhere in the i-th slice of the measured duration (+10% tail).
      const delay = Math.round(((run + next()) / RUNS) * duration * 1.1);
      const outcome = await syncKilledAfter(delay);
      const { integrity, generations, rows } = inspectCache();
      expect(integrity, `run ${run}`).toBe('ok');
      const seen: string[] = [];
      for (const provider of PROVIDERS) {
        const gens = [...generations.get(provider)!];
        // One generation per provider: never a half-written provider.
        expect(gens, `run ${run} (kill after ${delay} ms): ${provider} mixes generations`).toHaveLength(1);
        expect([committed.get(provider), generation], `run ${run}: ${provider}`).toContain(gens[0]);
        expect(rows.get(provider), `run ${run}: ${provider} lost or gained rows`).toBe(counts.get(provider));
        if (outcome.killed) {
          if (gens[0] === generation) sawNew = true;
          else sawOld = true;
        }
        committed.set(provider, gens[0]!);
        seen.push(`${provider}=${gens[0] === generation ? 'new' : 'old'}`);
      }
      trail.push(`${delay}ms ${outcome.killed ? 'killed' : `exited ${outcome.code}`}: ${seen.join(' ')}`);
    }
    // The kills were not all before the first commit, nor all after the sync finished.
    expect(sawOld && sawNew, `full sync ${duration} ms; runs:\n${trail.join('\n')}`).toBe(true);

    const finalGeneration = RUNS + 2;
    bumpGeneration(finalGeneration);
    const last = await runCli(['--sandbox', 'sync'], { home });
    expect(last.code, last.stderr).toBe(0);
    const after = inspectCache();
    expect(after.integrity).toBe('ok');
    for (const provider of PROVIDERS) {
      expect([...after.generations.get(provider)!], provider).toEqual([finalGeneration]);
      expect(after.rows.get(provider)).toBe(counts.get(provider));
    }
    // And the CLI reads the recovered cache as usual.
    const list = await runCli(['--sandbox', 'numbers', 'list', '--json', 'label'], { home });
    expect(list.code, list.stderr).toBe(0);
    const labels = (JSON.parse(list.stdout) as { label: string | null }[]).map((n) => n.label);
    // The list is not empty, so the `every` below cannot pass on nothing: it holds every platform
    // row, plus the Twilio carriers no platform imported (the others are joined into their platform row).
    const platformRows = counts.get('retell')! + counts.get('vapi')! + counts.get('bland')! + counts.get('elevenlabs')!;
    expect(platformRows).toBeGreaterThan(0);
    expect(labels.length).toBeGreaterThanOrEqual(platformRows);
    expect(labels.length).toBeLessThanOrEqual(platformRows + counts.get('twilio')!);
    expect(labels.every((label) => label?.startsWith(`gen${finalGeneration} `))).toBe(true);
  });
});
