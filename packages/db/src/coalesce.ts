/**
 * One query for the lookups of many concurrent requests: keys asked for while the event loop handles one round of
 * I/O are fetched together (`fetchMany`, e.g. `WHERE key = ANY($1)`) when that round ends. Under load this turns a
 * round trip per request into one per round; alone, a lookup waits for nothing but the end of its round. A failed
 * fetch fails every lookup of its round.
 */
export function coalesced<K, V>(fetchMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let round: Map<K, { resolve(value: V | undefined): void; reject(error: unknown): void }[]> | undefined;

  async function flush(waiting: NonNullable<typeof round>): Promise<void> {
    try {
      const found = await fetchMany([...waiting.keys()]);
      for (const [key, callers] of waiting) for (const caller of callers) caller.resolve(found.get(key));
    } catch (error) {
      for (const callers of waiting.values()) for (const caller of callers) caller.reject(error);
    }
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!round) {
        const waiting = (round = new Map());
        setImmediate(() => {
          round = undefined;
          void flush(waiting);
        });
      }
      const callers = round.get(key);
      if (callers) callers.push({ resolve, reject });
      else round.set(key, [{ resolve, reject }]);
    });
}
