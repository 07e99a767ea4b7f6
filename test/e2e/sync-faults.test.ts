import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../src/sandbox/index.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/** Sync on the sandbox when upstream misbehaves: hostile text, malformed records, a failing provider. */
describe('sync when upstream misbehaves', () => {
  const dir = tempDir();
  const home = dir.path;
  const stateFile = join(home, 'profiles', 'sandbox', 'sandbox-state.db');
  const cli = (args: string[], env?: Record<string, string>) => runCli(args, { home, env });
  const editState = (edit: (state: SandboxState) => void) => {
    const state = readSandboxState(stateFile);
    edit(state);
    writeSandboxState(stateFile, state);
  };

  beforeAll(async () => {
    expect((await cli(['sandbox', 'reset'])).code).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('skips and reports a malformed number, keeps the rest, and prints hostile names neutralised', async () => {
    editState((state) => {
      const first = state.retell.numbers[0]!;
      state.retell.numbers.push({ ...first, phone_number: 'not-a-number', nickname: 'broken' });
      first.nickname = 'evil\u001b[2J\u001b]0;owned\u0007\nline';
      const agentId = first.inbound_agents?.[0]?.agent_id;
      const agent = state.retell.agents.find((a) => a.agent_id === agentId)!;
      agent.agent_name = '=cmd|\u001b[31mred\tname';
    });
    const sync = await cli(['--sandbox', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stderr).toMatch(/retell: skipped number not-a-number: /);
    const list = await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell']);
    expect(list.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(list.stdout).toContain('evil\\e[2J\\e]0;owned\\x07\\nline');
    const rows = tsv(list.stdout);
    expect(rows.every((cells) => cells.length === 8)).toBe(true);
    expect(rows.some((cells) => cells[0] === 'not-a-number')).toBe(false);
    const csv = await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--csv']);
    expect(csv.stdout).toMatch(/,'=cmd\|\\e\[31mred\\tname/);
    const json = await cli(['--sandbox', 'numbers', 'list', '--provider', 'retell', '--json', 'label']);
    expect((JSON.parse(json.stdout) as { label: string }[]).map((n) => n.label)).toContain('evil\u001b[2J\u001b]0;owned\u0007\nline');
  });

  it('keeps a failing provider\'s previous rows and exits with the partial code', async () => {
    const before = await cli(['--sandbox', 'numbers', 'list', '--provider', 'vapi', '--json', 'e164,label']);
    editState((state) => {
      (state.vapi as unknown as { phoneNumbers: { name: string }[] }).phoneNumbers[0]!.name = 'renamed upstream';
    });
    const faults = JSON.stringify({ vapi: { serverError: { count: -1, status: 503 } } });
    const sync = await cli(['--sandbox', 'sync'], { VOICENUM_SANDBOX_FAULTS: faults, VOICENUM_HTTP_MAX_ATTEMPTS: '2', VOICENUM_HTTP_BASE_DELAY_MS: '1' });
    expect(sync.code).toBe(7);
    expect(sync.stderr).toMatch(/✗ vapi: .*HTTP 503/);
    expect(sync.stderr).toMatch(/✓ retell/);
    const after = await cli(['--sandbox', 'numbers', 'list', '--provider', 'vapi', '--json', 'e164,label']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('ends a sync whose only provider never answers within bounded attempts, with the provider code', async () => {
    const faults = JSON.stringify({ bland: { hang: { count: -1 } } });
    const sync = await cli(['--sandbox', 'sync', '--provider', 'bland'], { VOICENUM_SANDBOX_FAULTS: faults, VOICENUM_HTTP_MAX_ATTEMPTS: '2', VOICENUM_HTTP_BASE_DELAY_MS: '1', VOICENUM_HTTP_TIMEOUT_MS: '300' });
    expect(sync.code).toBe(5);
    expect(sync.stderr).toMatch(/bland: .*no answer within 300 ms/);
  });
});
