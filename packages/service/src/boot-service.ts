import type { FastifyPluginAsync, FastifyPluginCallback, FastifyPluginOptions } from 'fastify';
import type { EventContract } from '@boxoffice/contracts';
import { postgresPlugin, type MigrationSource } from '@boxoffice/db';
import { eventsPlugin, type ConsumerSettings } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';

/** The settings of commonEnv() that booting needs. */
export interface BootConfig {
  LOG_LEVEL: string;
  BODY_LIMIT_BYTES: number;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PREFIX: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plugin of any options: `use` checks them
type AnyPlugin = (FastifyPluginAsync<any> | FastifyPluginCallback<any>) & { migrations?: readonly MigrationSource[] };

/** A plugin with its options, and the tables it brings (`withMigrations`). */
export interface PluginUse {
  plugin: AnyPlugin;
  options: unknown;
}

/** One entry of `plugins`: `use(userAuthPlugin, { userServiceUrl })`. */
export function use<O extends FastifyPluginOptions>(
  plugin: (FastifyPluginAsync<O> | FastifyPluginCallback<O>) & { migrations?: readonly MigrationSource[] },
  options: O,
): PluginUse {
  return { plugin: plugin as AnyPlugin, options };
}

export interface ServiceSpec {
  name: string;
  /** The event contracts this service publishes through its outbox. */
  publishes: EventContract[];
  description: string;
  /** Plugins on top of PostgreSQL, Redis and events, in start order; each brings the tables it needs. */
  plugins?: PluginUse[];
  /** The service's own numbered migrations (namespace: its name), or explicit sources. */
  migrations: string | MigrationSource[];
  /** Extra logger paths to redact, beyond credentials. */
  redact?: string[];
  /** Defaults for every consumer (poison handling: maxAttempts, retryBackoffMs). */
  consumerDefaults?: ConsumerSettings;
}

/**
 * A service's kernel: the Fastify app (createApp) with its PostgreSQL (created and migrated: the events tables, each
 * plugin's tables, the service's own), Redis and Kafka events, then `plugins` in order. The service's app.ts adds
 * its consumers and routes to the app it returns.
 */
export async function bootService(config: BootConfig, spec: ServiceSpec): Promise<App> {
  const { name } = spec;
  const app = await createApp({
    name,
    description: spec.description,
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    redact: spec.redact,
  });
  const plugins = spec.plugins ?? [];
  const own = typeof spec.migrations === 'string' ? [{ namespace: name, directory: spec.migrations }] : spec.migrations;
  await app.register(postgresPlugin, {
    service: name,
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: [eventsPlugin, ...plugins.map((use) => use.plugin)]
      .flatMap((plugin) => plugin.migrations ?? [])
      .concat(own),
  });
  await app.register(redisPlugin, { service: name, url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: name,
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
    publishes: spec.publishes,
    consumerDefaults: spec.consumerDefaults,
  });
  for (const { plugin, options } of plugins) await app.register(plugin, options as never);
  return app;
}
