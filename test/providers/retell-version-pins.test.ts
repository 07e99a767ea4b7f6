import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError, UsageError, VoicenumError } from '../../src/domain/errors.js';
import { parseSlotValue } from '../../src/domain/slot-spec.js';
import { createRetellAdapter } from '../../src/providers/retell/index.js';
import { SANDBOX_KEYS } from '../../src/sandbox/credentials.js';
import { memoryState, startFakeServer, type RunningFake } from '../../src/sandbox/fake-server.js';
import { createRetellFake, retellStateFromSeed, type RetellState } from '../../src/sandbox/fakes/retell.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';

/**
 * Retell version pins (`--inbound sales@3`): never rounded on their way to the wire, and checked
 * against the agent's versions upstream before anything is pushed.
 */
const plan = buildSeedPlan();
const retellAgent = (name: string) => plan.agents.find((agent) => agent.provider === 'retell' && agent.name === name)!;
const vacantRetell = plan.numbers.filter((number) => number.provider === 'retell' && number.slots.inbound.length === 0);
const TOO_BIG = '9007199254740993';
const ROUNDED = '9007199254740992';

describe('parsing a version pin', () => {
  it('refuses a number past 2^53 − 1 as a usage error naming it, and keeps the largest exact one as typed', () => {
    const error = (() => {
      try {
        parseSlotValue('--inbound', `sales@${TOO_BIG}`);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain(TOO_BIG);
    expect((error as Error).message).not.toContain(ROUNDED);
    expect(() => parseSlotValue('--inbound', `sales@${'9'.repeat(40)}`)).toThrow(UsageError);
    expect(parseSlotValue('--inbound', 'sales@9007199254740991')[0]!.version).toBe('9007199254740991');
  });

  it('writes a number in the form Retell answers back, so the write verifies', () => {
    expect(parseSlotValue('--inbound', 'sales@007')[0]!.version).toBe('7');
    expect(parseSlotValue('--inbound', 'sales@0')[0]!.version).toBe('0');
    expect(parseSlotValue('--inbound', 'sales@latest_published')[0]!.version).toBe('latest_published');
  });
});

describe('Retell adapter: checkVersions', () => {
  let fake: RunningFake | undefined;
  let state: RetellState;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function start(edit?: (state: RetellState) => void) {
    state = retellStateFromSeed(plan);
    edit?.(state);
    fake = await startFakeServer(createRetellFake(), memoryState(state));
    return createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: fake.url, http: { baseDelayMs: 1, maxAttempts: 2, sleep: async () => {} } });
  }
  const versionCalls = () => fake!.requests.filter((request) => request.path.startsWith('/list-agent-versions/'));

  it('names the missing pins with the versions that exist, newest first, and passes the ones that exist', async () => {
    const retell = await start();
    const sales = retellAgent('sales').id;
    const missing = await retell.checkVersions!([
      { agentId: sales, version: '7' },
      { agentId: sales, version: '2' },
      { agentId: sales, version: '3' },
    ]);
    expect(missing).toEqual([{ agentId: sales, version: '7', reason: 'has no version 7 (its versions, newest first: 3 (draft), 2, 1, 0)' }]);
  });

  it('reads each agent’s versions once, however many pins and calls name it', async () => {
    const retell = await start();
    const pins = ['sales', 'support'].flatMap((name) => Array.from({ length: 50 }, (_, i) => ({ agentId: retellAgent(name).id, version: String(i % 4) })));
    expect(await retell.checkVersions!(pins)).toEqual([]);
    expect(await retell.checkVersions!(pins.slice(0, 10))).toEqual([]);
    expect(versionCalls().map((request) => request.path).sort()).toEqual([`/list-agent-versions/${retellAgent('sales').id}`, `/list-agent-versions/${retellAgent('support').id}`].sort());
  });

  it('follows the version list’s pages and shows only the newest few', async () => {
    const sales = retellAgent('sales').id;
    const retell = createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: (await start((seeded) => {
      const agent = seeded.agents.find((entry) => entry.agent_id === sales)!;
      agent.versions = Array.from({ length: 12 }, (_, version) => ({ version, is_published: true, last_modification_timestamp: version, base_version: null, version_title: null }));
    }), fake!.url), pageSize: 5, http: { maxAttempts: 1 } });
    const [missing] = await retell.checkVersions!([{ agentId: sales, version: '12' }, { agentId: sales, version: '0' }]);
    expect(missing).toEqual({ agentId: sales, version: '12', reason: 'has no version 12 (its versions, newest first: 11, 10, 9, 8, 7, and 7 older)' });
    expect(versionCalls()).toHaveLength(3);
  });

  it('checks latest_published against published versions; latest and tags cost no request', async () => {
    const retell = await start();
    const draftOnly = retellAgent('after-hours').id;
    expect(await retell.checkVersions!([{ agentId: draftOnly, version: 'latest_published' }])).toEqual([
      { agentId: draftOnly, version: 'latest_published', reason: 'has no published version for latest_published (its versions, newest first: 0 (draft))' },
    ]);
    fake!.requests.length = 0;
    expect(await retell.checkVersions!([{ agentId: retellAgent('sales').id, version: 'latest' }, { agentId: retellAgent('sales').id, version: 'production' }])).toEqual([]);
    expect(fake!.requests).toEqual([]);
  });

  it('says an agent that vanished upstream no longer exists', async () => {
    const retell = await start();
    expect(await retell.checkVersions!([{ agentId: 'agent_gone', version: '1' }])).toEqual([{ agentId: 'agent_gone', version: '1', reason: 'no longer exists at Retell' }]);
  });

  it('does not take a version past 2^53 − 1 from Retell as the rounded neighbour', async () => {
    const number = vacantRetell[0]!;
    state = retellStateFromSeed(plan);
    const provider = createRetellFake();
    const sales = retellAgent('sales').id;
    const answer = JSON.stringify({ ...state.numbers.find((entry) => entry.phone_number === number.e164), inbound_agents: [{ agent_id: sales, weight: 1 }] }).replace('"weight":1}', `"agent_version":${TOO_BIG},"weight":1}`);
    provider.routes = provider.routes.map((route) => (route.path === '/get-phone-number/:number' ? { ...route, handler: () => ({ status: 200, raw: answer, headers: { 'Content-Type': 'application/json' } }) } : route));
    fake = await startFakeServer(provider, memoryState(state));
    const retell = createRetellAdapter({ apiKey: SANDBOX_KEYS.retell, baseUrl: fake.url, http: { maxAttempts: 1 } });
    const read = await retell.readNumber({ providerId: number.e164, e164: number.e164 }).catch((caught: unknown) => caught);
    expect(read).toBeInstanceOf(ProviderError);
    expect((read as Error).message).toMatch(/agent_version is not an integer voicenum can hold exactly/);
  });

  it('refuses to put a version past 2^53 − 1 on the wire, before any request', async () => {
    const retell = await start();
    const number = vacantRetell[0]!;
    const current = await retell.readNumber({ providerId: number.e164, e164: number.e164 });
    const error = await retell
      .writeSlots({ providerId: number.e164, e164: number.e164 }, { inbound: [{ agentId: retellAgent('sales').id, weight: 1, version: TOO_BIG, kind: 'voice' }] }, current)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(VoicenumError);
    expect(fake!.requests.map((request) => request.method)).toEqual(['GET']);
  });
});

