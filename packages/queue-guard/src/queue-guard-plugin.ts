import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { QueueTokenChanged } from '@boxoffice/contracts';
import { applyToReplica } from '@boxoffice/events';
import { AppError, forbidden, unauthorized } from '@boxoffice/errors';
import { ResilientClient } from '@boxoffice/resilience';
import { JwksCache } from './jwks-cache';
import { QueueTokenVerifier, queueTokenOf, type QueueTokenClaims } from './token-verifier';

export type QueueTokenStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';

export interface QueueTokenHolder {
  /** The token's uuid (the JWT's `jti`). */
  tokenId: string;
  userId: number;
  status: QueueTokenStatus;
}

declare module 'fastify' {
  interface FastifyRequest {
    queueToken: QueueTokenHolder;
  }
  interface FastifyInstance {
    /** preHandler: a valid queue token that is ACTIVE → request.queueToken; 401 missing/forged/expired, 403 WAITING. */
    requireActiveQueueToken(request: FastifyRequest): Promise<void>;
    /** preHandler: a valid (signed, unexpired) queue token in any status → request.queueToken; else 401. */
    identifyQueueTokenHolder(request: FastifyRequest): Promise<void>;
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
  issuer?: string;
}

interface KnownState {
  status: QueueTokenStatus;
  waitingNo: number;
  /** Reuse this answer until then. */
  until: number;
  /** An ACTIVE token stops being ACTIVE at this time even if no event says so yet. */
  activeUntil: number;
  /** The token's revision this state is from (0: asked of the queue service, which does not say). */
  revision: number;
}

/** A token's new state, as broadcast to every instance by the one that applied its event to the replica. */
interface TokenChange {
  tokenId: string;
  status: QueueTokenStatus;
  activeExpiresAt: string | null;
  tokenExpiresAt: string;
  revision: number;
}

interface QueueStatusBody {
  status: QueueTokenStatus;
  waitingNo: number;
  expiresAt: string;
}

const BROADCAST_RETRIES = 6; // 0.5 + 1 + 2 + 4 + 8 + 16 s
const HEARTBEAT_MS = 5_000;
const HEARTBEAT = JSON.stringify({ heartbeat: true });

const MISSING = 'A valid queue token is required (Authorization: Bearer <jwt> or QUEUE-TOKEN).';

/**
 * Waiting-room checks for any service. The JWT is verified offline against the queue service's JWKS (cached), and
 * each verified token is remembered until its `exp`. Whether it is ACTIVE comes from a local replica fed by
 * queue.token.changed events; a token the replica does not show ACTIVE yet is asked of the queue service through a
 * circuit breaker, so a user admitted a moment ago is not turned away while the event is in flight.
 * Needs the postgres, redis and events plugins.
 */
export const queueGuardPlugin = fp<QueueGuardOptions>(
  async (app, options) => {
    const statusCacheMs = options.statusCacheMs ?? 1_000;
    const activeCacheMs = options.activeCacheMs ?? 30_000;
    const jwksClient = new ResilientClient({
      peer: 'queue-jwks',
      baseUrl: options.queueServiceUrl,
      redis: app.redis,
      timeoutMs: 1_000,
      cacheTtlSeconds: 7 * 24 * 3600,
      logger: app.log,
    });
    const statusClient = new ResilientClient({
      peer: 'queue',
      baseUrl: options.queueServiceUrl,
      redis: app.redis,
      timeoutMs: 1_000,
      cacheTtlSeconds: 60,
      logger: app.log,
    });
    const verifier = new QueueTokenVerifier(new JwksCache(jwksClient).getKey, { issuer: options.issuer });
    const known = new Map<string, KnownState>();

    // Every instance must hear every token change to cache ACTIVE for long, but the instances share one consumer
    // group, so each event reaches only one of them: that one applies it to the shared replica and broadcasts the
    // new state on a Redis channel (namespaced like the topics). While this instance is not subscribed it may
    // miss changes, so it falls back to the short statusCacheMs and forgets everything when it subscribes again.
    const channel = app.events.topic(`${options.consumerGroup}.queue-guard.token-changes`);
    const subscriber = app.redis.duplicate({ autoResubscribe: false, enableOfflineQueue: false });
    subscriber.on('error', () => undefined);
    let hearing = false;
    let hearingEpoch = 0; // a lookup that spans a (re)subscription must not be cached for long
    let closing = false;
    let lastHeardAt = 0;
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(
        () => {
          known.clear();
          hearingEpoch++;
          hearing = true;
          lastHeardAt = Date.now();
        },
        (error: unknown) => {
          app.log.warn({ err: error }, 'queue-guard: token changes not heard; statuses are cached briefly');
          if (!closing) subscriber.disconnect(true);
        },
      );
    });
    /** From now on changes may be missed: what is cached as ACTIVE is trusted only briefly. */
    function stopHearing(): void {
      hearing = false;
      hearingEpoch++;
      const briefly = Date.now() + statusCacheMs;
      for (const state of known.values()) if (state.status === 'ACTIVE' && state.until > briefly) state.until = briefly;
    }
    subscriber.on('close', stopHearing);
    subscriber.on('message', (_channel: string, message: string) => {
      lastHeardAt = Date.now();
      try {
        const change = JSON.parse(message) as TokenChange | { heartbeat: true };
        if ('tokenId' in change) learn(change);
      } catch {
        // not ours to understand: a newer publisher's format; the replica still has the truth
      }
    });
    // A subscription can die without its socket closing (a half-open connection hears nothing and says nothing).
    // Every instance says it is alive on the channel; an instance that hears nobody, not even itself, for a while
    // stops trusting its long-cached statuses and reconnects.
    const heartbeat = setInterval(() => {
      void app.redis.publish(channel, HEARTBEAT).catch(() => undefined);
      if (hearing && Date.now() - lastHeardAt > HEARTBEAT_MS * 3) {
        app.log.warn({ channel }, 'queue-guard: token changes channel silent; reconnecting the subscription');
        stopHearing();
        subscriber.disconnect(true);
      }
    }, HEARTBEAT_MS);
    heartbeat.unref();
    app.addHook('onClose', async () => {
      closing = true;
      clearInterval(heartbeat);
      subscriber.disconnect();
      jwksClient.shutdown();
      statusClient.shutdown();
    });

