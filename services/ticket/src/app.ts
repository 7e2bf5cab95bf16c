import path from 'node:path';
import {
  PaymentCompleted,
  TicketChanged,
  TicketPurchaseFinished,
  TicketSaleRefused,
  UserChanged,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { queueGuardPlugin } from '@boxoffice/queue-guard';
import { bootService, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import { userAuthPlugin, usersReplica, usersSnapshot } from '@boxoffice/user-auth';
import type { TicketConfig } from './config';
import { loadDemoData } from './domain/demo-data.use-case';
import { sellHeldTicket } from './events/payment-consumer';
import { seatHoldsPlugin } from './plugins/seat-holds';
import { adminRoutes } from './routes/admin.routes';
import { cancellationsRoutes } from './routes/cancellations.routes';
import { concertsRoutes } from './routes/concerts.routes';
import { gaEventsRoutes } from './routes/ga-events.routes';
import { internalRoutes } from './routes/internal.routes';

const TICKET: ServiceSpec<TicketConfig> = {
  name: 'ticket',
  publishes: [TicketChanged, TicketSaleRefused, TicketPurchaseFinished],
  description: 'Concerts, seats with timed holds, and counted-stock events with reservations (SPEC §5).',
  plugins: [
    use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL })),
    // its own consumer, ticket.queue-guard: queue.token.changed into queue_tokens_replica (and to every instance)
    use(queueGuardPlugin, (config) => ({
      queueServiceUrl: config.QUEUE_SERVICE_URL,
      consumerGroup: 'ticket',
      activeCacheMs: config.QUEUE_GUARD_ACTIVE_CACHE_MS,
    })),
    use(seatHoldsPlugin, (config) => ({
      keyPrefix: config.REDIS_KEY_PREFIX,
      locksEnabled: config.SEAT_LOCKS_ENABLED,
      sweepIntervalMs: config.SEAT_SWEEP_INTERVAL_MS,
    })),
  ],
  migrations: path.join(__dirname, '..', 'migrations'),
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const TICKET_MIGRATIONS = serviceMigrations(TICKET);

export async function buildApp(config: TicketConfig): Promise<App> {
  const app = await bootService(config, TICKET);

  // consumers
  app.events
    .consumer('ticket', { partitionsConcurrently: 3 })
    .on(UserChanged, usersReplica.applyEvent)
    .fillFrom(usersSnapshot(app.pg, config)); // retention deleted events it never read: the user service's snapshot
  app.events.consumer('ticket.payments').on(PaymentCompleted, sellHeldTicket(app.log));

  // routes
  await app.register(gaEventsRoutes, {
    reservationMaxTickets: config.RESERVATION_MAX_TICKETS,
    maxReservationsPerUser: config.MAX_RESERVATIONS_PER_USER,
  });
  await app.register(concertsRoutes, {
    ttlSeconds: config.SEAT_HOLD_TTL_SECONDS,
    leaseMs: config.SEAT_LOCK_LEASE_MS,
    maxHoldsPerUser: config.MAX_HOLDS_PER_USER,
  });
  await app.register(cancellationsRoutes, { cutoffHours: config.TICKET_CANCEL_CUTOFF_HOURS });
  await app.register(adminRoutes);
  await app.register(internalRoutes, { internalToken: config.INTERNAL_API_TOKEN });

  if (config.DEMO_DATA) {
    const loaded = await loadDemoData(app.pg);
    if (loaded.concerts + loaded.gaEvents > 0) app.log.info(loaded, 'demo data loaded');
  }
  return app;
}
