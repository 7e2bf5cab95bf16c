import fp from 'fastify-plugin';
import type Redis from 'ioredis';
import { createRedis, redisReady } from './redis';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

/** Shared Redis (caches, fast paths, queues). The app starts without it: every use has a fallback or a 503. */
export const redisPlugin = fp<{
  service: string;
  url: string;
  /** e.g. the topic prefix: namespaces cached peer answers */ namespace?: string;
}>(
  async (app, options) => {
    const redis = createRedis(options.url, { name: options.service, namespace: options.namespace });
    app.decorate('redis', redis);
    // No offline queue: a command sent before the connection is up fails at once. Give Redis a moment so the first
    // requests after a start do not all take their fallback; a Redis that is down does not hold the start up.
    await redisReady(redis, 2_000).catch(() => undefined);
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  },
  { name: 'redis' },
);
