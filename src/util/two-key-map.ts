/**
 * A map by two texts (a provider and a number, say), kept as a map of maps. A lookup joins no key:
 * each of the strings is hashed once and the hash stays with it, where a joined key is a new string
 * to build and hash on every lookup, which over a 10,000-number fleet adds up.
 */
export class TwoKeyMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  get(first: string, second: string): V | undefined {
    return this.outer.get(first)?.get(second);
  }

  has(first: string, second: string): boolean {
    return this.outer.get(first)?.has(second) ?? false;
  }

  set(first: string, second: string, value: V): this {
    let inner = this.outer.get(first);
    if (!inner) this.outer.set(first, (inner = new Map()));
    inner.set(second, value);
    return this;
  }
}
