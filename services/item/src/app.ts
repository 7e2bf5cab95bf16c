import path from 'node:path';
import { postgresPlugin } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS, userAuthPlugin } from '@boxoffice/user-auth';
import type { ItemConfig } from './config';
import { loadDemoItems } from './domain/items.use-case';
import { consumeOrders } from './events/orders.consumer';
import { alarmStatePlugin } from './plugins/alarm-state';
import { inventoryRoutes } from './routes/inventory.routes';
import { itemsRoutes } from './routes/items.routes';

export const ITEM_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  USER_AUTH_MIGRATIONS,
  { namespace: 'item', directory: path.join(__dirname, '..', 'migrations') },
];

export async function buildApp(config: ItemConfig): Promise<App> {
  const app = await createApp({
    name: 'item',
    description: 'Shopping items with the caller’s alarm state, and the stock locks of orders (SPEC §2).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    internalToken: config.INTERNAL_API_TOKEN,
  });
  await app.register(postgresPlugin, {
    service: 'item',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: ITEM_MIGRATIONS,
  });
  await app.register(redisPlugin, { service: 'item', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: 'item',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL, consumerGroup: 'item.users-replica' });
  await app.register(alarmStatePlugin, {
    alarmServiceUrl: config.ALARM_SERVICE_URL,
    timeoutMs: config.PEER_TIMEOUT_MS,
  });
  await app.register(itemsRoutes);
  await app.register(inventoryRoutes, { internalToken: config.INTERNAL_API_TOKEN });
  consumeOrders(app);

  if (config.DEMO_DATA) {
    const loaded = await loadDemoItems(app.pg);
    if (loaded > 0) app.log.info({ items: loaded }, 'demo items loaded');
  }
  return app;
}
