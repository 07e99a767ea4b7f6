import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxEnvironment } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { runCli, tsv } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Version pins through the built CLI as a child process. The sandbox fakes run in this process
 * (the CLI reaches them through VOICENUM_*_BASE_URL), so every request the CLI sent can be read back.
 */
const plan = buildSeedPlan();
const sales = plan.agents.find((agent) => agent.provider === 'retell' && agent.name === 'sales')!;
const vacant = plan.numbers.filter((number) => number.provider === 'retell' && number.slots.inbound.length === 0);

describe('version pins, end to end through the built CLI', () => {
  const dir = tempDir();
  let sandbox: SandboxEnvironment;
  const cli = (args: string[], input?: string) => runCli(args, { home: dir.path, env: sandbox.env, input });
  const retell = () => sandbox.fakes.retell;
  const patches = () => retell().requests.filter((request) => request.method === 'PATCH');

  beforeAll(async () => {
    sandbox = await startSandbox();
    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
  });
  afterAll(async () => {
    await sandbox.close();
    dir.cleanup();
  });

  it('refuses a pin to a missing version with exit 3, naming agent, version and the versions there are; Retell gets no PATCH', async () => {
    const result = await cli(['assign', vacant[0]!.e164, '--inbound', 'sales@7']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`inbound: agent sales (${sales.id}) has no version 7 (its versions, newest first: 3 (draft), 2, 1, 0)`);
    expect(tsv(result.stdout)).toEqual([[vacant[0]!.e164, 'retell', 'refused', `inbound: agent sales (${sales.id}) has no version 7 (its versions, newest first: 3 (draft), 2, 1, 0)`]]);
    expect(patches()).toEqual([]);
    expect((await cli(['history', '--json'])).stdout.trim()).toBe('[]');
  });

  it('refuses @9007199254740993 as a usage error (exit 2) and sends nothing, least of all 9007199254740992', async () => {
    const before = Object.values(sandbox.fakes).reduce((sum, running) => sum + running.requests.length, 0);
    const result = await cli(['assign', vacant[0]!.e164, '--inbound', 'sales@9007199254740993']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('9007199254740993');
    expect(result.stderr + result.stdout).not.toContain('9007199254740992');
    const requests = Object.values(sandbox.fakes).flatMap((running) => running.requests);
    expect(requests.length).toBe(before);
    expect(requests.some((request) => request.rawBody.includes('9007199254740992'))).toBe(false);
  });

  it('pushes a batch pinned to an existing version with one version read, and the pin lands upstream', async () => {
    const listCalls = () => retell().requests.filter((request) => request.path === `/list-agent-versions/${sales.id}`).length;
    // The seed has vacant Retell numbers; with none, every check below would pass on nothing.
    expect(vacant.length).toBeGreaterThan(1);
    const before = listCalls();
    const result = await cli(['assign', '-', '--inbound', 'sales@1'], vacant.map((number) => number.e164).join('\n'));
    expect(result.code, result.stderr).toBe(0);
    expect(tsv(result.stdout).map((row) => row[2])).toEqual(vacant.map(() => 'applied'));
    expect(listCalls() - before).toBe(1);
    expect(patches().map((request) => request.rawBody)).toEqual(vacant.map(() => JSON.stringify({ inbound_agents: [{ agent_id: sales.id, agent_version: 1, weight: 1 }] })));
    for (const number of vacant) {
      expect(sandbox.state().retell.numbers.find((entry) => entry.phone_number === number.e164)!.inbound_agents).toEqual([{ agent_id: sales.id, agent_version: 1, weight: 1 }]);
    }
    const history = JSON.parse((await cli(['history', '--json'])).stdout) as { after: unknown }[];
    expect(history.map((entry) => entry.after)).toEqual(vacant.map(() => [{ agentId: sales.id, name: 'sales', weight: 1, version: '1' }]));
  });
});
