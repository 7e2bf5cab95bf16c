import type { FastifyPluginAsync, FastifyPluginCallback, FastifyPluginOptions } from 'fastify';
import type { EventContract } from '@boxoffice/contracts';
import { postgresPlugin, type MigrationSource } from '@boxoffice/db';
import { eventsPlugin, type ConsumerSettings } from '@boxoffice/events';
import { createApp, type App, type ServerTimeouts } from '@boxoffice/http';
import { redisPlugin } from '@boxoffice/resilience';

/** The settings of commonEnv() that booting needs. */
export interface BootConfig extends ServerTimeouts {
  LOG_LEVEL: string;
  BODY_LIMIT_BYTES: number;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PREFIX: string;
  /** This service's event signing key, and its producers' public keys (commonEnv: eventKeysEnv). */
  EVENT_SIGNING_KEY: string;
  EVENT_VERIFY_KEYS: string;
  /** The peers' shared secret: every route under /internal answers only a caller presenting it. */
  INTERNAL_API_TOKEN?: string;
}

type Plugin<O extends FastifyPluginOptions> = (FastifyPluginAsync<O> | FastifyPluginCallback<O>) & {
  migrations?: readonly MigrationSource[];
};

/** A plugin, the tables it brings (`withMigrations`), and its options read from the service's config. */
export interface PluginUse<C> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a plugin of any options: `use` checks them
  plugin: Plugin<any>;
  options(config: C): unknown;
}

/**
 * One entry of `plugins`: `use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL }))`. The
 * options wait for the config, so the plugins (and the tables they bring) are known before any config is read.
 */
export function use<O extends FastifyPluginOptions, C>(
  plugin: Plugin<O>,
  options: (config: C) => O = () => ({}) as O,
): PluginUse<C> {
  return { plugin, options };
}

export interface ServiceSpec<C extends BootConfig = BootConfig> {
  name: string;
  /** The event contracts this service publishes through its outbox. */
  publishes: EventContract[];
  description: string;
  /** Plugins on top of PostgreSQL, Redis and events, in start order; each brings the tables it needs. */
  plugins?: PluginUse<C>[];
  /** The service's own numbered migrations (namespace: its name), or explicit sources. */
  migrations: string | MigrationSource[];
  /** Extra logger paths to redact, beyond credentials. */
  redact?: string[];
  /** Defaults for every consumer (poison handling: maxAttempts, retryBackoffMs). */
  consumerDefaults?: ConsumerSettings;
}

/**
 * Every migration the service applies, in order: the events tables, each plugin's tables, the service's own.
 * bootService applies exactly these; so does the service's `dist/migrate.js` (a deployment's migrate step).
 */
export function serviceMigrations(spec: Pick<ServiceSpec<never>, 'name' | 'plugins' | 'migrations'>) {
  const own =
    typeof spec.migrations === 'string' ? [{ namespace: spec.name, directory: spec.migrations }] : spec.migrations;
  return [eventsPlugin, ...(spec.plugins ?? []).map((use) => use.plugin)]
    .flatMap((plugin): readonly MigrationSource[] => plugin.migrations ?? [])
    .concat(own);
}

/**
 * A service's kernel: the Fastify app (createApp) with its PostgreSQL (created and migrated: serviceMigrations),
 * Redis and Kafka events, then `plugins` in order. The service's app.ts adds its consumers and routes to the app
 * it returns.
 */
export async function bootService<C extends BootConfig>(config: C, spec: ServiceSpec<C>): Promise<App> {
  const { name } = spec;
  const app = await createApp({
    name,
    description: spec.description,
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    internalToken: config.INTERNAL_API_TOKEN,
    redact: spec.redact,
  });
  await app.register(postgresPlugin, {
    service: name,
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: serviceMigrations(spec),
  });
  await app.register(redisPlugin, { service: name, url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: name,
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
    publishes: spec.publishes,
    signingKey: config.EVENT_SIGNING_KEY,
    verifyKeys: config.EVENT_VERIFY_KEYS,
    consumerDefaults: spec.consumerDefaults,
  });
  for (const { plugin, options } of spec.plugins ?? []) await app.register(plugin, options(config) as never);
  return app;
}
