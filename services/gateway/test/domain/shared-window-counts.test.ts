import fc from 'fast-check';
import { SharedWindowCounts, type WindowCountStore } from '../../src/domain/shared-window-counts';

/**
 * Redis's side of the exchange (INCRBY, a window started on a key's first count, PTTL), in memory and on a clock
 * the test moves: this is a unit test of the counting rule; the plugin's tests run it against the real Redis.
 */
class MemoryStore implements WindowCountStore {
  readonly keys = new Map<string, { count: number; endsAt: number }>();
  failing = false;
  calls = 0;

  constructor(private readonly clock: { now: number }) {}

  async add(keys: string[], increments: number[], windowMs: number) {
    this.calls++;
    if (this.failing) throw new Error('store unreachable');
    return keys.map((key, i) => {
      let entry = this.keys.get(key);
      if (!entry || entry.endsAt <= this.clock.now) {
        entry = { count: 0, endsAt: this.clock.now + windowMs };
        this.keys.set(key, entry);
      }
      entry.count += increments[i]!;
      return { count: entry.count, ttlMs: entry.endsAt - this.clock.now };
    });
  }
}

const WINDOW_MS = 10_000;

function setUp(instances: number, maxKeys = 1_000) {
  const clock = { now: 1_000_000 };
  const store = new MemoryStore(clock);
  const counts = Array.from(
    { length: instances },
    () => new SharedWindowCounts(store, { windowMs: WINDOW_MS, maxKeys, now: () => clock.now }),
  );
  return { clock, store, counts };
}

type Op =
  | { kind: 'request'; on: number; burst: number; whileFlushing: boolean }
  | { kind: 'flush'; on: number }
  | { kind: 'wait'; ms: number };
const ops = (instances: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('request' as const),
          on: fc.nat(instances - 1),
          burst: fc.integer({ min: 1, max: 8 }),
          whileFlushing: fc.boolean(),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('flush' as const), on: fc.nat(instances - 1) }) },
      // stays inside one window: the bound is per window
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 50 }) }) },
    ),
    { maxLength: 200 },
  );

/** Runs the operations; the number of requests made and the number admitted under `max`. */
async function run(counts: SharedWindowCounts[], clock: { now: number }, steps: Op[], max: number, budget: number) {
  let made = 0;
  let admitted = 0;
  for (const step of steps) {
    if (step.kind === 'wait') clock.now += step.ms;
    else if (step.kind === 'flush') await counts[step.on]!.flush();
    else {
      // a burst: requests of one instance decided at once, before any store answer is back (its flush's either)
      const flushing = step.whileFlushing ? counts[step.on]!.flush() : undefined;
      const answers = await Promise.all(
        Array.from({ length: step.burst }, () => counts[step.on]!.count([{ key: 'caller', budget }])),
      );
      await flushing;
      made += step.burst;
      admitted += answers.filter((answer) => answer.counts[0]! <= max).length;
    }
  }
  return { made, admitted };
}

