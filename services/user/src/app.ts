import path from 'node:path';
import { postgresPlugin } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';
import type { UserConfig } from './config';
import { loadDemoUsers } from './domain/demo-users.use-case';
import { authPlugin } from './plugins/auth';
import { visitsPlugin } from './plugins/visits';
import { usersRoutes } from './routes/users.routes';

export const USER_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  { namespace: 'user', directory: path.join(__dirname, '..', 'migrations') },
];

export async function buildApp(config: UserConfig): Promise<App> {
  const app = await createApp({
    name: 'user',
    description: 'Users, access tokens and recently viewed items (SPEC §1).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    redact: ['req.body.password'],
  });
  await app.register(postgresPlugin, {
    service: 'user',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: USER_MIGRATIONS,
  });
  await app.register(eventsPlugin, {
    service: 'user',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(redisPlugin, { service: 'user', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(authPlugin);
  await app.register(visitsPlugin, {
    itemServiceUrl: config.ITEM_SERVICE_URL,
    alarmServiceUrl: config.ALARM_SERVICE_URL,
    timeoutMs: config.PEER_TIMEOUT_MS,
    internalToken: config.INTERNAL_API_TOKEN,
  });
  await app.register(usersRoutes);

  if (config.DEMO_DATA) {
    const loaded = await loadDemoUsers(app.pg);
    if (loaded > 0) app.log.info({ users: loaded }, 'demo users loaded');
  }
  return app;
}
