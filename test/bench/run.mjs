#!/usr/bin/env node
// `npm run bench`: whole-process timings of the built CLI on the sandbox fakes, each a median of
// repeated runs next to the `node -e 0` floor of the same run, so the ratios hold on a noisy machine.
// Prints a table and writes test/bench/report.json. Not part of `npm test`: timing belongs here.
//
// Knobs: BENCH_RUNS (fast commands, default 15), BENCH_SLOW_RUNS (syncs and batches, default 3),
// BENCH_BIG (the large cache, default 100000), BENCH_LATENCY_MS (default 50), BENCH_ONLY (a comma
// list of the groups to run: startup, lists, batch, fleet, big, lifecycle, doctor; default all).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'voicenum.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 3);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
/** Pushes at once in a batch (src/cli/commands/assign.ts) and reads at once per fan-out (the adapters). */
const BATCH_CONCURRENCY = 8;
const GROUPS = ['startup', 'lists', 'batch', 'fleet', 'big', 'lifecycle', 'doctor'];
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((group) => group.trim())) : null;
for (const group of ONLY ?? []) if (!GROUPS.includes(group)) throw new Error(`BENCH_ONLY: unknown group ${group} (known: ${GROUPS.join(', ')})`);
const wants = (group) => ONLY === null || ONLY.has(group);

if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });

const home = mkdtempSync(join(tmpdir(), 'voicenum-bench-'));
const baseEnv = { ...process.env, VOICENUM_HOME: home, NO_COLOR: '1' };
for (const key of Object.keys(baseEnv)) if (/^(RETELL|VAPI|BLAND|TWILIO|ELEVENLABS)_/.test(key) || key === 'VOICENUM_SANDBOX_FAULTS') delete baseEnv[key];
const hasGnuTime = existsSync('/usr/bin/time');

/** Run one whole process; resolve wall ms, exit code, output and (optionally) peak RSS in MiB. */
function run(args, { env = {}, input, node = false, memory = false } = {}) {
  return new Promise((resolve, reject) => {
    const argv = node ? args : [BIN, ...args];
    const command = memory && hasGnuTime ? '/usr/bin/time' : process.execPath;
    const commandArgs = memory && hasGnuTime ? ['-f', 'VOICENUM_BENCH_MAXRSS=%M', process.execPath, ...argv] : argv;
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { env: { ...baseEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKiB = 0;
    const poll = memory && !hasGnuTime ? setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
      } catch { /* gone */ }
    }, 20) : null;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /VOICENUM_BENCH_MAXRSS=(\d+)/.exec(stderr);
      if (rss) peakKiB = Number(rss[1]);
      resolve({ ms, code, stdout, stderr, peakMiB: peakKiB ? peakKiB / 1024 : null });
    });
    child.stdin.end(input ?? '');
  });
}

async function must(args, options) {
  const result = await run(args, options);
  if (result.code !== 0) throw new Error(`voicenum ${args.join(' ')} exited ${result.code}:\n${result.stderr.slice(-2000)}`);
  return result;
}

