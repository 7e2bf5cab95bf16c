import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, loadConfig, peerUrl } from '@boxoffice/config';

export const QueueConfigSchema = Type.Object({
  ...commonEnv('queue', 8001),
  USER_SERVICE_URL: peerUrl('user'),
  /** At most this many users are ACTIVE at once. */
  QUEUE_MAX_ACTIVE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100 }),
  /** How long an ACTIVE token stays ACTIVE (unless its user pays first). */
  QUEUE_ACTIVE_TTL_SECONDS: Type.Integer({ minimum: 1, default: 600 }),
  /** A WAITING user who has not polled for this long leaves the line. */
  QUEUE_ABANDON_TTL_SECONDS: Type.Integer({ minimum: 1, default: 120 }),
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
