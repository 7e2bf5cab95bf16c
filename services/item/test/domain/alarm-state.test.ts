import { alarmStateFor, type AlarmSources } from '../../src/domain/alarm-state';

const caller = { id: 7, token: 't' };

function sources(options: {
  complete: boolean;
  live?: boolean;
  replica?: number[];
  owner?: number[] | Error;
  ownerStale?: boolean;
}) {
  const asked: number[] = [];
  const value: AlarmSources = {
    replicaComplete: () => options.complete,
    replicaLive: () => options.live ?? true,
    fromReplica: async () => new Set(options.replica ?? []),
    fromOwner: async (c) => {
      asked.push(c.id);
      if (options.owner instanceof Error) throw options.owner;
      return { itemIds: new Set(options.owner ?? []), stale: options.ownerStale ?? false };
    },
  };
  return { value, asked };
}

describe("the caller's alarm state for is_alarm_set", () => {
  it('when the replica is complete, then it answers alone, even with the alarm service down', async () => {
    const { value, asked } = sources({ complete: true, replica: [1, 2], owner: new Error('down') });
    expect(await alarmStateFor(value, caller)).toEqual({ itemIds: new Set([1, 2]), stale: false });
    expect(asked).toEqual([]);
  });

  it('when the replica is complete but its events are not flowing (Kafka down), then the answer is marked stale', async () => {
    const { value } = sources({ complete: true, live: false, replica: [1] });
    expect(await alarmStateFor(value, caller)).toEqual({ itemIds: new Set([1]), stale: true });
  });

  it('when the replica is cold, then the alarm service decides (its cached answer stays marked stale)', async () => {
    expect(await alarmStateFor(sources({ complete: false, replica: [], owner: [3] }).value, caller)).toEqual({
      itemIds: new Set([3]),
      stale: false,
    });
    expect(await alarmStateFor(sources({ complete: false, owner: [3], ownerStale: true }).value, caller)).toEqual({
      itemIds: new Set([3]),
      stale: true,
    });
  });

  it('when the replica is cold and the alarm service cannot answer, then what the replica has, stale', async () => {
    const { value } = sources({ complete: false, replica: [4], owner: new Error('down') });
    expect(await alarmStateFor(value, caller)).toEqual({ itemIds: new Set([4]), stale: true });
  });
});
