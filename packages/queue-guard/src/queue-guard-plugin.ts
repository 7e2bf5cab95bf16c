import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { metricsOf, ResilientClient } from '@boxoffice/resilience';
import { TokenChangeChannel } from './change-channel';
import { JwksCache } from './jwks-cache';
import { stateFromQueueService } from './queue-status';
import { assertAdmits, ConcertRooms } from './room-check';
import { StatusCache } from './status-cache';
import { activeHolder, anyHolder, type QueueTokenHolder } from './token-check';
import { consumeTokenChanges, latestOf, stateFromReplica } from './token-replica';
import type { CacheTimes, KnownState } from './token-state';
import { QueueTokenVerifier, type QueueTokenClaims } from './token-verifier';

export type { QueueTokenHolder } from './token-check';
export type { QueueTokenStatus } from './token-state';

declare module 'fastify' {
  interface FastifyRequest {
    queueToken: QueueTokenHolder;
  }
  interface FastifyInstance {
    /** preHandler: a valid queue token that is ACTIVE → request.queueToken; 401 missing/forged/expired, 403 WAITING. */
    requireActiveQueueToken(request: FastifyRequest): Promise<void>;
    /** preHandler: a valid (signed, unexpired) queue token in any status → request.queueToken; else 401. */
    identifyQueueTokenHolder(request: FastifyRequest): Promise<void>;
    /**
     * A preHandler for a concert's routes: requireActiveQueueToken, then 403 (WrongRoom) unless the token is of the
     * room that guards the concert `concertOf` names (undefined: no such concert here; the route answers for it).
     */
    requireActiveQueueTokenFor(
      concertOf: (request: FastifyRequest) => number | undefined | Promise<number | undefined>,
    ): (request: FastifyRequest) => Promise<void>;
    /** 403 (WrongRoom) unless this holder's token is of the room that guards the concert; for use-cases. */
    assertQueueTokenAdmits(holder: QueueTokenHolder, concertId: number): Promise<void>;
  }
}

export interface QueueGuardOptions {
  /** The queue service: its JWKS, and the token status while the local replica does not know a token. */
  queueServiceUrl: string;
  /** Consumer group of the service that registers the plugin (suffixed, so it never shares a group with another consumer). */
  consumerGroup: string;
  /**
   * How long a looked-up status is reused in memory while this instance cannot hear token changes (its Redis
   * subscription is down); bounds how late a revocation is noticed then. Default 1 s.
   */
  statusCacheMs?: number;
  /**
   * How long an ACTIVE status is reused while token changes are heard (never past the token's ACTIVE time): a
   * payment or expiry replaces it as soon as its event arrives, so this only bounds the harm of a lost message.
   * Default 30 s.
   */
  activeCacheMs?: number;
  /** How long which room guards a concert is reused; a new room takes effect within this (plus its event). Default 2 s. */
  roomCacheMs?: number;
  issuer?: string;
}

/**
 * Waiting-room checks for any service. The JWT is verified offline against the queue service's JWKS (cached), and
 * each verified token is remembered until its `exp`. Whether it is ACTIVE comes from a local replica fed by
 * queue.token.changed events; a token the replica does not show ACTIVE yet is asked of the queue service through a
 * circuit breaker, so a user admitted a moment ago is not turned away while the event is in flight. Statuses are
 * cached in memory, long only while every change is heard on the change channel (docs/decisions.md §10). A concert's
 * routes also check that the token is of the waiting room guarding that concert (requireActiveQueueTokenFor).
 * Needs the postgres, redis and events plugins.
 */
export const queueGuardPlugin = fp<QueueGuardOptions>(
  async (app, options) => {
    const times: CacheTimes = {
      statusCacheMs: options.statusCacheMs ?? 1_000,
      activeCacheMs: options.activeCacheMs ?? 30_000,
    };
    const peer = {
      baseUrl: options.queueServiceUrl,
      redis: app.redis,
      timeoutMs: 1_000,
      logger: app.log,
      metrics: metricsOf(app),
    };
    const jwksClient = new ResilientClient({ ...peer, peer: 'queue-jwks', cacheTtlSeconds: 7 * 24 * 3600 });
    const statusClient = new ResilientClient({ ...peer, peer: 'queue', cacheTtlSeconds: 60 });
    const verifier = new QueueTokenVerifier(new JwksCache(jwksClient).getKey, { issuer: options.issuer });
    const cache = new StatusCache(times);

    const channel = new TokenChangeChannel({
      redis: app.redis,
      channel: app.events.topic(`${options.consumerGroup}.queue-guard.token-changes`),
      log: app.log,
      heard: (change) => cache.learn(change, channel.hearing),
      startedHearing: () => cache.clear(),
      stoppedHearing: () => cache.trustActiveBriefly(),
      latest: (change) => latestOf(app.pg, change),
    });
    app.addHook('onClose', async () => {
      channel.close();
      jwksClient.shutdown();
      statusClient.shutdown();
    });
    const consumer = consumeTokenChanges(app, options.consumerGroup, (change) => channel.broadcast(change));
    const rooms = new ConcertRooms({
      db: app.pg,
      queueService: statusClient,
      replicaComplete: () => consumer.hasCaughtUp,
      cacheMs: options.roomCacheMs ?? 2_000,
    });

    async function stateOf(token: string, claims: QueueTokenClaims): Promise<KnownState> {
      const now = Date.now();
      const cached = cache.get(claims.tokenId, now);
      if (cached) return cached;
      // long caching is earned only if changes were heard all through the lookup
      const mark = channel.mark();
      const state =
        (await stateFromReplica(app.pg, times, claims, now, () => channel.heardEverythingSince(mark))) ??
        (await stateFromQueueService(statusClient, times, token, claims, now));
      return cache.remember(claims.tokenId, state);
    }

    app.decorateRequest('queueToken', null as unknown as QueueTokenHolder);
    app.decorate('requireActiveQueueToken', async (request: FastifyRequest) => {
      request.queueToken = await activeHolder(verifier, stateOf, request);
    });
    app.decorate('identifyQueueTokenHolder', async (request: FastifyRequest) => {
      request.queueToken = await anyHolder(verifier, stateOf, request);
    });
    app.decorate(
      'requireActiveQueueTokenFor',
      (concertOf: (request: FastifyRequest) => number | undefined | Promise<number | undefined>) =>
        async (request: FastifyRequest) => {
          request.queueToken = await activeHolder(verifier, stateOf, request);
          const concertId = await concertOf(request);
          if (concertId !== undefined) await assertAdmits(request.queueToken, concertId, rooms);
        },
    );
    app.decorate('assertQueueTokenAdmits', (holder: QueueTokenHolder, concertId: number) =>
      assertAdmits(holder, concertId, rooms),
    );
  },
  { name: 'queue-guard', dependencies: ['postgres', 'redis', 'events'] },
);
