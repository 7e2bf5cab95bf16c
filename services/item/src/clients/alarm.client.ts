import type Redis from 'ioredis';
import { ResilientClient } from '@boxoffice/resilience';
import type { Caller } from '../domain/item';

export interface AlarmServiceClient {
  /** The caller's alarmed item ids as the alarm service knows them; `stale` when they came from the cache. */
  alarmedItemIds(caller: Caller): Promise<{ itemIds: Set<number>; stale: boolean }>;
  shutdown(): void;
}

export function alarmServiceClient(options: {
  baseUrl: string;
  redis: Redis;
  timeoutMs: number;
  logger: { warn(obj: object, msg?: string): void };
}): AlarmServiceClient {
  const client = new ResilientClient({
    peer: 'alarm',
    baseUrl: options.baseUrl,
    redis: options.redis,
    timeoutMs: options.timeoutMs,
    cacheTtlSeconds: 600,
    logger: options.logger,
  });
  return {
    async alarmedItemIds(caller) {
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
