import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

/**
 * A fleet file read into plain data, with a way back from a path in that data to a line and column
 * of the text. YAML goes through the `yaml` package's Document API (comments and key order stay in
 * the document; every node knows its place). A JSON file is read with JSON.parse, which is many
 * times faster for a 10,000-number fleet; only when something in it is wrong is the text parsed
 * again as YAML (JSON is YAML) to find where. The yaml package (tens of milliseconds to load) is
 * imported only then, or for a YAML file.
 */

export type PathSegment = string | number;

export interface Position {
  line: number;
  col: number;
}

/** Where the value at `path` starts; with `key`, where that key of the map at `path` is written. */
export type Locate = (path: readonly PathSegment[], key?: string) => Position | null;

export interface FleetSource {
  file: string;
  data: unknown;
  /** The way from a path to its place in the text: ready at once for YAML, parsed on first call for JSON. */
  locator(): Promise<Locate>;
  /** The line the i-th entry of `numbers` starts on: cheap for JSON too (one scan, no parse). */
  entryLine(index: number): number | null;
}

/** A problem of the file at a place in it. */
export interface FileProblem {
  at: Position | null;
  message: string;
}

export class FleetFileError extends Error {
  constructor(readonly file: string, readonly problems: FileProblem[]) {
    super(problems.map((p) => `${where(file, p.at)}: ${p.message}`).join('\n'));
  }
}

export function where(file: string, at: Position | null): string {
  return at ? `${file}:${at.line}:${at.col}` : file;
}

/** The largest aliases may grow a document: a "billion laughs" file is refused, not expanded. */
const MAX_ALIAS_COUNT = 100;

export async function readFleetSource(file: string, text: string): Promise<FleetSource> {
  if (/^\s*[{[]/.test(text)) {
    try {
      const data: unknown = JSON.parse(text);
      let located: Promise<Locate> | null = null;
      let lines: number[] | null = null;
      return {
        file,
        data,
        entryLine: (index) => (lines ??= jsonEntryLines(text))[index] ?? null,
        locator: () => (located ??= parseYaml(text).then(({ doc, lines, yaml }) => yamlLocator(yaml, doc, lines))),
      };
    } catch {
      // Not JSON after all (YAML flow style, or broken): the YAML parser says where.
    }
  }
  const { doc, lines, yaml } = await parseYaml(text);
  if (doc.errors.length) {
    throw new FleetFileError(
      file,
      doc.errors.map((error) => ({ at: error.linePos?.[0] ?? null, message: `${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new FleetFileError(file, [{ at: null, message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const locate = yamlLocator(yaml, doc, lines);
  return { file, data, locator: () => Promise.resolve(locate), entryLine: (index) => locate(['numbers', index])?.line ?? null };
}

/**
 * The line of each element of the top-level `numbers` array of a JSON text, in one pass over its
 * characters (strings skipped, depth counted): what messages and plans cite, without a YAML parse.
 */
function jsonEntryLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let lastKey = '';
  let keyStart = -1;
  let numbersDepth = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) {
        inString = false;
        if (depth === 1) lastKey = text.slice(keyStart, i);
      }
      continue;
    }
    if (c === 34) {
      inString = true;
      keyStart = i + 1;
    } else if (c === 123 || c === 91) {
      if (depth === numbersDepth) starts.push(line);
      if (c === 91 && depth === 1 && lastKey === 'numbers' && numbersDepth === -1) numbersDepth = depth + 1;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth < numbersDepth) numbersDepth = -2;
    }
  }
  return starts;
}

async function parseYaml(text: string): Promise<{ doc: Document.Parsed; lines: LineCounter; yaml: typeof Yaml }> {
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  // No custom tags, no merge keys: a fleet file is plain maps, lists and scalars.
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: false, version: '1.2' });
  return { doc, lines, yaml };
}

function yamlLocator({ isMap, isSeq }: typeof Yaml, doc: Document.Parsed, lines: LineCounter): Locate {
  const at = (offset: number | undefined): Position | null => (offset === undefined ? null : lines.linePos(offset));
  return (path: readonly PathSegment[], key?: string): Position | null => {
    let node: unknown = doc.contents;
    let last: Position | null = at((node as Node | null)?.range?.[0]);
    const steps = key === undefined ? path : [...path, key];
    for (const [index, segment] of steps.entries()) {
      const wantKey = key !== undefined && index === steps.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === String(segment));
        if (!pair) return last;
        const keyNode = pair.key as Node | null;
        if (wantKey) return at(keyNode?.range?.[0]) ?? last;
        node = pair.value;
        last = at((node as Node | null)?.range?.[0]) ?? at(keyNode?.range?.[0]) ?? last;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        last = at((node as Node | null)?.range?.[0]) ?? last;
      } else {
        return last;
      }
    }
    return last;
  };
}
