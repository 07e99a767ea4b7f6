import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/domain/model.js';
import { CAPABILITIES, capabilitiesOf } from '../../src/providers/registry.js';

/**
 * Everything outside src/providers (and the sandbox, a fake of named providers) learns what a
 * provider can do from its descriptor, never by comparing its name: adding a provider is then one
 * folder and one registry line, not a hunt through the rules, queries and views. This test reads the
 * source of those layers and names every place that spells a provider out.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const GUARDED = ['src/domain', 'src/engine', 'src/store', 'src/cli', 'src/output', 'src/config', 'src/cli.ts'];

/**
 * The only places allowed to name providers, each with why.
 * - src/domain/model.ts, PROVIDERS: the names are the domain's vocabulary (a closed union that
 *   records, credentials and options are typed by); no behaviour hangs on them there, and the
 *   registry is typed by this list, so a name without a descriptor does not compile.
 * - src/store/migrations/: frozen history. A migration is plain SQL written once (it may not import
 *   the registry, test/store/migrations.test.ts checks), so the SQL of its day stays as it was.
 */
const FROZEN = 'src/store/migrations/';
const ALLOWED: { file: string; line: RegExp }[] = [{ file: 'src/domain/model.ts', line: /^export const PROVIDERS = \[/ }];

export interface Hit {
  file: string;
  line: number;
  text: string;
}

/**
 * Provider names in one source text: string literals that are one, quote one (SQL) or import from a
 * provider's folder, and identifiers that contain one. Comments and prose ("a Twilio setting") pass.
 */
export function providerMentions(file: string, source: string, names: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  const lower = names.map((n) => n.toLowerCase());
  const quoted = new RegExp(`['"\`](${lower.join('|')})['"\`]`, 'i');
  const modulePath = new RegExp(`providers/(${lower.join('|')})(/|\\.|$)`, 'i');
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = source.split('\n');
  const report = (node: ts.Node) => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
    hits.push({ file, line: line + 1, text: lines[line]!.trim() });
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const text = node.text;
      if (lower.includes(text.toLowerCase()) || quoted.test(text) || modulePath.test(text)) report(node);
    } else if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const name = node.text.toLowerCase();
      if (lower.some((n) => name.includes(n))) report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return hits;
}

function sourceFiles(root: string, path: string): string[] {
  const full = join(root, path);
  if (path.endsWith('.ts')) return [full];
  return readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every provider mention in the guarded layers of a source tree (the repository's, or another checkout's). */
export function scanLayers(root = ROOT): Hit[] {
  const hits: Hit[] = [];
  for (const path of GUARDED) {
    for (const file of sourceFiles(root, path)) {
      const name = relative(root, file);
      if (name.startsWith(FROZEN)) continue;
      const source = readFileSync(file, 'utf8');
      const lines = source.split('\n');
      hits.push(...providerMentions(name, source, PROVIDERS).filter((hit) => !ALLOWED.some((a) => a.file === name && a.line.test(lines[hit.line - 1]!.trim()))));
    }
  }
  return hits;
}

describe('architecture: providers are named only in src/providers', () => {
  it('finds what it is meant to find (the scanner is not blind)', () => {
    const sample = [
      "if (row.provider === 'twilio') return;",
      'const sql = "SELECT id FROM numbers WHERE provider = \'vapi\'";',
      "import type { TwilioAdapter } from '../providers/twilio/index.js';",
      'const retellLimit = 1;',
      'const text = `${x ? "bland" : ""}`;',
      '// a comment may say retell, and prose may say "a Twilio setting"',
      "const prose = 'the region is a Twilio setting';",
    ].join('\n');
    const hits = providerMentions('sample.ts', sample, PROVIDERS);
    expect(hits.map((h) => h.line)).toEqual([1, 2, 3, 3, 4, 5]);
  });

  it('no provider name appears in domain, engine, store, cli, config or output', () => {
    // A layer with no source files to scan would pass on nothing: each must hold some.
    for (const path of GUARDED) expect(sourceFiles(ROOT, path).length, path).toBeGreaterThan(0);
    const hits = scanLayers();
    expect(hits.map((h) => `${h.file}:${h.line}: ${h.text}`)).toEqual([]);
  });
});

describe('the registry', () => {
  it('has one descriptor per provider, under its own name', () => {
    expect(CAPABILITIES.all.map((c) => c.name)).toEqual([...PROVIDERS]);
    for (const provider of PROVIDERS) expect(capabilitiesOf(provider).name).toBe(provider);
  });

  it('marks exactly one carrier and one region provider today (the store joins carrier records by it)', () => {
    expect(CAPABILITIES.all.filter((c) => c.carrier !== null)).toHaveLength(1);
    expect(CAPABILITIES.all.filter((c) => c.regions !== null)).toHaveLength(1);
  });

  it('gives every missing slot a reason and every offered slot at least one agent kind', () => {
    for (const capabilities of CAPABILITIES.all) {
      for (const support of Object.values(capabilities.slots)) {
        if (support.offered) expect(support.kinds.length, capabilities.name).toBeGreaterThan(0);
        else expect(support.reason.length, capabilities.name).toBeGreaterThan(0);
      }
    }
  });
});
