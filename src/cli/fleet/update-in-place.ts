import { isMap, isNode, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { FleetEntryOut, FleetFileOut } from './emit.js';

/**
 * `export -o FILE` onto a fleet file that is already there: the file is updated through the yaml
 * package's Document API rather than written anew, so what a person added to it (comments, blank
 * lines, the order of keys) stays. The rule:
 *
 * - an entry is the same number when its `provider` and `number` are; each of its keys export
 *   writes gets the exported value, and only where the value differs is the node replaced (a
 *   scalar keeps its node, so its comment and quoting stay); a key export does not write is removed;
 *   a key export writes that the entry lacks is added at its end;
 * - an entry whose number export no longer has is removed (its comments with it);
 * - a number the file lacks is added as a new entry, before the first entry that sorts after it
 *   (provider, then number), so the file keeps export's order;
 * - `version` and `providers` get the exported values.
 *
 * Returns null when the text is not a fleet file to update (YAML errors, no `numbers` list): the
 * caller then writes the export in full.
 */
export function updateFleetYaml(text: string, file: FleetFileOut): string | null {
  const doc = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false, merge: false, version: '1.2' });
  if (doc.errors.length || !isMap(doc.contents)) return null;
  const root = doc.contents as YAMLMap;
  const numbers = root.get('numbers', true);
  if (!isSeq(numbers)) return null;
  setValue(doc, root, 'version', file.version);
  if (file.providers) setValue(doc, root, 'providers', file.providers);
  else if (root.has('providers')) root.delete('providers');

  const wanted = new Map(file.numbers.map((entry) => [keyOf(entry.provider, entry.number), entry]));
  const seq = numbers as YAMLSeq;
  const seen = new Set<string>();
  // Entries that are gone (or not fleet entries, or a second entry of one number) go; the others are brought up to date.
  seq.items = seq.items.filter((item) => {
    if (!isMap(item)) return false;
    const key = keyOf(scalarText(item.get('provider')), scalarText(item.get('number')));
    const entry = wanted.get(key);
    if (!entry || seen.has(key)) return false;
    seen.add(key);
    updateEntry(doc, item, entry);
    return true;
  });
  // Numbers the file lacks, each placed before the first entry that sorts after it.
  let at = 0;
  for (const entry of file.numbers) {
    const key = keyOf(entry.provider, entry.number);
    if (seen.has(key)) {
      // Export's order: the entries kept are in it already, as long as the person did not reorder them.
      const index = seq.items.findIndex((item, i) => i >= at && isMap(item) && keyOf(scalarText(item.get('provider')), scalarText(item.get('number'))) === key);
      if (index >= 0) at = index + 1;
      continue;
    }
    seq.items.splice(at, 0, entryNode(doc, entry));
    at++;
  }
  seq.flow = false;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function keyOf(provider: unknown, number: unknown): string {
  return `${String(provider)} ${String(number)}`;
}

function scalarText(value: unknown): string {
  return isScalar(value) ? String(value.value) : String(value);
}

function updateEntry(doc: Document, node: YAMLMap, entry: FleetEntryOut): void {
  const keys = new Set(Object.keys(entry));
  node.items = node.items.filter((pair) => keys.has(scalarText(pair.key)));
  for (const [key, value] of Object.entries(entry)) setValue(doc, node, key, value);
}

/** Set a key of a map to a value, touching the node only when the value differs. */
function setValue(doc: Document, map: YAMLMap, key: string, value: unknown): void {
  const current: unknown = map.get(key, true);
  if (current !== undefined && sameValue(toJs(doc, current), value)) return;
  if (isScalar(current) && (value === null || typeof value !== 'object')) {
    current.value = value;
    // A scalar whose quoting no longer suits the new text is left to the writer to choose.
    if (typeof value !== 'string') current.type = undefined;
    return;
  }
  map.set(key, valueNode(doc, value));
}

function toJs(doc: Document, node: unknown): unknown {
  return isNode(node) ? node.toJS(doc) : node;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value as export writes it: a slot (a list of agents) in flow style, on one line. */
function valueNode(doc: Document, value: unknown) {
  const node = doc.createNode(value);
  if (Array.isArray(value)) {
    const seq = node as YAMLSeq;
    seq.flow = true;
    for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  return node;
}

function entryNode(doc: Document, entry: FleetEntryOut) {
  const node = doc.createNode({}) as YAMLMap;
  for (const [key, value] of Object.entries(entry)) node.set(key, valueNode(doc, value));
  return node;
}
