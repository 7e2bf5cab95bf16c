import type { FastifyInstance } from 'fastify';
import '@boxoffice/resilience';
import { metricsOf, ResilientClient } from '@boxoffice/resilience';

/** On whose behalf a peer is asked: its USER-TOKEN goes along, so the owner answers as it would answer them. */
export interface Caller {
  id: number;
  token: string;
}

export interface PeerAnswer<T> {
  body: T;
  /** The peer could not be asked: this is its last good answer, from the Redis cache. */
  stale: boolean;
}

/** A peer service asked on a caller's behalf, behind a circuit breaker, with its good answers cached in Redis. */
export interface PeerClient {
  readonly peer: string;
  /**
   * GET `path` with the caller's USER-TOKEN (and the internal token, when configured). Resolves with a 200's body; throws on any other answer, and when the
   * peer is unreachable (timeout, 5xx, open circuit) with no cached answer under `cacheKey`.
   */
  get<T>(path: string, caller: Caller, cacheKey: string): Promise<PeerAnswer<T>>;
}

export interface PeerClientOptions {
  /** The peer's name: logs, breaker metrics and cache keys. */
  peer: string;
  /** One URL, or several instances separated by commas. */
  url: string;
  timeoutMs: number;
  /** How long a good answer stays usable as the fallback (default 10 min). */
  cacheTtlSeconds?: number;
  /** Sent as `x-internal-token`, for peers whose routes answer services holding it only. */
  internalToken?: string;
}

/** The one way a service asks a peer for data it also replicates; the breaker shuts down with the app. */
export function peerClient(app: FastifyInstance, options: PeerClientOptions): PeerClient {
  const client = new ResilientClient({
    peer: options.peer,
    baseUrl: options.url,
    redis: app.redis,
    timeoutMs: options.timeoutMs,
    cacheTtlSeconds: options.cacheTtlSeconds ?? 600,
    logger: app.log,
    metrics: metricsOf(app),
  });
  app.addHook('onClose', async () => client.shutdown());
  return {
    peer: options.peer,
    async get<T>(path: string, caller: Caller, cacheKey: string): Promise<PeerAnswer<T>> {
      const headers: Record<string, string> = { 'user-token': caller.token };
      if (options.internalToken) headers['x-internal-token'] = options.internalToken;
      const answer = await client.get<T>(path, { headers, cacheKey });
      if (answer.status !== 200) throw new Error(`${options.peer} service answered ${answer.status} to GET ${path}`);
      return { body: answer.body, stale: answer.stale };
    },
  };
}
