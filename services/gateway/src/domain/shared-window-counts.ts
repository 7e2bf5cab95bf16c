/**
 * Fixed-window request counts shared by every gateway instance through a store (Redis), without a round trip per
 * request. Each instance counts a key's requests locally and adds them to the store in one batch every sync
 * interval (`flush`), reading back the total that every instance has added. A request is decided locally on
 * `known` (the last total read) + what this instance has not yet added, as long as that unsent part is below the
 * key's budget; otherwise, and for a key's first request in a window, it waits for the store.
 *
 * So with one instance every decision is exact, and with N instances a caller gets at most about N × budget
 * requests beyond the limit per window (each instance admits at most a budget before it re-reads the total);
 * tested in shared-window-counts.test.ts.
 */
export interface WindowCountStore {
  /** Adds `increments[i]` to `keys[i]`, starting a window of `windowMs` for a key that has none; the new totals. */
  add(keys: string[], increments: number[], windowMs: number): Promise<{ count: number; ttlMs: number }[]>;
}

export interface CountedKey {
  key: string;
  /** Requests this instance may count for the key before it must read the shared total again. */
  budget: number;
}

interface Entry {
  /** The total the store last answered. */
  known: number;
  /** Counted here, not yet sent to the store. */
  pending: number;
  /** Sent to the store, answer not yet back. */
  inFlight: number;
  windowEndsAt: number;
}

export interface WindowCountsOptions {
  windowMs: number;
  /** Keys remembered at most; beyond it a request of an unknown key is counted in the store directly. */
  maxKeys: number;
  now?: () => number;
}

export class SharedWindowCounts {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly store: WindowCountStore,
    private readonly options: WindowCountsOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts one request against every key: its count in each key's window (this request included), and how long
   * the first key's window still runs.
   */
  async count(keys: readonly CountedKey[]): Promise<{ counts: number[]; retryAfterMs: number }> {
    const time = this.now();
    const entries = keys.map(({ key }) => this.entries.get(key));
    const local = entries.every(
      (entry, i) => entry && entry.windowEndsAt > time && entry.pending + entry.inFlight < keys[i]!.budget,
    );
    if (local) {
      const counts = entries.map((entry) => {
        entry!.pending++;
        return entry!.known + entry!.inFlight + entry!.pending;
      });
      return { counts, retryAfterMs: entries[0]!.windowEndsAt - time };
    }
    return this.countInStore(keys.map(({ key }) => key));
  }

  /**
   * Sends every key's unsent counts to the store in one call and takes back the totals. Flushes run one after the
   * other: a flush waits for the one before it, so counts that one failed to send (and took back) go with it, and
   * a last flush at shutdown leaves nothing unsent.
   */
  flush(): Promise<void> {
    const next = this.lastFlush.catch(() => undefined).then(() => this.sendPending());
    this.lastFlush = next;
    return next;
  }

  private lastFlush: Promise<void> = Promise.resolve();

  private async sendPending(): Promise<void> {
    const time = this.now();
    const keys: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.windowEndsAt <= time) {
        // the window is over: its unsent requests count for nothing any more
        if (entry.inFlight === 0) this.entries.delete(key);
        else entry.pending = 0;
      } else if (entry.pending > 0) keys.push(key);
    }
    if (keys.length > 0) await this.exchange(keys, () => 0);
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private async countInStore(keys: string[]): Promise<{ counts: number[]; retryAfterMs: number }> {
    const time = this.now();
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && entry.windowEndsAt <= time) Object.assign(entry, { known: 0, pending: 0, windowEndsAt: 0 });
      else if (!entry && this.entries.size < this.options.maxKeys)
        this.entries.set(key, { known: 0, pending: 0, inFlight: 0, windowEndsAt: 0 });
    }
    const answers = await this.exchange(keys, () => 1);
    return { counts: answers.map((answer) => answer.count), retryAfterMs: answers[0]!.ttlMs };
  }

  /**
   * Adds each key's pending counts (+ `extra(key)`) to the store. Answers come back in the order calls were sent
   * (one connection), so the latest answer is always the newest total: it replaces `known`.
   */
  private async exchange(keys: string[], extra: (key: string) => number) {
    const sent = keys.map((key) => {
      const entry = this.entries.get(key);
      const pending = entry?.pending ?? 0;
      if (entry) {
        entry.pending = 0;
        entry.inFlight += pending;
      }
      return { entry, pending };
    });
    const increments = keys.map((key, i) => sent[i]!.pending + extra(key));
    let answers: { count: number; ttlMs: number }[];
    try {
      answers = await this.store.add(keys, increments, this.options.windowMs);
    } catch (error) {
      for (const { entry, pending } of sent) {
        if (!entry) continue;
        entry.inFlight -= pending;
        entry.pending += pending; // sent again with the next flush
      }
      throw error;
    }
    const time = this.now();
    answers.forEach((answer, i) => {
      const { entry, pending } = sent[i]!;
      if (!entry) return;
      entry.inFlight -= pending;
      entry.known = answer.count;
      entry.windowEndsAt = time + answer.ttlMs;
    });
    return answers;
  }
}