    // a replica only: each event touches its own aggregate's row
    app.events
      .consumer(`${options.consumerGroup}.queue-guard`, { partitionsConcurrently: 3 })
      .on(QueueTokenChanged, async (event, db) => {
        const token = event.payload;
        const applied = await applyToReplica(
          db,
          'queue_tokens_replica',
          'token_id',
          {
            token_id: token.tokenId,
            user_id: token.userId,
            status: token.status,
            active_expires_at: token.activeExpiresAt,
          },
          event.aggregateVersion,
        );
        // The state itself travels, not "look again": receivers need not wait for this transaction's commit.
        // An event older than what the replica holds (redelivered, or overtaken) is not news for anyone.
        if (!applied) return;
        const change: TokenChange = {
          tokenId: token.tokenId,
          status: token.status,
          activeExpiresAt: token.activeExpiresAt,
          tokenExpiresAt: token.tokenExpiresAt,
          revision: event.aggregateVersion,
        };
        broadcast(change);
      });

    /**
     * Tells every instance about a token's new state. A lost message would leave a stale ACTIVE status cached on the
     * other instances, so a failed publish is retried in the background (about 30 s in all) before it is given up.
     */
    function broadcast(change: TokenChange, attempt = 0): void {
      app.redis.publish(channel, JSON.stringify(change)).catch((error: unknown) => {
        if (closing) return;
        if (attempt >= BROADCAST_RETRIES) {
          app.log.error(
            { err: error, tokenId: change.tokenId, status: change.status },
            'queue-guard: token change not broadcast after retries; other instances notice it when their cache ends',
          );
          return;
        }
        if (Date.now() - broadcastWarnedAt > 10_000) {
          broadcastWarnedAt = Date.now(); // during a Redis outage every token change fails: one line, not thousands
          app.log.warn({ err: error, tokenId: change.tokenId }, 'queue-guard: token changes not broadcast; retrying');
        }
        setTimeout(() => void rebroadcast(change, attempt + 1), 500 * 2 ** attempt).unref();
      });
    }
    let broadcastWarnedAt = 0;

    async function replicaRow(tokenId: string) {
      const { rows } = await app.pg.query<{
        status: QueueTokenStatus;
        active_expires_at: Date | null;
        revision: number;
      }>('SELECT status, active_expires_at, revision FROM queue_tokens_replica WHERE token_id = $1', [tokenId]);
      return rows[0];
    }

    /** A retry sends the token's state as the replica has it now: a late retry must not undo a newer change. */
    async function rebroadcast(change: TokenChange, attempt: number): Promise<void> {
      try {
        const row = await replicaRow(change.tokenId);
        if (row && row.revision > change.revision) {
          change = {
            ...change,
            status: row.status,
            activeExpiresAt: row.active_expires_at?.toISOString() ?? null,
            revision: row.revision,
          };
        }
      } catch {
        // the database is not answering either: send what we have; receivers keep the higher revision
      }
      broadcast(change, attempt);
    }

    /** How long an ACTIVE state may be reused: long only while changes are heard, and never past its ACTIVE time. */
    const activeFor = (now: number, activeUntil: number, longCache: boolean) =>
      Math.min(activeUntil, now + (longCache ? activeCacheMs : statusCacheMs));

    function learn(change: TokenChange): void {
      const now = Date.now();
      if (change.status === 'WAITING') {
        known.delete(change.tokenId); // its place is not in the event; the next request asks
        return;
      }
      const expiresAtMs = Date.parse(change.tokenExpiresAt);
      if (change.status === 'EXPIRED') {
        remember(change.tokenId, {
          status: 'EXPIRED',
          waitingNo: 0,
          until: expiresAtMs,
          activeUntil: 0,
          revision: change.revision,
        });
        return;
      }
      const activeUntil = change.activeExpiresAt ? Date.parse(change.activeExpiresAt) : 0;
      remember(change.tokenId, {
        status: 'ACTIVE',
        waitingNo: 0,
        until: activeFor(now, activeUntil, hearing),
        activeUntil,
        revision: change.revision,
      });
    }