describe('shared window counts', () => {
  it('when there is one instance, then every decision is what one exact counter in the store would decide', async () => {
    await fc.assert(
      fc.asyncProperty(
        ops(1),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, max, budget) => {
          const { clock, counts } = setUp(1);
          const { made, admitted } = await run(counts, clock, steps, max, budget);
          expect(admitted).toBe(Math.min(made, max));
        },
      ),
    );
  });

  it('when several instances share a caller, then it gets at least its limit and at most instances × budget beyond it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }).chain((instances) => fc.tuple(fc.constant(instances), ops(instances))),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        async ([instances, steps], max, budget) => {
          const { clock, counts } = setUp(instances);
          const { made, admitted } = await run(counts, clock, steps, max, budget);
          expect(admitted).toBeGreaterThanOrEqual(Math.min(made, max));
          expect(admitted).toBeLessThanOrEqual(max + instances * budget);
        },
      ),
    );
  });

  it('when requests arrive while a flush is on its way to the store, then their counts include what it carries', async () => {
    const { counts } = setUp(1);
    const [counter] = counts as [SharedWindowCounts];
    const key = [{ key: 'a', budget: 4 }];
    for (let i = 1; i <= 3; i++) expect((await counter.count(key)).counts).toEqual([i]);
    const flushing = counter.flush(); // carries 2 requests; its answer is not back yet
    const burst = await Promise.all([counter.count(key), counter.count(key), counter.count(key)]);
    await flushing;
    expect(burst.map((answer) => answer.counts[0])).toEqual([4, 5, 6]);
  });

  it('when a caller is within its budget, then requests are decided without the store and sent in one flush', async () => {
    const { store, counts } = setUp(1);
    const [counter] = counts as [SharedWindowCounts];
    const first = await counter.count([
      { key: 'a', budget: 100 },
      { key: 'ip', budget: 100 },
    ]);
    expect(first.counts).toEqual([1, 1]);
    expect(first.retryAfterMs).toBe(WINDOW_MS);
    for (let i = 2; i <= 20; i++)
      expect(
        (
          await counter.count([
            { key: 'a', budget: 100 },
            { key: 'ip', budget: 100 },
          ])
        ).counts,
      ).toEqual([i, i]);
    expect(store.calls).toBe(1);
    await counter.flush();
    expect(store.calls).toBe(2);
    expect(store.keys.get('a')!.count).toBe(20);
    expect(store.keys.get('ip')!.count).toBe(20);
  });

  it('when another instance counted more, then the next reading of the total includes it', async () => {
    const { store, counts } = setUp(2);
    const [one, two] = counts as [SharedWindowCounts, SharedWindowCounts];
    await one.count([{ key: 'a', budget: 100 }]);
    await two.count([{ key: 'a', budget: 100 }]);
    for (let i = 0; i < 10; i++) await two.count([{ key: 'a', budget: 100 }]);
    await two.flush();
    expect(store.keys.get('a')!.count).toBe(12);
    expect((await one.count([{ key: 'a', budget: 100 }])).counts).toEqual([2]); // still its own old reading
    await one.flush();
    expect((await one.count([{ key: 'a', budget: 100 }])).counts).toEqual([14]);
  });

  it('when a window ends, then the next request waits for the store, counts from one, and unsent counts are dropped', async () => {
    const { clock, store, counts } = setUp(1);
    const [counter] = counts as [SharedWindowCounts];
    await counter.count([{ key: 'a', budget: 100 }]);
    await counter.count([{ key: 'a', budget: 100 }]);
    clock.now += WINDOW_MS;
    const calls = store.calls;
    expect((await counter.count([{ key: 'a', budget: 100 }])).counts).toEqual([1]);
    expect(store.calls).toBe(calls + 1);
    clock.now += WINDOW_MS;
    await counter.flush();
    expect(counter.size).toBe(0);
  });

  it('when the store fails, then the request is not decided, and counts not yet sent go with the next flush', async () => {
    const { store, counts } = setUp(1);
    const [counter] = counts as [SharedWindowCounts];
    await counter.count([{ key: 'a', budget: 100 }]);
    await counter.count([{ key: 'a', budget: 100 }]);
    store.failing = true;
    await expect(counter.flush()).rejects.toThrow('store unreachable');
    await expect(counter.count([{ key: 'b', budget: 100 }])).rejects.toThrow('store unreachable');
    store.failing = false;
    await counter.flush();
    expect(store.keys.get('a')!.count).toBe(2);
  });

  it('when a flush is asked for while one is on its way and that one fails, then the second sends its counts too', async () => {
    const { store, counts } = setUp(1);
    const [counter] = counts as [SharedWindowCounts];
    await counter.count([{ key: 'a', budget: 100 }]);
    for (let i = 0; i < 4; i++) await counter.count([{ key: 'a', budget: 100 }]);
    // the first call to the store hangs until it is failed by hand; the next ones are answered as usual
    let fail: (error: Error) => void = () => undefined;
    let reached: () => void = () => undefined;
    const storeReached = new Promise<void>((resolve) => (reached = resolve));
    const add = store.add.bind(store);
    store.add = () => {
      store.add = add;
      reached();
      return new Promise((_resolve, reject) => (fail = reject));
    };
    const first = counter.flush(); // takes the 4 unsent counts with it
    await storeReached;
    await counter.count([{ key: 'a', budget: 100 }]);
    const last = counter.flush(); // e.g. at shutdown
    fail(new Error('store unreachable')); // the first flush fails: its 4 counts come back
    await expect(first).rejects.toThrow('store unreachable');
    await last;
    expect(store.keys.get('a')!.count).toBe(6);
  });

  it('when it remembers as many keys as it may, then a new key is counted in the store every time', async () => {
    const { store, counts } = setUp(1, 1);
    const [counter] = counts as [SharedWindowCounts];
    await counter.count([{ key: 'a', budget: 100 }]);
    for (let i = 1; i <= 3; i++) expect((await counter.count([{ key: 'b', budget: 100 }])).counts).toEqual([i]);
    expect(store.calls).toBe(4);
    expect(counter.size).toBe(1);
  });
});
