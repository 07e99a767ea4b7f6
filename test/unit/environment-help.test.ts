import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_HELP } from '../../src/cli/environment-help.js';
import { CREDENTIAL_VARIABLES } from '../../src/providers/credentials.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const VARIABLE = /[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*/g;

/**
 * The variables a source text reads: `env.NAME`, `env?.NAME` and `env['NAME']` on any environment
 * object (process.env, the Context's env, the env adapters get), and every VOICENUM_ name it spells
 * (some are read through a table or set by the sandbox for the code to read).
 */
export function variablesIn(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1]!);
  for (const match of source.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(match[1]!);
  for (const match of source.matchAll(/\bVOICENUM_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g)) names.add(match[0]);
  return [...names];
}

/** What voicenum's code reads: the scan of src/, plus the credentials read by name from a table. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(50);
  for (const file of files) for (const name of variablesIn(readFileSync(join(file.parentPath, file.name), 'utf8'))) names.add(name);
  for (const text of Object.values(CREDENTIAL_VARIABLES)) for (const [name] of text.matchAll(VARIABLE)) if (name.includes('_')) names.add(name);
  return names;
}

/** The names each entry of the help starts with (`  NAME[, NAME]   what it does`). */
function variablesDocumented(): string[] {
  const names: string[] = [];
  for (const line of ENVIRONMENT_HELP.split('\n')) {
    const entry = /^ {2}([A-Z][A-Z0-9_]*(?:, [A-Z][A-Z0-9_]*)*) {2,}\S/.exec(line);
    if (entry) names.push(...entry[1]!.split(', '));
  }
  return names;
}

describe('voicenum help environment', () => {
  it('the scanner finds reads of every kind (it is not blind)', () => {
    const sample = "const a = env.NO_COLOR; const b = this.env?.TERM; const c = env['COLUMNS']; const d = { VOICENUM_HOME_X: 1 }; const e = process.env; // VOICENUM_*_BASE_URL";
    expect(variablesIn(sample).sort()).toEqual(['COLUMNS', 'NO_COLOR', 'TERM', 'VOICENUM_HOME_X']);
    const read = variablesRead();
    for (const name of ['VOICENUM_HOME', 'VOICENUM_PROFILE', 'VOICENUM_SANDBOX_FAULTS', 'VOICENUM_HTTP_TIMEOUT_MS', 'NO_COLOR', 'FORCE_COLOR', 'RETELL_API_KEY', 'TWILIO_API_SECRET', 'VOICENUM_TWILIO_ROUTES_BASE_URL']) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('describes exactly the variables the code reads, each once', () => {
    const documented = variablesDocumented();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...variablesRead()].sort());
  });

  it('gives every variable one line saying what it does', () => {
    const entries = ENVIRONMENT_HELP.split('\n').filter((line) => /^ {2}[A-Z]/.test(line));
    expect(entries.length).toBeGreaterThan(25);
    for (const line of entries) expect(line, line).toMatch(/^ {2}[A-Z][A-Z0-9_, ]* {2,}\S.{8,}$/);
  });
});
