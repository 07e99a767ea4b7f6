import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { asksTopLevelHelp, buildProgram, namedCommand, TREE } from '../../src/cli/program.js';
import { instantiate } from '../../src/cli/define-command.js';

const noDispatch = async () => undefined;

/** Every command path of a program, as words: `numbers list`, `assign`… */
function paths(command: CommandUnknownOpts, prefix: string[] = []): string[] {
  return command.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return child.commands.length ? paths(child, path) : [path.join(' ')];
  });
}

describe('the command tree', () => {
  it('files each command under exactly its name and aliases', () => {
    for (const { commands } of TREE) {
      for (const definition of new Set(Object.values(commands))) {
        const built = instantiate(definition, noDispatch);
        const words = Object.entries(commands).filter(([, other]) => other === definition).map(([word]) => word);
        expect(words.sort()).toEqual([built.name(), ...built.aliases()].sort());
      }
    }
  });

  it('finds the command a line names from its words', () => {
    const numbers = TREE.find((entry) => entry.group?.name === 'numbers')!.commands;
    const agents = TREE.find((entry) => entry.group?.name === 'agents')!.commands;
    expect(namedCommand(['numbers', 'list', '--json'])).toEqual({ definition: numbers.list, group: 'numbers' });
    expect(namedCommand(['--profile', 'work', '--sandbox', 'numbers', 'ls'])).toEqual({ definition: numbers.list, group: 'numbers' });
    expect(namedCommand(['--profile=work', '-q', 'agents', 'show', 'sales'])).toEqual({ definition: agents.show, group: 'agents' });
    // A shortcut sits at the top level too.
    expect(namedCommand(['assign', '+14155551234', '--inbound', 'sales'])).toEqual({ definition: numbers.assign });
    expect(namedCommand(['doctor', '--json'])).toEqual({ definition: TREE.find((entry) => entry.commands.doctor)!.commands.doctor });
  });

  it('wants the whole tree for help, groups alone, unknown words and completion', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help', 'numbers'], ['numbers'], ['numbers', '--help'], ['numbers', 'nope'], ['list'], ['show', '+14155551234'], ['--bogus', 'numbers', 'list'], ['completion', 'bash'], ['__complete', 'numbers'], ['--profile']]) {
      expect(namedCommand(argv), argv.join(' ')).toBeNull();
    }
  });

  it('builds only the named command, at its place, and everything otherwise', () => {
    const all = paths(buildProgram(noDispatch));
    expect(all).toContain('numbers list');
    expect(all).toContain('assign');
    expect(paths(buildProgram(noDispatch, ['numbers', 'ls', '--json']))).toEqual(['numbers list']);
    expect(paths(buildProgram(noDispatch, ['assign', '+14155551234']))).toEqual(['assign']);
    expect(paths(buildProgram(noDispatch, ['numbers', 'assign', '+14155551234']))).toEqual(['numbers assign']);
    expect(paths(buildProgram(noDispatch, ['numbers', '--help']))).toEqual(all);
    // Every command of the whole tree is found again on its own.
    for (const path of all) expect(paths(buildProgram(noDispatch, path.split(' '))), path).toEqual(namedCommand(path.split(' ')) ? [path] : all);
  });

  it('answers the top level\'s help without building the commands inside the groups, word for word the same', () => {
    expect([[], ['--help'], ['-h']].every((argv) => asksTopLevelHelp(argv))).toBe(true);
    expect([['numbers', '--help'], ['--sandbox', '--help'], ['help']].some((argv) => asksTopLevelHelp(argv))).toBe(false);
    const full = buildProgram(noDispatch);
    for (const argv of [['--help'], ['-h'], []]) {
      const top = buildProgram(noDispatch, argv);
      expect(top.commands.find((command) => command.name() === 'numbers')?.commands).toEqual([]);
      expect(top.helpInformation()).toBe(full.helpInformation());
    }
  });
});
