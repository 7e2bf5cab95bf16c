import { Type, type Static } from '@sinclair/typebox';
import { commonEnv, internalTokenEnv, loadConfig, peerUrl } from '@boxoffice/config';

export const TicketConfigSchema = Type.Object({
  ...commonEnv('ticket', 8002),
  USER_SERVICE_URL: peerUrl('user'),
  QUEUE_SERVICE_URL: peerUrl('queue'),
  /** How long a seat stays held for its holder while they pay; seconds so tests can use 1 or 2. */
  SEAT_HOLD_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
  /** How often the sweeper looks for expired holds; well under the promised 2 s release. */
  SEAT_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 2_000, default: 500 }),
  /**
   * Lifetime of a Redis seat lock between its taking and the PostgreSQL commit. If this instance dies in between,
   * the lock vanishes by itself after this long; a committed hold extends it to the hold's deadline.
   */
  SEAT_LOCK_LEASE_MS: Type.Integer({ minimum: 500, maximum: 60_000, default: 10_000 }),
  /** The Redis fast path for holds; off, every hold attempt goes to PostgreSQL (still exactly one winner, slower). */
  SEAT_LOCKS_ENABLED: Type.Boolean({ default: true }),
  /**
   * How long a queue token's ACTIVE status is reused in memory while token changes are heard (queue-guard's
   * activeCacheMs), never past the token's own ACTIVE end: a hold storm then asks no database per request, however
   * long ago the user loaded the seat map. A payment or expiry replaces it as soon as its broadcast arrives (retried
   * when it fails). 1000 gives the old 1 s behaviour.
   */
  QUEUE_GUARD_ACTIVE_CACHE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 600_000 }),
  /** Namespace for this service's Redis keys (tests and benches give each run its own). */
  REDIS_KEY_PREFIX: Type.String({ default: 'ticket:' }),
  /** Most tickets one reservation may hold; generous, since the original examples patch one up to 198. */
  RESERVATION_MAX_TICKETS: Type.Integer({ minimum: 1, default: 1_000 }),
  /** Most live (not cancelled) reservations one user may have of one general-admission event. */
  MAX_RESERVATIONS_PER_USER: Type.Integer({ minimum: 1, maximum: 1_000, default: 10 }),
  /** Most live seat holds one user may have in one showtime: a group books a few seats, a bot grabs a block. */
  MAX_HOLDS_PER_USER: Type.Integer({ minimum: 1, maximum: 1_000, default: 6 }),
  /** A buyer may cancel a sold ticket (and be refunded) until this many hours before the show; 0: until it starts. */
  TICKET_CANCEL_CUTOFF_HOURS: Type.Integer({ minimum: 0, maximum: 8_760, default: 24 }),
  // asked of the payment service on /internal/* (confirm a sale)
  ...internalTokenEnv(),
});
export type TicketConfig = Static<typeof TicketConfigSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): TicketConfig => loadConfig(TicketConfigSchema, env);