/** Start `voicenum sandbox serve` (the fakes in their own process, state in memory) and read its environment. */
async function serve(numbers, latency) {
  const child = spawn(process.execPath, [BIN, 'sandbox', 'serve', '--numbers', String(numbers), '--latency', String(latency)], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const env = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const lines = text.split('\n').filter((line) => line.startsWith('export '));
      if (lines.length >= 10) resolve(Object.fromEntries(lines.map((line) => line.slice(7).split(/=(.*)/s).slice(0, 2))));
    });
    child.on('exit', (code) => reject(new Error(`sandbox serve exited ${code}`)));
  });
  return { env, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Alternate the floor with the command, so both see the same machine weather. */
async function timed(args, options = {}, runs = RUNS) {
  const floor = [];
  const times = [];
  for (let i = 0; i < 2; i++) await run(args, options); // warm-up
  for (let i = 0; i < runs; i++) {
    floor.push((await run(['-e', '0'], { node: true })).ms);
    const result = await run(args, options);
    if (!(options.codes ?? [0]).includes(result.code)) throw new Error(`voicenum ${args.join(' ')} exited ${result.code}: ${result.stderr.slice(-500)}`);
    times.push(result.ms);
  }
  return { median: median(times), floor: median(floor) };
}

/** Like timed(), for several commands run in turns (floor, each command, floor, ...); one result each. */
async function timedTogether(commands, options = {}, runs = RUNS) {
  const floor = [];
  const times = commands.map(() => []);
  for (const args of commands) for (let i = 0; i < 2; i++) await run(args, options); // warm-up
  for (let i = 0; i < runs; i++) {
    floor.push((await run(['-e', '0'], { node: true })).ms);
    for (const [k, args] of commands.entries()) {
      const result = await run(args, options);
      if (!(options.codes ?? [0]).includes(result.code)) throw new Error(`voicenum ${args.join(' ')} exited ${result.code}: ${result.stderr.slice(-500)}`);
      times[k].push(result.ms);
    }
  }
  return times.map((t) => ({ median: median(t), floor: median(floor) }));
}

/** Request counts per provider from `--verbose`, and what must be sequential in each adapter. */
function requestsOf(stderr) {
  return Object.fromEntries([...stderr.matchAll(/^\s+(retell|vapi|bland|twilio): (\d+) requests$/gm)].map((m) => [m[1], Number(m[2])]));
}

/**
 * The longest chain of requests that must follow one another in a sync, from the synced counts and
 * each adapter's paging and fan-out: cursor pages are sequential; per-record reads run
 * `concurrency` at a time after the list that names them.
 */
function criticalPath(numbers, synced) {
  const twilio = synced.twilio.numbers;
  const retellNumbers = synced.retell.numbers;
  const vapiNumbers = synced.vapi.numbers;
  const pages = (n) => Math.max(1, Math.ceil(n / 1000));
  const chains = {
    retell: Math.max(pages(retellNumbers), 1 + Math.ceil(synced.retell.agents / 8)),
    vapi: pages(vapiNumbers) + 1,
    bland: 3,
    // Regions are read per number, `regionConcurrency` at a time, as the pages arrive.
    twilio: Math.max(pages(twilio), Math.ceil(twilio / TWILIO_REGION_CONCURRENCY)) + 1,
  };
  return { chains, longest: Math.max(...Object.values(chains)), numbers, twilio };
}
const TWILIO_REGION_CONCURRENCY = Number(process.env.VOICENUM_TWILIO_REGION_CONCURRENCY ?? 32); // the Twilio adapter's default

const rows = [];
const report = { machine: { node: process.version, runs: RUNS, slowRuns: SLOW_RUNS, latencyMs: LATENCY }, figures: {} };
function record(key, label, value, target, pass, note = '') {
  report.figures[key] = { label, value, target, pass, note };
  rows.push([label, value, target, pass === null ? '—' : pass ? 'ok' : 'MISSED', note]);
  process.stderr.write(`  ${label}: ${value}${note ? ` (${note})` : ''}\n`);
}
const over = (t) => `${(t.median - t.floor).toFixed(1)} ms over floor (${t.median.toFixed(1)} vs ${t.floor.toFixed(1)})`;

try {
  if (wants('startup')) {
    process.stderr.write('startup…\n');
    const version = await timed(['--version']);
    record('version', 'voicenum --version', over(version), '≤ floor + 30 ms', version.median - version.floor <= 30);
    const help = await timed(['--help']);
    record('help', 'voicenum --help', over(help), '≤ floor + 40 ms', help.median - help.floor <= 40);
  }

  /** The batch's median against `sandbox serve`, which the `--sandbox` batch is compared with. */
  let serveBatchMs = null;
  if (wants('lists') || wants('batch')) {
    process.stderr.write(`10,000 numbers on fakes answering in ${LATENCY} ms…\n`);
    const slow = await serve(10_000, LATENCY);
    try {
      const env = slow.env;
      const syncs = [];
      let requests = {};
      let synced = {};
      // The batch needs one sync (its cache); the sync figure needs them all.
      for (let i = 0; i < (wants('lists') ? SLOW_RUNS : 1); i++) {
        const result = await must(['sync', '--verbose', '--json'], { env });
        syncs.push(result.ms);
        requests = requestsOf(result.stderr);
        synced = Object.fromEntries(JSON.parse(result.stdout).map((p) => [p.provider, p]));
      }
      if (wants('lists')) {
        const path = criticalPath(10_000, synced);
        const chainMs = path.longest * LATENCY;
        const syncRatio = median(syncs) / chainMs;
        record('sync10k', `sync of 10,000 numbers, ${LATENCY} ms latency`, `${(median(syncs) / 1000).toFixed(2)} s = ${syncRatio.toFixed(2)} × critical path (${path.longest} sequential requests × ${LATENCY} ms = ${(chainMs / 1000).toFixed(2)} s)`, '≤ 1.3 × critical path', syncRatio <= 1.3, `requests ${JSON.stringify(requests)}; chains ${JSON.stringify(path.chains)}`);

        const listJson = await timed(['numbers', 'list', '--json'], { env });
        record('listJson10k', 'numbers list --json, 10,000 numbers', over(listJson), '≤ floor + 120 ms', listJson.median - listJson.floor <= 120);
        const table = await timed(['numbers', 'list'], { env: { ...env, VOICENUM_FORCE_TTY: '1', COLUMNS: '160' } });
        record('table10k', 'numbers list table on a terminal, 10,000 rows', over(table), '≤ floor + 250 ms', table.median - table.floor <= 250);
      }
      if (wants('batch')) {
        process.stderr.write('assign round trips…\n');
        // Numbers that can take calls: the seed also holds one that cannot (a doctor case), which the rules refuse.
        const vacant = JSON.parse((await must(['numbers', 'list', '--provider', 'retell', '--unassigned', 'outbound', '--json', 'e164,capabilities'], { env })).stdout).filter((n) => n.capabilities.voice !== false).map((n) => n.e164);
        const single = await must(['assign', vacant[0], '--outbound', 'outbound-dialer', '--verbose'], { env });
        const perNumber = Number(/\(([\d.]+) per number\)/.exec(single.stderr)?.[1]);
        record('roundTrips', 'upstream round trips per changed number in assign', String(perNumber), '≤ 2', perNumber <= 2);

        process.stderr.write(`1,000-number stdin batch, ${LATENCY} ms a request…\n`);
        const batches = [];
        let trips = 2;
        for (let i = 0; i < SLOW_RUNS; i++) {
          const agent = i % 2 === 0 ? 'sales' : 'support';
          const result = await run(['assign', '-', '--outbound', agent, '--yes', '--verbose'], { env, input: vacant.slice(1, 1001).join('\n') });
          if (result.code !== 0) throw new Error(`batch exited ${result.code}: ${result.stderr.slice(-800)}`);
          trips = Number(/\(([\d.]+) per number\)/.exec(result.stderr)?.[1] ?? 2);
          batches.push(result.ms);
        }
        const ideal = (trips * LATENCY * 1000) / BATCH_CONCURRENCY;
        const batchRatio = median(batches) / ideal;
        record('batch1000', `1,000-number stdin assign, ${LATENCY} ms latency`, `${(median(batches) / 1000).toFixed(2)} s = ${batchRatio.toFixed(2)} × ideal (${trips} round trips × ${LATENCY} ms × 1000 ÷ ${BATCH_CONCURRENCY} = ${(ideal / 1000).toFixed(2)} s)`, '≤ 1.3 × ideal', batchRatio <= 1.3);
        serveBatchMs = median(batches);
      }
    } finally {
      await slow.stop();
    }
  }

  if (wants('batch')) {
    // The same batch under `--sandbox`: the fakes run inside the measured process and keep their
    // state in the profile's SQLite file, as a newcomer's first runs do. Same seed, same latency.
    process.stderr.write(`the same batch under --sandbox (fakes in the process, state in SQLite), ${LATENCY} ms a request…\n`);
    const sandboxHome = mkdtempSync(join(tmpdir(), 'voicenum-bench-sandbox-'));
    try {
      const faults = JSON.stringify(Object.fromEntries(['retell', 'vapi', 'bland', 'twilio', 'elevenlabs'].map((provider) => [provider, { latencyMs: LATENCY }])));
      const env = { VOICENUM_HOME: sandboxHome, VOICENUM_SANDBOX_FAULTS: faults };
      await must(['sandbox', 'reset', '--numbers', '10000'], { env });
      await must(['--sandbox', 'sync'], { env });
      const vacant = JSON.parse((await must(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--unassigned', 'outbound', '--json', 'e164,capabilities'], { env })).stdout).filter((n) => n.capabilities.voice !== false).map((n) => n.e164);
      const batches = [];
      for (let i = 0; i < SLOW_RUNS; i++) {
        const agent = i % 2 === 0 ? 'sales' : 'support';
        const result = await run(['--sandbox', 'assign', '-', '--outbound', agent, '--yes', '--verbose'], { env, input: vacant.slice(1, 1001).join('\n') });
        if (result.code !== 0) throw new Error(`--sandbox batch exited ${result.code}: ${result.stderr.slice(-800)}`);
        batches.push(result.ms);
      }
      const ratio = serveBatchMs === null ? null : median(batches) / serveBatchMs;
      const against = serveBatchMs === null ? 'not measured' : `${(serveBatchMs / 1000).toFixed(2)} s against sandbox serve`;
      record('sandboxBatch1000', `1,000-number stdin assign under --sandbox, ${LATENCY} ms latency`, `${(median(batches) / 1000).toFixed(2)} s = ${ratio === null ? '?' : ratio.toFixed(2)} × the same batch against sandbox serve (${against})`, '≤ 1.5 ×', ratio === null ? null : ratio <= 1.5, `runs ${batches.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
    } finally {
      rmSync(sandboxHome, { recursive: true, force: true });
    }
  }

  if (wants('fleet')) {
    // The fleet file: export and an offline plan of 10,000 numbers, then an apply of 1,000 changes
    // through the assign path at the same latency as the batch (its ideal: 2 round trips a number,
    // 8 numbers at a time).
    process.stderr.write(`fleet export, plan and apply on 10,000 numbers, ${LATENCY} ms a request…\n`);
    const slow = await serve(10_000, LATENCY);
    const fleetHome = mkdtempSync(join(tmpdir(), 'voicenum-bench-fleet-'));
    try {
      const env = { ...slow.env, VOICENUM_HOME: fleetHome };
      await must(['sync'], { env });
      const exported = await timed(['export'], { env });
      record('fleetExport10k', 'export of 10,000 numbers (YAML)', over(exported), '≤ floor + 300 ms', exported.median - exported.floor <= 300);
      const fleet = JSON.parse((await must(['export', '--format', 'json'], { env })).stdout);
      // Numbers with an empty outbound slot that can place calls (the seed has a few that cannot, for doctor).
      const voiceless = new Set(JSON.parse((await must(['numbers', 'list', '--json', 'e164,capabilities'], { env })).stdout).filter((n) => n.capabilities?.voice === false).map((n) => n.e164));
      const vacant = fleet.numbers.filter((n) => Array.isArray(n.outbound) && n.outbound.length === 0 && !voiceless.has(n.number)).slice(0, 1000);
      if (vacant.length < 1000) throw new Error(`only ${vacant.length} numbers with an empty outbound slot`);
      const files = ['sales', 'support'].map((name) => {
        for (const entry of vacant) entry.outbound = [{ agent: `retell:${name}` }];
        const file = join(fleetHome, `fleet-${name}.json`);
        writeFileSync(file, JSON.stringify(fleet, null, 2));
        return file;
      });
      const planned = await run(['--offline', 'plan', '-f', files[0]], { env });
      if (!/1000 to change/.test(planned.stderr)) throw new Error(`the plan did not find the 1,000 changes: ${planned.stderr.slice(-500)}`);
      const plan = await timed(['--offline', 'plan', '-f', files[0]], { env });
      record('fleetPlan10k', 'plan of a 10,000-number file (JSON) with 1,000 changes, offline', over(plan), '≤ floor + 600 ms', plan.median - plan.floor <= 600);
      // The same plan from YAML, for the record: the yaml package's parser is the cost there.
      const yamlFile = join(fleetHome, 'fleet.yaml');
      writeFileSync(yamlFile, (await must(['export'], { env })).stdout);
      const yamlPlan = await timed(['--offline', 'plan', '-f', yamlFile], { env }, Math.min(RUNS, 3));
      record('fleetPlanYaml10k', 'plan of a 10,000-number YAML file, offline (no changes)', over(yamlPlan), 'reported', null);
      const applies = [];
      let trips = 2;
      for (let i = 0; i < SLOW_RUNS; i++) {
        const result = await run(['apply', '-f', files[i % 2], '--yes', '--verbose'], { env });
        if (result.code !== 0) throw new Error(`apply exited ${result.code}: ${result.stderr.slice(-800)}`);
        trips = Number(/\(([\d.]+) per number\)/.exec(result.stderr)?.[1] ?? 2);
        applies.push(result.ms);
      }
      // The same 1,000 changes as a stdin assign batch, in the same weather: the path apply reuses.
      const batches = [];
      for (let i = 0; i < SLOW_RUNS; i++) {
        // Each run moves the 1,000 numbers to the agent the previous run did not leave there.
        const result = await run(['assign', '-', '--outbound', (SLOW_RUNS + i) % 2 === 0 ? 'sales' : 'support', '--yes'], { env, input: vacant.map((n) => n.number).join('\n') });
        if (result.code !== 0) throw new Error(`batch exited ${result.code}: ${result.stderr.slice(-800)}`);
        batches.push(result.ms);
      }
      record('fleetApplyVsBatch', 'apply of 1,000 changes against the same stdin assign batch', `${(median(applies) / median(batches)).toFixed(2)} × (${(median(batches) / 1000).toFixed(2)} s for the batch)`, 'reported', null);
      const ideal = (2 * LATENCY * 1000) / BATCH_CONCURRENCY;
      const ratio = median(applies) / ideal;
      record('fleetApply1000', `apply of 1,000 changes, ${LATENCY} ms latency`, `${(median(applies) / 1000).toFixed(2)} s = ${ratio.toFixed(2)} × ideal (2 round trips × ${LATENCY} ms × 1000 ÷ ${BATCH_CONCURRENCY} = ${(ideal / 1000).toFixed(2)} s)`, '≤ 1.3 × ideal', ratio <= 1.3, `${trips} round trips per number; runs ${applies.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s`);
    } finally {
      await slow.stop();
      rmSync(fleetHome, { recursive: true, force: true });
    }
  }

  if (wants('big')) {
    process.stderr.write(`${BIG.toLocaleString('en-US')}-number cache…\n`);
    const fast = await serve(BIG, 0);
    try {
      const bigHome = mkdtempSync(join(tmpdir(), 'voicenum-bench-big-'));
      const env = { ...fast.env, VOICENUM_HOME: bigHome };
      const bigSyncs = [];
      let peak = null;
      for (let i = 0; i < Math.min(SLOW_RUNS, 2); i++) {
        const result = await must(['sync'], { env, memory: true });
        bigSyncs.push(result.ms);
        peak = Math.max(peak ?? 0, result.peakMiB ?? 0) || null;
      }
      record('syncBig', `sync of ${BIG.toLocaleString('en-US')} numbers, no latency`, `${(median(bigSyncs) / 1000).toFixed(2)} s`, 'reported', null);
      record('peakMemory', `peak memory of the ${BIG.toLocaleString('en-US')}-number sync`, peak === null ? 'not measured' : `${peak.toFixed(0)} MiB`, 'reported', null);
      const filtered = await timed(['numbers', 'list', '--provider', 'retell', '--unassigned', 'sms', '--search', '415', '--json'], { env });
      record('filteredBig', `filtered numbers list over ${BIG.toLocaleString('en-US')} numbers`, over(filtered), '≤ floor + 150 ms', filtered.median - filtered.floor <= 150);
      rmSync(bigHome, { recursive: true, force: true });
    } finally {
      await fast.stop();
    }
  }

  if (wants('lifecycle')) {
    // Round trips of the life of a number, as `--verbose` counts the requests each operation sends
    // (the cache refresh after it aside), on the seeded --sandbox account.
    process.stderr.write('lifecycle round trips…\n');
    const lifeHome = mkdtempSync(join(tmpdir(), 'voicenum-bench-life-'));
    try {
      const env = { VOICENUM_HOME: lifeHome };
      await must(['--sandbox', 'sync'], { env });
      const free = (await must(['--sandbox', 'numbers', 'list', '--provider', 'twilio', '--plain'], { env })).stdout.trim().split('\n').map((line) => line.split('\t')).filter((cells) => cells[1] === 'twilio').map((cells) => cells[0]);
      const countOf = (result, operation) => {
        const match = new RegExp(`(\\d+) upstream requests for the ${operation} \\(([^)]*)\\)`).exec(result.stderr);
        if (!match) throw new Error(`no request count in:\n${result.stderr.slice(-800)}`);
        return { total: Number(match[1]), detail: match[2] };
      };
      const trunk = countOf(await must(['--sandbox', 'numbers', 'import', free[0], '--into', 'retell', '--yes', '--verbose'], { env }), 'import');
      record('importTrunk', 'round trips of a SIP-trunk import (Retell)', String(trunk.total), '= 8 (routing read, 6 carrier creates, the platform import)', trunk.total === 8, trunk.detail);
      const credentials = countOf(await must(['--sandbox', 'numbers', 'import', free[1], '--into', 'vapi', '--yes', '--verbose'], { env }), 'import');
      record('importCredentials', 'round trips of a credentials import (Vapi)', String(credentials.total), '= 2 (routing read, the platform import)', credentials.total === 2, credentials.detail);
      const release = countOf(await must(['--sandbox', 'numbers', 'release', free[0], '--yes', '--verbose'], { env }), 'release');
      record('releaseImported', 'round trips of releasing a trunk-imported number', String(release.total), '= 11 (platform release, trunk list and its numbers, 6 removals, routing read and write)', release.total === 11, release.detail);
    } finally {
      rmSync(lifeHome, { recursive: true, force: true });
    }
  }

  if (wants('doctor')) {
    // `doctor --offline` reads the whole cache (every record, agent and assignment) and runs every
    // check; the sandbox's account has findings, so it exits 12 (errors found).
    process.stderr.write('doctor over 10,000 numbers…\n');
    const fast = await serve(10_000, 0);
    const doctorHome = mkdtempSync(join(tmpdir(), 'voicenum-bench-doctor-'));
    try {
      const env = { ...fast.env, VOICENUM_HOME: doctorHome };
      await must(['sync'], { env });
      // The same cache listed in the same rounds (floor, doctor, list, floor, ...): on a loaded
      // machine the floor moves, and doctor's cost beside the list's says more than either alone.
      const [json, list] = await timedTogether([['doctor', '--offline', '--json'], ['numbers', 'list', '--json']], { env, codes: [0, 12] });
      record('doctor10k', 'doctor --offline --json, 10,000 numbers', over(json), '≤ floor + 300 ms', json.median - json.floor <= 300);
      const table = await timed(['doctor', '--offline'], { env: { ...env, VOICENUM_FORCE_TTY: '1', COLUMNS: '160' }, codes: [0, 12] });
      record('doctorTable10k', 'doctor --offline on a terminal, 10,000 numbers', over(table), '≤ floor + 300 ms', table.median - table.floor <= 300);
      record('doctorListReference', 'numbers list --json on the doctor\'s cache (reference)', over(list), 'reported', null);
      const ratio = (json.median - json.floor) / (list.median - list.floor);
      // Beside the list, not a target of its own: doctor reads what the list reads and runs its checks.
      record('doctorOverList', 'doctor --offline --json ÷ numbers list --json, over the floor', `${ratio.toFixed(2)} ×`, 'reported', null);
    } finally {
      rmSync(doctorHome, { recursive: true, force: true });
      await fast.stop();
    }
  }

  const twilioCli = process.env.TWILIO_CLI_BIN;
  if (twilioCli && existsSync(twilioCli)) {
    const theirs = await timed([twilioCli, '--version'], { node: true });
    record('twilioCli', 'twilio-cli --version (for comparison)', over(theirs), '—', null);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length), ['figure', 'measured', 'target', ''][i].length));
const line = (cells) => cells.slice(0, 4).map((c, i) => String(c).padEnd(widths[i])).join('  ');
process.stdout.write(`\n${line(['figure', 'measured', 'target', 'result'])}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
const out = join(ROOT, 'test', 'bench', 'report.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nreport: ${out}\n`);
