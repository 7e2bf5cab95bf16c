import path from 'node:path';
import { hmacSha256Digest, postgresPlugin, type IdempotencyStore } from '@boxoffice/db';
import { EVENTS_MIGRATIONS, eventsPlugin } from '@boxoffice/events';
import { createApp, type App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { redisPlugin } from '@boxoffice/resilience';
import { USER_AUTH_MIGRATIONS, userAuthPlugin } from '@boxoffice/user-auth';
import type { PaymentConfig } from './config';
import { itemClient } from './clients/item.client';
import { ticketClient } from './clients/ticket.client';
import { expireOrders } from './domain/expire-orders.use-case';
import { consumeItems, consumeStockLocks } from './events/order-saga.consumers';
import { SimulatedCardGateway } from './gateway/simulated-gateway';
import { gatewayCallbackRoutes } from './routes/gateway-callback.routes';
import { ordersRoutes } from './routes/orders.routes';
import type { PayTicketDeps } from './domain/pay-ticket.use-case';
import { reconcilePayments } from './domain/reconcile-payments.use-case';
import { scheduleJob } from './plugins/background-jobs';
import { paymentsRoutes } from './routes/payments.routes';
import { pointsRoutes } from './routes/points.routes';

export const PAYMENT_MIGRATIONS = [
  EVENTS_MIGRATIONS,
  USER_AUTH_MIGRATIONS,
  QUEUE_GUARD_MIGRATIONS,
  { namespace: 'payment', directory: path.join(__dirname, '..', 'migrations') },
];

/** Card data may reach a request body; it must never reach a log line (SPEC §6). */
const CARD_REDACTIONS = ['req.body.paymentDetails', 'body.paymentDetails', '*.cardNumber', '*.cvv', '*.paymentDetails'];

/** This instance's own address once it listens (the simulated gateway calls back here unless told otherwise). */
function ownUrl(app: App): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return 'http://127.0.0.1:8003';
  return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
}

export async function buildApp(config: PaymentConfig): Promise<App> {
  const app = await createApp({
    name: 'payment',
    description: 'Point wallets, ticket payments and shopping orders (SPEC §6).',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    timeouts: config,
    redact: CARD_REDACTIONS,
  });
  await app.register(postgresPlugin, {
    service: 'payment',
    databaseUrl: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: PAYMENT_MIGRATIONS,
  });
  await app.register(redisPlugin, { service: 'payment', url: config.REDIS_URL, namespace: config.KAFKA_TOPIC_PREFIX });
  await app.register(eventsPlugin, {
    service: 'payment',
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    databaseUrl: config.DATABASE_URL,
  });
  await app.register(userAuthPlugin, { userServiceUrl: config.USER_SERVICE_URL, consumerGroup: 'payment' });
  await app.register(queueGuardPlugin, { queueServiceUrl: config.QUEUE_SERVICE_URL, consumerGroup: 'payment' });

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
  });
  app.addHook('onClose', async () => items.shutdown());
  const gateway = new SimulatedCardGateway({
    pool: app.pg,
    secret: config.CARD_GATEWAY_SECRET,
    settleDelayMs: config.CARD_SETTLE_DELAY_MS,
    callbackBaseUrl: () => config.CARD_GATEWAY_CALLBACK_URL || ownUrl(app),
    logger: app.log,
  });
  await app.register(ordersRoutes, {
    idempotency,
    create: { pool: app.pg, ttlSeconds: config.ORDER_TTL_SECONDS },
    fetchItems: items.fetchItems,
    pay: { gateway },
  });
  await app.register(gatewayCallbackRoutes, { secret: config.CARD_GATEWAY_SECRET });
  consumeItems(app);
  consumeStockLocks(app);

  if (config.BACKGROUND_JOBS) {
    scheduleJob(app, {
      name: 'payment-reconciler',
      intervalMs: config.RECONCILE_INTERVAL_MS,
      run: () => reconcilePayments(payDeps),
    });
    scheduleJob(app, {
      name: 'order-expiry',
      intervalMs: config.ORDER_SWEEP_INTERVAL_MS,
      run: () => expireOrders(app.pg),
    });
    scheduleJob(app, {
      name: 'card-gateway',
      intervalMs: config.CARD_GATEWAY_INTERVAL_MS,
      run: () => gateway.deliverDue(),
    });
  }
  return app;
}