describe('assign with version pins, in-process on the sandbox', () => {
  const cli = useSandboxCli();
  const retellFake = () => cli.sandbox.fakes.retell;
  const patches = () => retellFake().requests.filter((request) => request.method === 'PATCH');
  const versionCalls = (agent: string) => retellFake().requests.filter((request) => request.path === `/list-agent-versions/${retellAgent(agent).id}`);

  it('refuses a pin to a version the agent does not have (exit 3), naming agent, version and what exists; nothing is pushed', async () => {
    const number = vacantRetell[0]!;
    const result = await cli.expectRefused(['assign', number.e164, '--inbound', 'sales@7'], 3, /inbound: agent sales \(agent_\w+\) has no version 7 \(its versions, newest first: 3 \(draft\), 2, 1, 0\)/);
    expect(result.stdout).toBe(`${number.e164}\tretell\trefused\t${result.stderr.match(/inbound: agent sales[^\n]*\)/)![0]}\n`);
    expect(patches()).toEqual([]);
  });

  it('pushes a pin to a version that exists, with the integer on the wire', async () => {
    const number = vacantRetell[0]!;
    const before = versionCalls('sales').length;
    const result = await cli.run(['assign', number.e164, '--inbound', 'sales@02', '--verbose']);
    expect(result.code, result.stderr).toBe(0);
    expect(patches().map((request) => request.rawBody)).toEqual([JSON.stringify({ inbound_agents: [{ agent_id: retellAgent('sales').id, agent_version: 2, weight: 1 }] })]);
    expect(versionCalls('sales').length - before).toBe(1);
    // The freshness read, the version list, the write.
    expect(result.stderr).toMatch(/3 upstream requests for 1 changed number/);
    const shown = JSON.parse((await cli.run(['numbers', 'show', number.e164, '--json'])).stdout) as { slots: { inbound: { version: string | null }[] } };
    expect(shown.slots.inbound.map((agent) => agent.version)).toEqual(['2']);
  });

  it('reads each pinned agent’s versions once for a whole batch, and costs nothing extra without pins', async () => {
    const input = vacantRetell.map((number) => number.e164).join('\n');
    const before = versionCalls('sales').length;
    const pinned = await cli.run(['assign', '-', '--inbound', 'sales@1', '--verbose'], input);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(versionCalls('sales').length - before).toBe(1);
    expect(pinned.stderr).toContain(`${vacantRetell.length * 2 + 1} upstream requests for ${vacantRetell.length} changed numbers`);
    const plain = await cli.run(['assign', '-', '--inbound', 'support', '--yes', '--verbose'], input);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain(`${vacantRetell.length * 2} upstream requests for ${vacantRetell.length} changed numbers (2.0 per number)`);
  });

  it('refuses every number of a batch that pins a missing version, pushes none of them, and still reads the versions once', async () => {
    const input = vacantRetell.map((number) => number.e164).join('\n');
    const before = versionCalls('support').length;
    const cache = await cli.cacheSnapshot();
    const result = await cli.run(['assign', '-', '--inbound', 'support@4'], input);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`0 of ${vacantRetell.length} numbers done, ${vacantRetell.length} failed`);
    expect(await cli.cacheSnapshot()).toBe(cache);
    expect(result.stdout.trim().split('\n').map((line) => line.split('\t')[2])).toEqual(vacantRetell.map(() => 'refused'));
    expect(versionCalls('support').length - before).toBe(1);
    expect(patches()).toEqual([]);
  });

  it('refuses @9007199254740993 as a usage error and no request carries 9007199254740992', async () => {
    const number = vacantRetell[0]!;
    const everything = () => Object.values(cli.sandbox.fakes).flatMap((running) => running.requests);
    const before = everything().length;
    const result = await cli.expectRefused(['assign', number.e164, '--inbound', `sales@${TOO_BIG}`], 2, new RegExp(TOO_BIG));
    expect(result.stderr).not.toContain(ROUNDED);
    expect(everything().length).toBe(before);
    expect(everything().some((request) => request.rawBody.includes(ROUNDED) || request.query.includes(ROUNDED))).toBe(false);
  });
});
