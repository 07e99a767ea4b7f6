import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}bin/voicenum.js`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI as a child process, as an operator's shell would: no TTY, a private
 * VOICENUM_HOME, and none of the developer's provider credentials.
 */
export function runCli(args: string[], options: { home: string; env?: Record<string, string | undefined>; input?: string | Uint8Array; nodeArgs?: string[]; timeoutMs?: number; user?: { uid: number; gid: number } }): Promise<CliResult> {
  const env = cliEnv(options.home, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], ...options.user });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The environment a spawned CLI gets: the developer's, minus provider credentials and voicenum's own
 * variables, with a private VOICENUM_HOME and no colour; `extra` adds (or, with undefined, removes).
 */
export function cliEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(RETELL|VAPI|BLAND|TWILIO|ELEVENLABS)_/.test(key) || key.startsWith('VOICENUM_') || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  Object.assign(env, { VOICENUM_HOME: home, NO_COLOR: '1' }, extra);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** A small deterministic generator (LCG) for spreading kills and faults, so a failing run replays exactly. */
export function seededRandom(seed: number): () => number {
  let value = seed >>> 0;
  return () => {
    value = (Math.imul(value, 1664525) + 1013904223) >>> 0;
    return value / 2 ** 32;
  };
}

/** Parse tab-separated output into rows of cells. */
export function tsv(text: string): string[][] {
  return text.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}
