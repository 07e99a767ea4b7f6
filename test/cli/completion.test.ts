import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete, type CompletionSources } from '../../src/cli/completion.js';
import { buildProgram } from '../../src/cli/program.js';
import { cliEnv, ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('completion over the command tree', () => {
  const program = buildProgram(async () => undefined);
  const asked: string[] = [];
  const sources: CompletionSources = {
    names: (kind, prefix) => {
      asked.push(`${kind}:${prefix}`);
      return (kind === 'numbers' ? ['+14155550100', '+14155550101', '+12062000000'] : ['receptionist', 'sales']).filter((n) => n.startsWith(prefix));
    },
    profiles: () => ['default', 'staging'],
  };
  const at = (...words: string[]) => complete(program, words, sources);

  it('offers commands, subcommands and aliases-free names, never the internal helper', () => {
    expect(at('')).toEqual(expect.arrayContaining(['numbers', 'assign', 'sync', 'completion']));
    expect(at('')).not.toContain('__complete');
    expect(at('numbers', 'l')).toEqual(['list', 'label']);
    expect(at('numbers', 'ls', '--pro')).toEqual(['--provider', '--profile']);
  });

  it("offers a command's JSON fields after --json, completing the last name of a list", () => {
    expect(at('numbers', 'list', '--json', 'sl')).toEqual(['slots']);
    expect(at('numbers', 'list', '--json', 'e164,pro')).toEqual(['e164,provider']);
    expect(at('sync', '--json', 're')).toEqual(['removed', 'requests']);
    // After --json the word may also be the argument (a number).
    expect(at('numbers', 'show', '--json', '+1415')).toEqual(['+14155550100', '+14155550101']);
  });

  it('offers values of flags and arguments: providers, slots, regions, setting keys, profiles, agents, numbers', () => {
    expect(at('numbers', 'list', '--provider', '')).toEqual(expect.arrayContaining(['retell', 'twilio']));
    expect(at('numbers', 'list', '--unassigned', 'in')).toEqual(['inbound']);
    expect(at('numbers', 'list', '--sort', 'l')).toEqual(['label']);
    expect(at('region', '+14155550100', '')).toEqual(['us1', 'ie1', 'au1']);
    expect(at('config', 'get', 'default')).toEqual(['default-country', 'default-region']);
    expect(at('--profile', 'st')).toEqual(['staging']);
    expect(at('assign', '+14155550100', '--inbound', 're')).toEqual(['receptionist']);
    expect(at('assign', '+1206')).toEqual(['+12062000000']);
    expect(at('agents', 'show', 's')).toEqual(['sales']);
    expect(at('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    // unassign's --inbound takes no value: the next word is a number again.
    expect(at('unassign', '--inbound', '+1206')).toEqual(['+12062000000']);
  });
});

describe('completion in a real bash', () => {
  const dir = tempDir();
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    expect((await runCli(['--sandbox', 'sync'], { home: dir.path })).code).toBe(0);
    // `voicenum` on the PATH, as an installed package puts it.
    const bin = join(dir.path, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'voicenum'), `#!/bin/sh\nexec "${process.execPath}" "${ROOT}bin/voicenum.js" "$@"\n`);
    chmodSync(join(bin, 'voicenum'), 0o755);
    env = { ...cliEnv(dir.path), PATH: `${bin}:${process.env.PATH}` };
  });
  afterAll(() => dir.cleanup());

  const bash = (line: string[]) =>
    execFileSync('bash', ['-c', `eval "$(voicenum completion bash)"; COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}; _voicenum_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { env, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);

  it('completes commands, fields, and numbers and agents from the sandbox cache', () => {
    expect(bash(['voicenum', 'numbers', 'sh'])).toEqual(['show']);
    expect(bash(['voicenum', 'numbers', 'list', '--json', 'e164,sl'])).toEqual(['e164,slots']);
    const numbers = bash(['voicenum', '--sandbox', 'numbers', 'show', '+1']);
    expect(numbers.length).toBeGreaterThan(10);
    for (const number of numbers) expect(number).toMatch(/^\+1\d{10}$/);
    expect(bash(['voicenum', '--sandbox', 'assign', numbers[0]!, '--inbound', 'recep'])).toEqual(['receptionist']);
    // Another profile's cache is not this one's: nothing to offer, and no error text in the reply.
    expect(bash(['voicenum', 'numbers', 'show', '+1'])).toEqual([]);
  });

  it('prints a script for each shell and refuses others', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await runCli(['completion', shell], { home: dir.path });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/voicenum __complete --/);
    }
    const bad = await runCli(['completion', 'tcsh'], { home: dir.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no completion for "tcsh"[^]*bash, zsh, fish/);
  });
});
