import Redis from 'ioredis';

/**
 * A Redis client that fails fast while Redis is down instead of queueing commands in memory: callers treat
 * Redis as a cache or a fast path and must get an error they can fall back from, not a request that hangs.
 */
const namespaces = new WeakMap<Redis, string>();

/** The deployment namespace a client was created with: ResilientClient keeps its cached answers under it, so two
 * deployments (or test stacks) sharing one Redis never serve each other's cached peer answers. */
export const namespaceOf = (redis: Redis): string => namespaces.get(redis) ?? '';

export function createRedis(url: string, options: { name?: string; namespace?: string } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: options.name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
    lazyConnect: false,
    // Commands issued in the same tick share one write: under load, one syscall for many requests' commands.
    enableAutoPipelining: true,
  });
  redis.on('error', () => undefined); // reconnects by itself; failed commands reject and are handled by callers
  if (options.namespace) namespaces.set(redis, options.namespace);
  return redis;
}

/** Resolves once the client is connected, or rejects after `timeoutMs`. */
export function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
