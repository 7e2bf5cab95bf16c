import path from 'node:path';
import { postgresPlugin } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS, userAuthPlugin } from '@boxoffice/user-auth';
import type { AlarmConfig } from './config';
import type { Courier } from './domain/notification';
import { consumePaymentsAndOrders } from './events/notifications.consumer';
import { itemCatalogPlugin } from './plugins/item-catalog';
import { alarmsRoutes } from './routes/alarms.routes';
import { notificationsRoutes } from './routes/notifications.routes';

export const ALARM_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  USER_AUTH_MIGRATIONS,
  { namespace: 'alarm', directory: path.join(__dirname, '..', 'migrations') },
];

export async function buildApp(config: AlarmConfig): Promise<App> {
  const app = await createApp({
    name: 'alarm',
    description: 'Alarms on shopping items, and notifications to users (SPEC §3).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
  });
  await app.register(postgresPlugin, {
    service: 'alarm',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: ALARM_MIGRATIONS,
  });
  await app.register(redisPlugin, { service: 'alarm', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: 'alarm',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL, consumerGroup: 'alarm.users-replica' });
  await app.register(itemCatalogPlugin, {
    itemServiceUrl: config.ITEM_SERVICE_URL,
    timeoutMs: config.PEER_TIMEOUT_MS,
    internalToken: config.INTERNAL_API_TOKEN,
  });
  await app.register(alarmsRoutes);

  // Delivery is simulated: one log line per notification, naming it but never carrying its text.
  const courier: Courier = {
    delivered: (n) =>
      app.log.info(
        { notificationId: n.id, userId: n.userId, channel: n.channel, trigger: n.trigger },
        'notification sent (simulated)',
      ),
  };
  await app.register(notificationsRoutes, { internalToken: config.INTERNAL_API_TOKEN, courier });
  consumePaymentsAndOrders(app, courier);
  return app;
}