    /** Keeps the newer of what is cached and what was just learned (a lookup may finish after a newer change arrived). */
    function remember(tokenId: string, state: KnownState): KnownState {
      const existing = known.get(tokenId);
      if (existing && existing.revision > state.revision && existing.until > Date.now()) return existing;
      if (known.size >= 100_000) known.clear(); // a crude bound; the replica answers again
      known.set(tokenId, state);
      return state;
    }

    async function fromReplica(
      claims: QueueTokenClaims,
      now: number,
      longCache: () => boolean,
    ): Promise<KnownState | undefined> {
      const row = await replicaRow(claims.tokenId);
      if (!row) return undefined;
      const revision = row.revision;
      if (row.status === 'EXPIRED')
        return { status: 'EXPIRED', waitingNo: 0, until: claims.expiresAtMs, activeUntil: 0, revision };
      if (row.status === 'ACTIVE' && row.active_expires_at) {
        const activeUntil = row.active_expires_at.getTime();
        if (activeUntil <= now)
          return { status: 'EXPIRED', waitingNo: 0, until: claims.expiresAtMs, activeUntil, revision };
        return {
          status: 'ACTIVE',
          waitingNo: 0,
          until: activeFor(now, activeUntil, longCache()),
          activeUntil,
          revision,
        };
      }
      return undefined; // WAITING in the replica: only the queue knows whether it was admitted since, and the place
    }

    async function fromQueueService(token: string, claims: QueueTokenClaims, now: number): Promise<KnownState> {
      const answer = await statusClient.get<QueueStatusBody>('/tokens', {
        headers: { authorization: `Bearer ${token}` },
        cacheKey: `token-status:${claims.tokenId}`,
      });
      // revision unknown: briefly reused, and never preferred over a state an event brought
      if (answer.status !== 200)
        return { status: 'EXPIRED', waitingNo: 0, until: now + statusCacheMs, activeUntil: 0, revision: 0 };
      const { status, waitingNo, expiresAt } = answer.body;
      const activeUntil = status === 'ACTIVE' ? Date.parse(expiresAt) : 0;
      if (status === 'ACTIVE' && activeUntil <= now)
        return { status: 'EXPIRED', waitingNo: 0, until: now + statusCacheMs, activeUntil, revision: 0 };
      return {
        status,
        waitingNo,
        until: status === 'ACTIVE' ? activeFor(now, activeUntil, false) : now + statusCacheMs,
        activeUntil,
        revision: 0,
      };
    }

    async function stateOf(token: string, claims: QueueTokenClaims): Promise<KnownState> {
      const now = Date.now();
      const cached = known.get(claims.tokenId);
      if (cached && cached.until > now) {
        if (cached.status === 'ACTIVE' && cached.activeUntil <= now) return { ...cached, status: 'EXPIRED' };
        return cached;
      }
      // long caching is earned only if changes were heard all through the lookup
      const epoch = hearingEpoch;
      const longCache = () => hearing && epoch === hearingEpoch;
      const state = (await fromReplica(claims, now, longCache)) ?? (await fromQueueService(token, claims, now));
      return remember(claims.tokenId, state);
    }

    async function verified(request: FastifyRequest): Promise<{ token: string; claims: QueueTokenClaims }> {
      const token = queueTokenOf(request.headers);
      if (!token) throw unauthorized(MISSING);
      const claims = await verifier.verify(token);
      if (!claims) throw unauthorized('The queue token is invalid or has expired; join the queue again.');
      return { token, claims };
    }

    app.decorateRequest('queueToken', null as unknown as QueueTokenHolder);

    app.decorate('requireActiveQueueToken', async (request: FastifyRequest) => {
      const { token, claims } = await verified(request);
      const state = await stateOf(token, claims);
      if (state.status === 'EXPIRED') throw unauthorized('The queue token has expired; join the queue again.');
      if (state.status === 'WAITING') {
        throw forbidden(`You are still in the waiting line: ${state.waitingNo} ahead of you.`, [
          {
            location: 'header',
            param: 'authorization',
            error: 'WaitingInQueue',
            msg: 'The queue token is not admitted yet; poll GET /tokens on the queue service.',
            waitingNo: state.waitingNo,
          },
        ]);
      }
      request.queueToken = { tokenId: claims.tokenId, userId: claims.userId, status: state.status };
    });

    app.decorate('identifyQueueTokenHolder', async (request: FastifyRequest) => {
      const { token, claims } = await verified(request);
      let status: QueueTokenStatus;
      try {
        status = (await stateOf(token, claims)).status;
      } catch (error) {
        // The signature already proves who holds it; with the queue unreachable the status is not claimed higher than WAITING.
        if (!(error instanceof AppError) || error.status !== 503) throw error;
        status = 'WAITING';
      }
      request.queueToken = { tokenId: claims.tokenId, userId: claims.userId, status };
    });
  },
  { name: 'queue-guard', dependencies: ['postgres', 'redis', 'events'] },
);
