import path from 'node:path';
import { postgresPlugin } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { redisPlugin, redisReady } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS, userAuthPlugin } from '@boxoffice/user-auth';
import type { QueueConfig } from './config';
import { RedisQueueLine } from './db/queue-line.redis';
import { Admitter } from './domain/admitter';
import { loadSigningKey, refreshSigningKeys } from './domain/load-signing-key.use-case';
import type { QueuePolicy } from './domain/queue-token';
import type { TokenSigner } from './domain/token-signer';
import { LifecycleRecorder } from './events/lifecycle-recorder';
import { consumePayments } from './events/payments.consumer';
import { tokensRoutes } from './routes/tokens.routes';

export const QUEUE_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  USER_AUTH_MIGRATIONS,
  { namespace: 'queue', directory: path.join(__dirname, '..', 'migrations') },
];

declare module 'fastify' {
  interface FastifyInstance {
    queue: {
      line: RedisQueueLine;
      admitter: Admitter;
      recorder: LifecycleRecorder;
      signer: TokenSigner;
      policy: QueuePolicy;
    };
  }
}

export const policyOf = (config: QueueConfig): QueuePolicy => ({
  maxActive: config.QUEUE_MAX_ACTIVE,
  activeTtlMs: config.QUEUE_ACTIVE_TTL_SECONDS * 1000,
  abandonTtlMs: config.QUEUE_ABANDON_TTL_SECONDS * 1000,
  tokenLifetimeMs: config.QUEUE_TOKEN_LIFETIME_SECONDS * 1000,
});

export async function buildApp(config: QueueConfig): Promise<App> {
  const app = await createApp({
    name: 'queue',
    description: 'The waiting room: FIFO queue tokens (signed JWTs) and admission (SPEC §4).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
  });
  await app.register(postgresPlugin, {
    service: 'queue',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: QUEUE_MIGRATIONS,
  });
  await app.register(redisPlugin, { service: 'queue', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: 'queue',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL, consumerGroup: 'queue' });

  // the line is the state that matters; without Redis nobody can join or be admitted, so wait for it at start
  await redisReady(app.redis, 10_000).catch(() =>
    app.log.warn('Redis is not reachable yet; the line answers 503 until it is'),
  );
  app.addReadinessCheck('redis', async () => app.redis.status === 'ready');

  const policy = policyOf(config);
  // the line's own connection: auto-pipelining sends the scripts of concurrent polls in one write, which is what
  // keeps polling close to a bare Redis round trip under load (same fail-fast settings as app.redis)
  const lineClient = app.redis.duplicate({ enableAutoPipelining: true });
  lineClient.on('error', () => undefined);
  await redisReady(lineClient, 10_000).catch(() => undefined);
  const line = new RedisQueueLine(lineClient, config.QUEUE_REDIS_PREFIX ?? `${config.KAFKA_TOPIC_PREFIX}queue:`);
  // a retired key stays published while a token it signed may be live: one lifetime, plus one refresh
  const keepRetiredMs = config.QUEUE_TOKEN_LIFETIME_SECONDS * 1000 + config.QUEUE_SIGNING_KEY_REFRESH_MS;
  const { signer, created } = await loadSigningKey(app.pg, config.QUEUE_JWT_ISSUER, keepRetiredMs);
  const stopKeyRefresh = refreshSigningKeys(app.pg, signer, config.QUEUE_SIGNING_KEY_REFRESH_MS, app.log);
  app.addHook('onClose', async () => stopKeyRefresh());
  app.log.info({ kid: signer.kid, created }, created ? 'queue signing key created' : 'queue signing key loaded');

  const admitter = new Admitter(line, policy, config.QUEUE_ADMITTER_INTERVAL_MS, app.log);
  const journalClient = app.redis.duplicate();
  journalClient.on('error', () => undefined);
  const recorder = new LifecycleRecorder(line, journalClient, app.pg, app.log);
  app.decorate('queue', { line, admitter, recorder, signer, policy });
  app.addHook('onReady', async () => {
    admitter.start();
    recorder.start();
  });
  app.addHook('onClose', async () => {
    await Promise.all([admitter.stop(), recorder.stop()]);
    journalClient.disconnect();
    lineClient.disconnect();
  });

  consumePayments(app, { line, admitNow: () => admitter.admitNow() });
  await app.register(tokensRoutes, { line, signer, policy });
  return app;
}
