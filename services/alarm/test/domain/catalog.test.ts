import { lookUpItems, type ItemSources, type KnownItem } from '../../src/domain/catalog';

const item = (id: number): KnownItem => ({
  id,
  name: `i${id}`,
  broadcaster: 'b',
  category: 'c',
  price: 1,
  stock: 1,
  deleted: false,
  revision: 1,
});
const caller = { id: 1, token: 't' };

function sources(
  replica: KnownItem[],
  owner: KnownItem[] | Error,
  options: { live?: boolean; ownerStale?: boolean } = {},
) {
  const asked: number[][] = [];
  const value: ItemSources = {
    replicaComplete: () => true,
    replicaLive: () => options.live ?? true,
    fromReplica: async (ids) => replica.filter((i) => ids.includes(i.id)),
    fromOwner: async (ids) => {
      asked.push(ids);
      if (owner instanceof Error) throw owner;
      return { items: owner.filter((i) => ids.includes(i.id)), stale: options.ownerStale ?? false };
    },
  };
  return { value, asked };
}

describe('looking items up for alarms', () => {
  it('when the replica has every item, then the item service is not asked', async () => {
    const { value, asked } = sources([item(1), item(2)], new Error('down'));
    const lookup = await lookUpItems(value, [1, 2], caller);
    expect([...lookup.items.keys()].sort()).toEqual([1, 2]);
    expect(lookup).toMatchObject({ missing: [], unresolved: [], stale: false });
    expect(asked).toEqual([]);
  });

  it('when the replica lacks some, then only those are asked for; what the owner lacks is missing', async () => {
    const { value, asked } = sources([item(1)], [item(2)]);
    const lookup = await lookUpItems(value, [1, 2, 3], caller);
    expect(asked).toEqual([[2, 3]]);
    expect([...lookup.items.keys()].sort()).toEqual([1, 2]);
    expect(lookup).toMatchObject({ missing: [3], unresolved: [], stale: false });
  });

  it('when the item service cannot answer, then the unanswered ids are listed and the answer is stale', async () => {
    const { value } = sources([item(1)], new Error('down'));
    expect(await lookUpItems(value, [1, 2], caller)).toMatchObject({ missing: [], unresolved: [2], stale: true });
  });

  it('when the items events are not flowing, then even a full replica answer is stale', async () => {
    const { value } = sources([item(1)], [], { live: false });
    expect((await lookUpItems(value, [1], caller)).stale).toBe(true);
  });
});
