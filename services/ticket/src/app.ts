import path from 'node:path';
import { postgresPlugin } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { redisPlugin } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS, userAuthPlugin } from '@boxoffice/user-auth';
import type { TicketConfig } from './config';
import { loadDemoData } from './domain/demo-data.use-case';
import { consumePayments } from './events/payment-consumer';
import { seatHoldsPlugin } from './plugins/seat-holds';
import { adminRoutes } from './routes/admin.routes';
import { concertsRoutes } from './routes/concerts.routes';
import { gaEventsRoutes } from './routes/ga-events.routes';
import { internalRoutes } from './routes/internal.routes';

export const TICKET_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  USER_AUTH_MIGRATIONS,
  QUEUE_GUARD_MIGRATIONS,
  { namespace: 'ticket', directory: path.join(__dirname, '..', 'migrations') },
];

export async function buildApp(config: TicketConfig): Promise<App> {
  const app = await createApp({
    name: 'ticket',
    description: 'Concerts, seats with timed holds, and counted-stock events with reservations (SPEC §5).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    internalToken: config.INTERNAL_API_TOKEN,
  });
  await app.register(postgresPlugin, {
    service: 'ticket',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: TICKET_MIGRATIONS,
  });
  await app.register(redisPlugin, { service: 'ticket', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: 'ticket',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL, consumerGroup: 'ticket' });
  await app.register(queueGuardPlugin, {
    queueServiceUrl: config.QUEUE_SERVICE_URL,
    consumerGroup: 'ticket',
    activeCacheMs: config.QUEUE_GUARD_ACTIVE_CACHE_MS,
  });
  await app.register(seatHoldsPlugin, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    locksEnabled: config.SEAT_LOCKS_ENABLED,
    sweepIntervalMs: config.SEAT_SWEEP_INTERVAL_MS,
  });

  await app.register(gaEventsRoutes, {
    reservationMaxTickets: config.RESERVATION_MAX_TICKETS,
    maxReservationsPerUser: config.MAX_RESERVATIONS_PER_USER,
  });
  await app.register(concertsRoutes, {
    ttlSeconds: config.SEAT_HOLD_TTL_SECONDS,
    leaseMs: config.SEAT_LOCK_LEASE_MS,
    maxHoldsPerUser: config.MAX_HOLDS_PER_USER,
  });
  await app.register(adminRoutes);
  await app.register(internalRoutes, { internalToken: config.INTERNAL_API_TOKEN });
  consumePayments(app);

  if (config.DEMO_DATA) {
    const loaded = await loadDemoData(app.pg);
    if (loaded.concerts + loaded.gaEvents > 0) app.log.info(loaded, 'demo data loaded');
  }
  return app;
}
