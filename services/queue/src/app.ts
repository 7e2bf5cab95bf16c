import path from 'node:path';
import { QueueRoomChanged, QueueTokenChanged, TicketPurchaseFinished, UserChanged } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { bootService, serviceMigrations, use, type ServiceSpec } from '@boxoffice/service';
import { detached } from '@boxoffice/tracing';
import { userAuthPlugin, usersReplica } from '@boxoffice/user-auth';
import type { QueueConfig } from './config';
import type { QueuePolicy } from './domain/queue-token';
import type { RoomSettings } from './domain/room';
import { endBuyersToken } from './events/purchases.consumer';
import { waitingRoomPlugin } from './plugins/waiting-room';
import { roomsRoutes } from './routes/rooms.routes';
import { tokenStreamRoutes } from './routes/token-stream.routes';
import { tokensRoutes } from './routes/tokens.routes';

export const policyOf = (config: QueueConfig): QueuePolicy => ({
  maxActive: config.QUEUE_MAX_ACTIVE,
  activeTtlMs: config.QUEUE_ACTIVE_TTL_SECONDS * 1000,
  abandonTtlMs: config.QUEUE_ABANDON_TTL_SECONDS * 1000,
  tokenLifetimeMs: config.QUEUE_TOKEN_LIFETIME_SECONDS * 1000,
  admissionRatePerMinute: config.QUEUE_ADMISSION_RATE_PER_MINUTE ?? null,
});

/** The default room guards every concert without a room of its own; its settings are the service's configuration. */
const defaultRoomOf = (config: QueueConfig): RoomSettings => ({
  name: 'Default room',
  maxActive: config.QUEUE_MAX_ACTIVE,
  admissionRatePerMinute: config.QUEUE_ADMISSION_RATE_PER_MINUTE ?? null,
  sessionSeconds: config.QUEUE_ACTIVE_TTL_SECONDS,
  queueingMethod: 'fifo',
  saleStartsAtMs: null,
  maxWaiting: config.QUEUE_MAX_WAITING ?? null,
  abandonSeconds: config.QUEUE_ABANDON_TTL_SECONDS,
});

const QUEUE: ServiceSpec<QueueConfig> = {
  name: 'queue',
  publishes: [QueueTokenChanged, QueueRoomChanged],
  description: 'Waiting rooms per concert: queue tokens (signed JWTs), admission and live standings (SPEC §4).',
  plugins: [
    use(userAuthPlugin, (config) => ({ userServiceUrl: config.USER_SERVICE_URL })),
    use(waitingRoomPlugin, (config) => ({
      policy: policyOf(config),
      defaultRoom: defaultRoomOf(config),
      redisPrefix: config.QUEUE_REDIS_PREFIX ?? `${config.KAFKA_TOPIC_PREFIX}queue:`,
      issuer: config.QUEUE_JWT_ISSUER,
      admitterIntervalMs: config.QUEUE_ADMITTER_INTERVAL_MS,
      signingKeyRefreshMs: config.QUEUE_SIGNING_KEY_REFRESH_MS,
      streams: {
        refreshMs: config.QUEUE_STREAM_REFRESH_MS,
        heartbeatMs: config.QUEUE_STREAM_HEARTBEAT_MS,
        maxStreams: config.QUEUE_STREAM_MAX,
      },
    })),
  ],
  migrations: path.join(__dirname, '..', 'migrations'),
};
/** What booting applies, and `dist/migrate.js`: the kernel's tables, the plugins', the service's own. */
export const QUEUE_MIGRATIONS = serviceMigrations(QUEUE);

export async function buildApp(config: QueueConfig): Promise<App> {
  const app = await bootService(config, QUEUE);
  const { line, rooms, feed, signer, policy, admitter } = app.queue;

  // consumers
  app.events.consumer('queue', { partitionsConcurrently: 3 }).onBatch(UserChanged, usersReplica.applyEvents);
  app.events.consumer('queue.purchases').on(
    TicketPurchaseFinished,
    endBuyersToken(
      {
        line,
        roomOfConcert: (concertId) => rooms.roomOfConcert(concertId),
        // the purchase only wakes the admitter: its rounds from then on are not part of the purchase's trace
        admitNow: () => detached(() => admitter.admitNow()),
      },
      app.log,
    ),
  );

  // routes
  await app.register(tokensRoutes, { line, rooms, signer, policy });
  await app.register(tokenStreamRoutes, { line, signer, feed, retryMs: 3_000 });
  await app.register(roomsRoutes, { rooms, policy });
  return app;
}
