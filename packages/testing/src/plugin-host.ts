import { SERVICE_PORTS, developmentEventKey, developmentVerifyKeys } from '@boxoffice/config';
import type { MigrationSource } from '@boxoffice/db';
import { DEFAULT_SERVER_TIMEOUTS, type App } from '@boxoffice/http';
import { bootService } from '@boxoffice/service';

/**
 * A service with only the infrastructure a shared plugin depends on: PostgreSQL (the events tables plus
 * `migrations`), Redis and Kafka events, booted as every service is. Tests of such a plugin (user-auth,
 * queue-guard) register it on this, with a route or two, as a real service would; the caller then calls `ready()`.
 */
export function createPluginHost(
  name: string,
  env: Record<string, string>,
  migrations: MigrationSource[] = [],
): Promise<App> {
  return bootService(
    {
      ...DEFAULT_SERVER_TIMEOUTS,
      LOG_LEVEL: env.LOG_LEVEL ?? 'silent',
      BODY_LIMIT_BYTES: 64 * 1024,
      DATABASE_URL: env.DATABASE_URL!,
      DATABASE_POOL_SIZE: 20,
      REDIS_URL: env.REDIS_URL!,
      KAFKA_BROKERS: env.KAFKA_BROKERS!,
      KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX ?? '',
      INTERNAL_API_TOKEN: env.INTERNAL_API_TOKEN,
      EVENT_SIGNING_KEY: developmentEventKey(name),
      EVENT_VERIFY_KEYS: developmentVerifyKeys(Object.keys(SERVICE_PORTS)),
    },
    { name, description: `${name} (a plugin's test host)`, migrations, publishes: [] },
  );
}
