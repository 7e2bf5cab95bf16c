import { recentFromViews, recentlyViewed, type KnownItem, type VisitSources } from '../../src/domain/visits';

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

function sources(
  overrides: {
    views?: number[];
    replicaItems?: KnownItem[];
    ownerItems?: KnownItem[] | Error;
    alarms?: number[];
    alarmsComplete?: boolean;
    ownerAlarms?: number[] | Error;
    live?: boolean;
  } = {},
): VisitSources {
  const live = () => overrides.live ?? true;
  return {
    views: { complete: () => true, live, recentItemIds: async () => recentFromViews(overrides.views ?? []) },
    items: {
      complete: () => true,
      live,
      fromReplica: async (ids) => (overrides.replicaItems ?? []).filter((i) => ids.includes(i.id)),
      fromOwner: async (ids) => {
        if (overrides.ownerItems instanceof Error) throw overrides.ownerItems;
        return { items: (overrides.ownerItems ?? []).filter((i) => ids.includes(i.id)), stale: false };
      },
    },
    alarms: {
      complete: () => overrides.alarmsComplete ?? true,
      live,
      fromReplica: async () => new Set(overrides.alarms ?? []),
      fromOwner: async () => {
        if (overrides.ownerAlarms instanceof Error) throw overrides.ownerAlarms;
        return { itemIds: new Set(overrides.ownerAlarms ?? []), stale: false };
      },
    },
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
      sources({ views: [1, 2, 3], replicaItems: [item(1), item(2), item(3)], alarms: [2] }),
      caller,
    );
    expect(result.stale).toBe(false);
    expect(result.payload.map((i) => [i.id, i.is_alarm_set])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
  });

  it('when the items replica lacks an item, then the item service is asked; when it cannot answer, the item is left out and the answer is stale', async () => {
    const asked = await recentlyViewed(
      sources({ views: [1, 2], replicaItems: [item(1)], ownerItems: [item(2)] }),
      caller,
    );
    expect(asked).toMatchObject({ stale: false, payload: [{ id: 2 }, { id: 1 }] });
    const failed = await recentlyViewed(
      sources({ views: [1, 2], replicaItems: [item(1)], ownerItems: new Error('down') }),
      caller,
    );
    expect(failed).toMatchObject({ stale: true, payload: [{ id: 1 }] });
  });

  it('when the alarms replica is cold, then the alarm service decides; when it is down too, the replica answers, stale', async () => {
    const base = { views: [1], replicaItems: [item(1)], alarms: [], alarmsComplete: false };
    expect((await recentlyViewed(sources({ ...base, ownerAlarms: [1] }), caller)).payload[0]!.is_alarm_set).toBe(true);
    const failed = await recentlyViewed(sources({ ...base, ownerAlarms: new Error('down') }), caller);
    expect(failed.stale).toBe(true);
    expect(failed.payload[0]!.is_alarm_set).toBe(false);
  });

  it('when a viewed item was deleted, then it is left out; when events are not flowing, then stale', async () => {
    const result = await recentlyViewed(
      sources({ views: [1, 2], replicaItems: [item(1), item(2, { deleted: true })], live: false }),
      caller,
    );
    expect(result).toMatchObject({ stale: true, payload: [{ id: 1 }] });
  });
});
