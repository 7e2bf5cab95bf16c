import path from 'node:path';
import {
  ConcertChanged,
  GaEventChanged,
  PaymentCompleted,
  ReservationChanged,
  SeatChanged,
  ShowtimeChanged,
  TicketChanged,
  TicketSaleRefused,
  UserChanged,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { queueGuardPlugin } from '@boxoffice/queue-guard';
import { bootService, use } from '@boxoffice/service';
import { userAuthPlugin, usersReplica } from '@boxoffice/user-auth';
import type { TicketConfig } from './config';
import { loadDemoData } from './domain/demo-data.use-case';
import { sellHeldTicket } from './events/payment-consumer';
import { seatHoldsPlugin } from './plugins/seat-holds';
import { adminRoutes } from './routes/admin.routes';
import { concertsRoutes } from './routes/concerts.routes';
import { gaEventsRoutes } from './routes/ga-events.routes';
import { internalRoutes } from './routes/internal.routes';

export async function buildApp(config: TicketConfig): Promise<App> {
  const app = await bootService(config, {
    name: 'ticket',
    publishes: [
      ConcertChanged,
      ShowtimeChanged,
      SeatChanged,
      TicketChanged,
      TicketSaleRefused,
      GaEventChanged,
      ReservationChanged,
    ],
    description: 'Concerts, seats with timed holds, and counted-stock events with reservations (SPEC §5).',
    plugins: [
      use(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL }),
      // its own consumer, ticket.queue-guard: queue.token.changed into queue_tokens_replica (and to every instance)
      use(queueGuardPlugin, {
        queueServiceUrl: config.QUEUE_SERVICE_URL,
        consumerGroup: 'ticket',
        activeCacheMs: config.QUEUE_GUARD_ACTIVE_CACHE_MS,
      }),
      use(seatHoldsPlugin, {
        keyPrefix: config.REDIS_KEY_PREFIX,
        locksEnabled: config.SEAT_LOCKS_ENABLED,
        sweepIntervalMs: config.SEAT_SWEEP_INTERVAL_MS,
      }),
    ],
    migrations: path.join(__dirname, '..', 'migrations'),
  });

  // consumers
  app.events.consumer('ticket', { partitionsConcurrently: 3 }).on(UserChanged, usersReplica.applyEvent);
  app.events.consumer('ticket.payments').on(PaymentCompleted, sellHeldTicket(app.log));

  // routes
  await app.register(gaEventsRoutes, { reservationMaxTickets: config.RESERVATION_MAX_TICKETS });
  await app.register(concertsRoutes, {
    ttlSeconds: config.SEAT_HOLD_TTL_SECONDS,
    leaseMs: config.SEAT_LOCK_LEASE_MS,
    maxHoldsPerUser: config.MAX_HOLDS_PER_USER,
  });
  await app.register(adminRoutes);
  await app.register(internalRoutes, { internalToken: config.INTERNAL_API_TOKEN });

  if (config.DEMO_DATA) {
    const loaded = await loadDemoData(app.pg);
    if (loaded.concerts + loaded.events > 0) app.log.info(loaded, 'demo data loaded');
  }
  return app;
}
