import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, loadConfig, peerUrl } from '@boxoffice/config';

export const QueueConfigSchema = Type.Object({
  ...commonEnv('queue', 8001),
  USER_SERVICE_URL: peerUrl('user'),
  /** The default room (concerts without a room of their own): at most this many users are ACTIVE at once. */
  QUEUE_MAX_ACTIVE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100 }),
  /** How long an ACTIVE token stays ACTIVE (unless its user pays first). */
  QUEUE_ACTIVE_TTL_SECONDS: Type.Integer({ minimum: 1, default: 600 }),
  /** A WAITING user who has not polled for this long leaves the line. */
  QUEUE_ABANDON_TTL_SECONDS: Type.Integer({ minimum: 1, default: 120 }),
  /** The default room's admission rate (users per minute); unset: its capacity alone limits admission. */
  QUEUE_ADMISSION_RATE_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  /** The default room's longest line; beyond it joining answers 429 with Retry-After. Unset: no limit. */
  QUEUE_MAX_WAITING: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
  /** How often live streams (GET /tokens/stream) are refreshed: one script per room and tick on each instance. */
  QUEUE_STREAM_REFRESH_MS: Type.Integer({ minimum: 100, maximum: 10_000, default: 1_000 }),
  /**
   * A comment line on every stream this often, so proxies keep it open: under the gateway's UPSTREAM_TIMEOUT_MS
   * (10 s, the longest it waits between two chunks of an answer) and the idle-socket timeout.
   */
  QUEUE_STREAM_HEARTBEAT_MS: Type.Integer({ minimum: 1_000, maximum: 60_000, default: 5_000 }),
  /** Live streams one instance holds at most; beyond, GET /tokens/stream answers 503 (polling still works). */
  QUEUE_STREAM_MAX: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 50_000 }),
  /** The JWT's own lifetime: the longest anyone may wait plus be ACTIVE. */
  QUEUE_TOKEN_LIFETIME_SECONDS: Type.Integer({ minimum: 60, default: 24 * 3600 }),
  /** How often the admitter looks for free slots; a slot is refilled within this time (plus one Redis call). */
  QUEUE_ADMITTER_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 1_000, default: 200 }),
  /** Namespace of this queue's Redis keys; defaults to `${KAFKA_TOPIC_PREFIX}queue:`, so each environment has its own line. */
  QUEUE_REDIS_PREFIX: Type.Optional(Type.String({ minLength: 1 })),
  QUEUE_JWT_ISSUER: Type.String({ minLength: 1, default: 'boxoffice-queue' }),
  /** How often each instance re-reads its signing keys: a rotation takes effect, and retired keys leave the JWKS. */
  QUEUE_SIGNING_KEY_REFRESH_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
});
export type QueueConfig = Static<typeof QueueConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): QueueConfig => loadConfig(QueueConfigSchema, env);
