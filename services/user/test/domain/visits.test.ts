import type { ItemChangedPayload } from '@boxoffice/contracts';
import type { Lookup } from '@boxoffice/replica';
import { recentFromViews, recentlyViewed, type VisitSources } from '../../src/domain/visits';

type KnownItem = ItemChangedPayload & { revision: number };

const item = (id: number, extra: Partial<KnownItem> = {}): KnownItem => ({
  id,
  name: `item ${id}`,
  broadcaster: 'cjmall',
  category: 'c',
  price: 100 * id,
  stock: 1,
  deleted: false,
  revision: 1,
  ...extra,
});

/** The replica rules themselves (owner asked when the replica cannot answer) are @boxoffice/replica's suite. */
function sources(
  options: {
    views?: number[];
    items?: KnownItem[];
    itemsLookup?: Partial<Lookup<ItemChangedPayload, number>>;
    alarms?: number[];
    alarmsStale?: boolean;
    live?: boolean;
  } = {},
): VisitSources {
  return {
    views: { live: () => options.live ?? true, recentItemIds: async () => recentFromViews(options.views ?? []) },
    items: {
      lookUp: async (ids) => ({
        found: new Map((options.items ?? []).filter((i) => ids.includes(i.id)).map((i) => [i.id, i])),
        missing: [],
        unresolved: [],
        stale: false,
        ...options.itemsLookup,
      }),
    },
    alarms: { ask: async () => ({ value: new Set(options.alarms ?? []), stale: options.alarmsStale ?? false }) },
  };
}

const caller = { id: 1, token: 't' };

describe('recently viewed items (SPEC §1 /visit)', () => {
  it('when views are A,B,C,D,E,E, then E,D,C', () => {
    expect(recentFromViews([1, 2, 3, 4, 5, 5])).toEqual([5, 4, 3]);
  });

  it('when views are A,B,A, then A,B,A', () => {
    expect(recentFromViews([1, 2, 1])).toEqual([1, 2, 1]);
  });

  it('when there are fewer than three distinct runs, then only those; none, then none', () => {
    expect(recentFromViews([7, 7, 7])).toEqual([7]);
    expect(recentFromViews([])).toEqual([]);
  });

  it('when the replicas know everything, then the items come with the caller’s alarms and nothing is stale', async () => {
    const result = await recentlyViewed(
      sources({ views: [1, 2, 3], items: [item(1), item(2), item(3)], alarms: [2] }),
      caller,
    );
    expect(result.stale).toBe(false);
    expect(result.payload.map((i) => [i.id, i.is_alarm_set])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
  });

  it('when an item cannot be described by the replica nor the item service, then it is left out and the answer is stale', async () => {
    const failed = await recentlyViewed(
      sources({ views: [1, 2], items: [item(1)], itemsLookup: { unresolved: [2], stale: true } }),
      caller,
    );
    expect(failed).toMatchObject({ stale: true, payload: [{ id: 1 }] });
  });

  it('when the alarm state may be behind the alarm service, then so is the answer', async () => {
    const result = await recentlyViewed(
      sources({ views: [1], items: [item(1)], alarms: [1], alarmsStale: true }),
      caller,
    );
    expect(result).toMatchObject({ stale: true, payload: [{ id: 1, is_alarm_set: true }] });
  });

  it('when a viewed item was deleted, then it is left out; when views are not flowing, then stale', async () => {
    const result = await recentlyViewed(
      sources({ views: [1, 2], items: [item(1), item(2, { deleted: true })], live: false }),
      caller,
    );
    expect(result).toMatchObject({ stale: true, payload: [{ id: 1 }] });
  });
});
