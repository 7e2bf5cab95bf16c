import type Redis from 'ioredis';
import { ResilientClient } from '@boxoffice/resilience';
import type { KnownItem } from '../domain/catalog';

export interface ItemServiceClient {
  /** The items the item service holds among `ids` (deleted ones included); `stale` when from the cache. */
  items(ids: number[]): Promise<{ items: KnownItem[]; stale: boolean }>;
  shutdown(): void;
}

export function itemServiceClient(options: {
  baseUrl: string;
  redis: Redis;
  timeoutMs: number;
  /** The item service's /internal routes answer peers holding it only. */
  internalToken: string;
  logger: { warn(obj: object, msg?: string): void };
}): ItemServiceClient {
  const client = new ResilientClient({
    peer: 'item',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: options.timeoutMs,
    cacheTtlSeconds: 600,
    logger: options.logger,
  });
  return {
    async items(ids) {
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
