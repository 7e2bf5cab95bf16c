import path from 'node:path';
import {
  ItemChanged,
  OrderChanged,
  PaymentCompleted,
  StockLockChanged,
  TicketChanged,
  TicketSaleRefused,
  UserChanged,
} from '@boxoffice/contracts';
import { hmacSha256Digest, type IdempotencyStore } from '@boxoffice/db';
import type { App } from '@boxoffice/http';
import { queueGuardPlugin } from '@boxoffice/queue-guard';
import { bootService, scheduleJob, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import { userAuthPlugin, usersReplica } from '@boxoffice/user-auth';
import type { PaymentConfig } from './config';
import { itemClient } from './clients/item.client';
import { ticketClient } from './clients/ticket.client';
import { expireOrders } from './domain/expire-orders.use-case';
import { itemsReplica } from './db/items-replica.repo';
import { applyStockLock } from './domain/apply-stock-lock.use-case';
import { ticketRefundHandlers } from './events/ticket-refund-consumer';
import { SimulatedCardGateway } from './gateway/simulated-gateway';
import { gatewayCallbackRoutes } from './routes/gateway-callback.routes';
import { ordersRoutes } from './routes/orders.routes';
import type { PayTicketDeps } from './domain/pay-ticket.use-case';
import { reconcilePayments } from './domain/reconcile-payments.use-case';

import { paymentsRoutes } from './routes/payments.routes';
import { pointsRoutes } from './routes/points.routes';

/** Card data may reach a request body; it must never reach a log line (SPEC §6). */
const CARD_REDACTIONS = ['req.body.paymentDetails', 'body.paymentDetails', '*.cardNumber', '*.cvv', '*.paymentDetails'];

/** This instance's own address once it listens (the simulated gateway calls back here unless told otherwise). */
function ownUrl(app: App): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return 'http://127.0.0.1:8003';
  return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
}

const PAYMENT: ServiceSpec<PaymentConfig> = {
  name: 'payment',
  publishes: [PaymentCompleted, OrderChanged],
  description: 'Point wallets, ticket payments and shopping orders (SPEC §6).',
  plugins: [
    use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL })),
    // its own consumer, payment.queue-guard: queue.token.changed into queue_tokens_replica (and to every instance)
    use(queueGuardPlugin, (config) => ({ queueServiceUrl: config.QUEUE_SERVICE_URL, consumerGroup: 'payment' })),
  ],
  migrations: path.join(__dirname, '..', 'migrations'),
  redact: CARD_REDACTIONS,
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const PAYMENT_MIGRATIONS = serviceMigrations(PAYMENT);

export async function buildApp(config: PaymentConfig): Promise<App> {
  const app = await bootService(config, PAYMENT);
  const gateway = new SimulatedCardGateway({
    pool: app.pg,
    secret: config.CARD_GATEWAY_SECRET,
    settleDelayMs: config.CARD_SETTLE_DELAY_MS,
    callbackBaseUrl: () => config.CARD_GATEWAY_CALLBACK_URL || ownUrl(app),
    logger: app.log,
  });

  // consumers
  app.events.consumer('payment', { partitionsConcurrently: 3 }).on(UserChanged, usersReplica.applyEvent);
  app.events.consumer('payment.items').on(ItemChanged, itemsReplica.applyEvent); // prices new orders
  app.events
    .consumer('payment.stock-locks') // the order saga: the order moves on to stock_locked or rejected
    .on(StockLockChanged, (event, db) => applyStockLock(db, gateway, event.payload));
  const refunds = ticketRefundHandlers(app.log);
  app.events
    .consumer('payment.ticket-refunds') // the ticket saga: a cancelled ticket or a refused sale is refunded once
    .on(TicketChanged, refunds.cancelled)
    .on(TicketSaleRefused, refunds.refused);

  // routes
  // a body may hold a card number: hashed under a server secret, never plainly
  const idempotency: IdempotencyStore = { pool: app.pg, digest: hmacSha256Digest(config.IDEMPOTENCY_HASH_SECRET) };
  await app.register(pointsRoutes, { idempotency });

  const tickets = ticketClient({
    baseUrl: config.TICKET_SERVICE_URL,
    internalToken: config.INTERNAL_API_TOKEN,
    timeoutMs: config.TICKET_CALL_TIMEOUT_MS,
    resetTimeoutMs: config.TICKET_BREAKER_RESET_MS,
    redis: app.redis,
    logger: app.log,
    metrics: app.metrics,
  });
  app.addHook('onClose', async () => tickets.shutdown());
  const payDeps: PayTicketDeps = {
    pool: app.pg,
    tickets,
    idempotencySecret: config.IDEMPOTENCY_HASH_SECRET,
    // the request's own confirm may take a full timeout: the reconciler must not start before that
    leaseMs: Math.max(config.RECONCILE_LEASE_MS, config.TICKET_CALL_TIMEOUT_MS * 2),
    maxBackoffMs: config.RECONCILE_MAX_BACKOFF_MS,
  };
  await app.register(paymentsRoutes, { deps: payDeps });

  const items = itemClient({
    baseUrl: config.ITEM_SERVICE_URL,
    redis: app.redis,
    internalToken: config.INTERNAL_API_TOKEN,
    logger: app.log,
    metrics: app.metrics,
  });
  app.addHook('onClose', async () => items.shutdown());
  await app.register(ordersRoutes, {
    idempotency,
    create: { pool: app.pg, ttlSeconds: config.ORDER_TTL_SECONDS },
    fetchItems: items.fetchItems,
    pay: { gateway },
  });
  await app.register(gatewayCallbackRoutes, { secret: config.CARD_GATEWAY_SECRET, gateway });

  // background jobs
  if (config.BACKGROUND_JOBS) {
    scheduleJob(app, {
      name: 'payment-reconciler',
      intervalMs: config.RECONCILE_INTERVAL_MS,
      run: () => reconcilePayments(payDeps),
    });
    scheduleJob(app, {
      name: 'order-expiry',
      intervalMs: config.ORDER_SWEEP_INTERVAL_MS,
      run: () => expireOrders({ pool: app.pg, gateway, settlementSeconds: config.CARD_SETTLEMENT_DEADLINE_SECONDS }),
    });
    scheduleJob(app, {
      name: 'card-gateway',
      intervalMs: config.CARD_GATEWAY_INTERVAL_MS,
      run: () => gateway.deliverDue(),
    });
  }
  return app;
}
