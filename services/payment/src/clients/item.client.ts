import type Redis from 'ioredis';
import { ResilientClient, type ResilientClientOptions } from '@boxoffice/resilience';
import type { CatalogItem } from '../domain/order';

interface ReplicaItemList {
  count: number;
  payload: { id: number; price: number; deleted: boolean }[];
}

/**
 * The item service, for items the local replica does not know yet (cold start, event in flight): its
 * GET /internal/items?ids= (no side effects, unlike GET /{id}, which records a view) behind a breaker with a
 * Redis-cached fallback. Asked with the peers' internal token, which every /internal route requires.
 */
export function itemClient(options: {
  baseUrl: string;
  redis: Redis;
  internalToken: string;
  logger: { warn(obj: object, msg?: string): void };
  metrics?: ResilientClientOptions['metrics'];
}) {
  const client = new ResilientClient({
    peer: 'item',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: 1_000,
    cacheTtlSeconds: 60,
    logger: options.logger,
    metrics: options.metrics,
  });
  return {
    async fetchItems(ids: number[]): Promise<CatalogItem[]> {
      const sorted = [...ids].sort((a, b) => a - b).join(',');
      const answer = await client.get<ReplicaItemList>(`/internal/items?ids=${sorted}`, {
        headers: { 'x-internal-token': options.internalToken },
        cacheKey: `items:${sorted}`,
      });
      if (answer.status !== 200) return [];
      return answer.body.payload.map((item) => ({ id: item.id, price: item.price, deleted: item.deleted }));
    },
    shutdown: () => client.shutdown(),
  };
}
