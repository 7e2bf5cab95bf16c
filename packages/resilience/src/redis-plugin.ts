import fp from 'fastify-plugin';
import type Redis from 'ioredis';
import { createRedis } from './redis';

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
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  },
  { name: 'redis' },
);
