import type Redis from 'ioredis';
import { ResilientClient } from '@boxoffice/resilience';
import type { Caller, KnownItem } from '../domain/visits';

type Logger = { warn(obj: object, msg?: string): void };

/** The item service's items by id (deleted ones included); `stale` when the answer came from the cache. */
export function itemServiceClient(options: {
  baseUrl: string;
  redis: Redis;
  timeoutMs: number;
  logger: Logger;
  /** The item service's /internal routes answer peers holding it only. */
  internalToken: string;
}) {
  const client = new ResilientClient({
    peer: 'item',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: options.timeoutMs,
    cacheTtlSeconds: 600,
    logger: options.logger,
  });
  return {
    async items(ids: number[]): Promise<{ items: KnownItem[]; stale: boolean }> {
      const list = [...new Set(ids)].sort((a, b) => a - b).join(',');
      const answer = await client.get<{ payload: KnownItem[] }>(`/internal/items?ids=${list}`, {
        headers: { 'x-internal-token': options.internalToken },
        cacheKey: `items:${list}`,
      });
      if (answer.status !== 200) throw new Error(`item service answered ${answer.status}`);
      return { items: answer.body.payload, stale: answer.stale };
    },
    shutdown: () => client.shutdown(),
  };
}

/** The alarm service's alarmed item ids for the caller; `stale` when the answer came from the cache. */
export function alarmServiceClient(options: { baseUrl: string; redis: Redis; timeoutMs: number; logger: Logger }) {
  const client = new ResilientClient({
    peer: 'alarm',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: options.timeoutMs,
    cacheTtlSeconds: 600,
    logger: options.logger,
  });
  return {
    async alarmedItemIds(caller: Caller): Promise<{ itemIds: Set<number>; stale: boolean }> {
      const answer = await client.get<{ payload: number[] }>('/ids', {
        headers: { 'user-token': caller.token },
        cacheKey: `alarmed-item-ids:${caller.id}`,
      });
      if (answer.status !== 200) throw new Error(`alarm service answered ${answer.status}`);
      return { itemIds: new Set(answer.body.payload), stale: answer.stale };
    },
    shutdown: () => client.shutdown(),
  };
}
