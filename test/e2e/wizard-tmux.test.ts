import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState } from '../../src/sandbox/index.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The wizard in a real terminal: the built CLI runs inside tmux, keys are typed with send-keys and
 * the screen is read with capture-pane. stdout goes to a file, so prompts must stay on stderr.
 */
const plan = buildSeedPlan();
const target = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && !n.importedFromTwilio)!;
const socket = `voicenum-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: () => boolean, description: string, screen: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (what()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${description}; the screen shows:\n${screen()}`);
}

describe('the wizard in a real terminal (tmux)', () => {
  const dir = tempDir();
  const out = join(dir.path, 'wizard-stdout.txt');
  const screen = () => tmux('capture-pane', '-t', 'wizard', '-p');
  const showsText = (text: string) => () => screen().includes(text);

  beforeAll(async () => {
    expect((await runCli(['sandbox', 'reset'], { home: dir.path })).code).toBe(0);
    expect((await runCli(['--sandbox', 'sync'], { home: dir.path })).code).toBe(0);
  });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    dir.cleanup();
  });

  it('assigns a number through the wizard; numbers list --json shows it took', async () => {
    const command = `cd ${ROOT} && VOICENUM_HOME=${dir.path} NO_COLOR=1 ${process.execPath} bin/voicenum.js --sandbox wizard > ${out}; echo "EXIT=$?" >> ${out}; sleep 60`;
    tmux('new-session', '-d', '-s', 'wizard', '-x', '160', '-y', '40', command);
    await waitFor(showsText('Which number?'), 'the number question', screen);
    tmux('send-keys', '-t', 'wizard', '-l', target.e164);
    await waitFor(() => screen().includes(`❯ ${target.e164}`), 'the filtered number', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which slots'), 'the slot question', screen);
    tmux('send-keys', '-t', 'wizard', 'Space');
    await waitFor(showsText('◉ inbound'), 'inbound ticked', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which agent for inbound?'), 'the agent question', screen);
    tmux('send-keys', '-t', 'wizard', '-l', 'support');
    await waitFor(() => /❯ support {2}retell/.test(screen()), 'support offered', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Apply this change?'), 'the confirmation', screen);
    expect(screen()).toContain('inbound  (none) → support');
    tmux('send-keys', '-t', 'wizard', 'y', 'Enter');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('EXIT='), 'the wizard to finish', screen);

    const stdout = readFileSync(out, 'utf8');
    expect(stdout).toBe(`${target.e164}\tretell\tapplied\tinbound: (none) -> support\nEXIT=0\n`);
    const listed = await runCli(['--sandbox', 'numbers', 'list', '--json', 'e164,slots'], { home: dir.path });
    const row = (JSON.parse(listed.stdout) as { e164: string; slots: { inbound: { name: string }[] } }[]).find((n) => n.e164 === target.e164)!;
    expect(row.slots.inbound.map((a) => a.name)).toEqual(['support']);
    // It reached the fakes' persisted state, not only the cache.
    const synced = await runCli(['--sandbox', 'sync', '--provider', 'retell'], { home: dir.path });
    expect(synced.code).toBe(0);
    const after = await runCli(['--sandbox', 'numbers', 'show', target.e164, '--json'], { home: dir.path });
    expect((JSON.parse(after.stdout) as { slots: { inbound: { name: string }[] } }).slots.inbound.map((a) => a.name)).toEqual(['support']);
  }, 60_000);

  it('imports a Twilio number from the number step, then assigns it: the import engine, its confirmation, then the same push', async () => {
    const listed = await runCli(['--sandbox', 'numbers', 'list', '--provider', 'twilio', '--plain'], { home: dir.path });
    const free = listed.stdout.trim().split('\n').map((line) => line.split('\t')).find((cells) => cells[1] === 'twilio')![0]!;
    const out3 = join(dir.path, 'wizard-import.txt');
    const command = `cd ${ROOT} && VOICENUM_HOME=${dir.path} NO_COLOR=1 ${process.execPath} bin/voicenum.js --sandbox wizard > ${out3}; echo "EXIT=$?" >> ${out3}; sleep 60`;
    tmux('kill-session', '-t', 'wizard');
    tmux('new-session', '-d', '-s', 'wizard', '-x', '160', '-y', '40', command);
    await waitFor(showsText('Which number?'), 'the number question', screen);
    // The new-number entries come first, before the cached numbers.
    await waitFor(showsText('❯ (get a new number)'), 'the buy entry first', screen);
    expect(screen()).toContain('(import a Twilio number)');
    tmux('send-keys', '-t', 'wizard', '-l', 'import');
    await waitFor(showsText('❯ (import a Twilio number)'), 'the import entry', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which Twilio number?'), 'the Twilio number question', screen);
    tmux('send-keys', '-t', 'wizard', '-l', free);
    await waitFor(() => screen().includes(`❯ ${free}`), 'the filtered Twilio number', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Into which platform?'), 'the platform question', screen);
    await waitFor(showsText('❯ Retell'), 'Retell offered first', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    // The import's own plan and confirmation.
    await waitFor(showsText(`Import ${free} into Retell?`), 'the import confirmation', screen);
    expect(screen()).toContain('create an Elastic SIP trunk');
    tmux('send-keys', '-t', 'wizard', 'y', 'Enter');
    await waitFor(showsText('Which slots'), 'the slot question, with the imported number', screen);
    expect(screen()).toContain(`Which slots of ${free}?`);
    tmux('send-keys', '-t', 'wizard', 'Space');
    await waitFor(showsText('◉ inbound'), 'inbound ticked', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which agent for inbound?'), 'the agent question', screen);
    tmux('send-keys', '-t', 'wizard', '-l', 'support');
    await waitFor(() => /❯ support {2}retell/.test(screen()), 'support offered', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Apply this change?'), 'the confirmation', screen);
    tmux('send-keys', '-t', 'wizard', 'y', 'Enter');
    await waitFor(() => existsSync(out3) && readFileSync(out3, 'utf8').includes('EXIT='), 'the wizard to finish', screen);
    expect(readFileSync(out3, 'utf8')).toBe(`${free}\tretell\tapplied\tinbound: (none) -> support\nEXIT=0\n`);
    // Upstream: Retell holds the number with support answering it, over the trunk voicenum made.
    const state = readSandboxState(join(dir.path, 'profiles', 'sandbox', 'sandbox-state.db'));
    const support = state.retell.agents.find((a) => a.agent_name === 'support')!;
    expect(state.retell.numbers.find((n) => n.phone_number === free)?.inbound_agents?.map((a) => a.agent_id)).toEqual([support.agent_id]);
    const trunkSid = state.twilio.incomingPhoneNumbers.find((n) => n.phone_number === free)!.trunk_sid;
    expect(state.twilio.trunks.find((t) => t.sid === trunkSid)?.friendly_name).toMatch(/^voicenum/);
  }, 60_000);

  it('ranks the label typed exactly first, counts the agents of other providers in one line instead of listing them, and empties a slot', async () => {
    const lineOne = plan.numbers.find((n) => n.label === 'retell line 1')!;
    const holder = plan.agents.find((a) => a.id === lineOne.slots.inbound[0]!.agentId)!.name;
    const out2 = join(dir.path, 'wizard-unassign.txt');
    const command = `cd ${ROOT} && VOICENUM_HOME=${dir.path} NO_COLOR=1 ${process.execPath} bin/voicenum.js --sandbox wizard > ${out2}; echo "EXIT=$?" >> ${out2}; sleep 60`;
    tmux('kill-session', '-t', 'wizard');
    tmux('new-session', '-d', '-s', 'wizard', '-x', '160', '-y', '40', command);
    await waitFor(showsText('Which number?'), 'the number question', screen);
    // "retell line 1" is in "retell line 10" to "12" too, which come earlier by number.
    tmux('send-keys', '-t', 'wizard', '-l', 'retell line 1');
    await waitFor(() => screen().includes(`❯ ${lineOne.e164}`), 'the exact label first', screen);
    expect(screen()).toMatch(/retell line 1\d/);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which slots'), 'the slot question', screen);
    tmux('send-keys', '-t', 'wizard', 'Space');
    await waitFor(showsText('◉ inbound'), 'inbound ticked', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Which agent for inbound?'), 'the agent question', screen);
    expect(screen()).toMatch(/\d+ agents of other providers not listed \(.*\): a retell number takes retell agents only/);
    expect(screen()).not.toMatch(/ (vapi|bland|twilio|elevenlabs) (assistant|agent|pathway|twiml-app|trunk)/);
    tmux('send-keys', '-t', 'wizard', '-l', 'empty');
    await waitFor(() => screen().includes(`❯ (empty this slot)  unassign ${holder}`), 'the empty choice', screen);
    tmux('send-keys', '-t', 'wizard', 'Enter');
    await waitFor(showsText('Apply?'), 'the confirmation', screen);
    expect(screen()).toContain(`inbound  ${holder} → (none)`);
    expect(screen()).toContain(`unassign inbound of ${lineOne.e164}: ${holder} stops answering it. Apply?`);
    tmux('send-keys', '-t', 'wizard', 'y', 'Enter');
    await waitFor(() => existsSync(out2) && readFileSync(out2, 'utf8').includes('EXIT='), 'the wizard to finish', screen);
    expect(readFileSync(out2, 'utf8')).toBe(`${lineOne.e164}\tretell\tapplied\tinbound: ${holder} -> (none)\nEXIT=0\n`);
    const after = await runCli(['--sandbox', 'numbers', 'show', lineOne.e164, '--provider', 'retell', '--json'], { home: dir.path });
    expect((JSON.parse(after.stdout) as { slots: { inbound: unknown[] } }).slots.inbound).toEqual([]);
  }, 60_000);
});
