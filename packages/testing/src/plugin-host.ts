import { postgresPlugin, type MigrationSource } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';

/**
 * A service with only the infrastructure a shared plugin depends on: PostgreSQL (outbox and inbox tables plus
 * `migrations`), Redis and Kafka events. Tests of such a plugin (user-auth, queue-guard) register it on this, with a
 * route or two, as a real service would; the caller then calls `ready()`.
 */
export async function createPluginHost(
  name: string,
  env: Record<string, string>,
  migrations: MigrationSource[],
): Promise<App> {
  const app = await createApp({ name, logLevel: 'silent' });
  await app.register(postgresPlugin, {
    service: name,
    databaseUrl: env.DATABASE_URL!,
    migrations: [EVENTS_MIGRATIONS, ...migrations],
  });
  await app.register(redisPlugin, { service: name, url: env.REDIS_URL! });
  await app.register(eventsPlugin, {
    service: name,
    brokers: env.KAFKA_BROKERS!,
    topicPrefix: env.KAFKA_TOPIC_PREFIX!,
    databaseUrl: env.DATABASE_URL!,
  });
  return app;
}
