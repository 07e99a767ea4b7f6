import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `sync` in a real terminal: the built CLI runs inside tmux, and every byte it writes to the
 * terminal is logged with pipe-pane, so the test reads each frame of the live line — not only the
 * last screen — without timing anything.
 */
const socket = `voicenum-progress-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLEAR = '\r\u001b[2K';

async function waitFor(what: () => boolean, description: string): Promise<void> {
  for (let i = 0; i < 1800; i++) {
    if (what()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${description}`);
}

describe('sync progress in a real terminal (tmux)', () => {
  const dir = tempDir();
  const home = join(dir.path, 'home');
  let session = 0;

  /** Run a shell command in a fresh tmux pane; resolves with every byte the pane received, and the screen at the end. */
  async function inTerminal(command: string): Promise<{ bytes: string; screen: string }> {
    const name = `s${++session}`;
    const go = join(dir.path, `${name}.go`);
    const log = join(dir.path, `${name}.log`);
    const done = join(dir.path, `${name}.done`);
    writeFileSync(log, '');
    // The command waits for `go`, so the pane's log is attached before its first byte.
    tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '30', `while [ ! -f ${go} ]; do sleep 0.05; done; cd ${ROOT} && ${command}; echo "EXIT=$?"; touch ${done}; sleep 120`);
    tmux('pipe-pane', '-t', name, '-o', `cat >> ${log}`);
    writeFileSync(go, '');
    await waitFor(() => existsSync(done), `${command} to finish`);
    await waitFor(() => readFileSync(log, 'utf8').includes('EXIT='), 'the log to catch up');
    const screen = tmux('capture-pane', '-t', name, '-p');
    return { bytes: readFileSync(log, 'utf8'), screen };
  }

  const cli = (args: string, env = '') => `env VOICENUM_HOME=${home} NO_COLOR=1 ${env} ${process.execPath} bin/voicenum.js --sandbox ${args}`;

  beforeAll(async () => {
    // ~550 Twilio numbers: at 50 ms a request, 32 at a time, their region reads take about a second.
    expect((await runCli(['sandbox', 'reset', '--numbers', '1000'], { home })).code).toBe(0);
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    dir.cleanup();
  });

  it('shows each provider live, the Twilio region reads counted done/total, and clears the line at the end', async () => {
    const { bytes, screen } = await inTerminal(cli('sync', `VOICENUM_SANDBOX_FAULTS='{"twilio":{"latencyMs":50},"retell":{"latencyMs":50},"vapi":{"latencyMs":50},"bland":{"latencyMs":50},"elevenlabs":{"latencyMs":50}}' CI=`));
    expect(bytes).toMatch(/EXIT=0/);
    const frames = bytes.split(CLEAR).slice(1).map((frame) => frame.split('\r\n')[0]!).filter((frame) => frame.startsWith('syncing'));
    expect(frames.length).toBeGreaterThan(2);
    // Every frame names every provider, on one line.
    for (const frame of frames) expect(frame).toMatch(/^syncing {2}retell .* · vapi .* · bland .* · twilio .* · elevenlabs .*/);
    // The region phase moves while it runs: frames with some but not all regions read, more done each time.
    const regions = frames.map((frame) => /twilio [\d,]+ numbers, regions ([\d,]+)\/([\d,]+)/.exec(frame)).filter((m) => m !== null).map((m) => [Number(m[1]!.replace(/,/g, '')), Number(m[2]!.replace(/,/g, ''))] as const);
    expect(regions.filter(([done, total]) => done > 0 && done < total).length).toBeGreaterThan(1);
    const done = regions.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The last frame has every provider done, then the line is wiped before the summary.
    expect(frames.at(-1)).toBe('syncing  retell done · vapi done · bland done · twilio done · elevenlabs done');
    const summary = bytes.indexOf('✓ retell:');
    expect(summary).toBeGreaterThan(0);
    expect(bytes.slice(bytes.lastIndexOf('syncing'), summary)).toMatch(/^syncing[^\r\n]*\r\u001b\[2K/);
    expect(screen).not.toContain('syncing');
    expect(screen).toMatch(/✓ twilio: [\d,]+ numbers/);
  }, 240_000);

  it('draws nothing live with --json, --quiet or in a CI log, though stderr is a terminal', async () => {
    const out = join(dir.path, 'sync.json');
    const { bytes } = await inTerminal([cli(`sync --json > ${out}`, 'CI='), cli('sync --quiet', 'CI='), cli('sync', 'CI=true')].join(' && '));
    expect(bytes).toMatch(/EXIT=0/);
    // The CI run still prints its summary: the terminal got output, only no live line.
    expect(bytes.match(/✓ twilio:/g)).toHaveLength(2);
    expect(bytes).not.toContain('syncing');
    expect(bytes).not.toContain('\u001b[2K');
    expect((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length).toBe(5);
  }, 240_000);

  it('draws nothing into a pipe', async () => {
    const piped = await runCli(['--sandbox', 'sync'], { home });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(/✓ twilio:/);
    expect(piped.stderr).not.toContain('syncing');
    expect(piped.stderr).not.toContain('\r');
  }, 60_000);
});
