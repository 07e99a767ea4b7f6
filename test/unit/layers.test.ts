import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssue } from '../../src/providers/schema-issue.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Every module specifier a folder's files import (static and dynamic), with the file. */
function importsOf(folder: string): { file: string; from: string }[] {
  const files = readdirSync(join(SRC, folder)).filter((name) => name.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(0);
  return files.flatMap((file) => [...readFileSync(join(SRC, folder, file), 'utf8').matchAll(/(?:from\s+|import\(\s*)'([^']+)'/g)].map((match) => ({ file, from: match[1]! })));
}

describe('layers', () => {
  it('the engine (how a change reaches upstream) never imports the command-line layer', () => {
    const imports = importsOf('engine');
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => /(^|\/)cli(\/|\.js$)/.test(i.from))).toEqual([]);
  });

  it('the shared utilities import nothing of the project', () => {
    expect(importsOf('util').filter((i) => i.from.startsWith('.'))).toEqual([]);
  });
});

describe('schema issues', () => {
  it('words the first problem with its place, and counts the others', () => {
    const schema = z.object({ id: z.string(), slots: z.array(z.object({ agent_id: z.string() })) });
    const one = schema.safeParse({ id: 'x', slots: [{ agent_id: 7 }] });
    expect(describeIssue(one.error!)).toMatch(/^slots\.0\.agent_id: .+/);
    const three = schema.safeParse({ slots: [{}, {}] });
    expect(describeIssue(three.error!)).toMatch(/^id: .+ \(and 2 more\)$/);
    expect(describeIssue(z.string().safeParse(1).error!)).toMatch(/^record: /);
  });
});
