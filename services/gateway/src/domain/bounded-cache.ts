/**
 * A map that keeps at most `capacity` entries, dropping the least recently used one first: for answers that are
 * pure functions of their key (a route decision, a hashed credential), so a repeat costs a lookup.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new Error('a bounded cache needs room for at least one entry');
  }

  /** The cached value for `key`, or `compute(key)` remembered for the next time. */
  get(key: string, compute: (key: string) => V): V {
    const entries = this.entries;
    if (entries.has(key)) {
      const value = entries.get(key)!;
      // re-inserted so it becomes the most recently used (a Map iterates in insertion order)
      entries.delete(key);
      entries.set(key, value);
      return value;
    }
    const value = compute(key);
    entries.set(key, value);
    if (entries.size > this.capacity) entries.delete(entries.keys().next().value!);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
