import CircuitBreaker from 'opossum';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { request } from 'undici';
import { unavailable } from '@boxoffice/errors';
import { reportBreaker } from './breaker-metrics';
import { namespaceOf } from './redis';

export interface ResilientClientOptions {
  /** The peer's name, used in logs, metrics and cache keys. */
  peer: string;
  /** One URL, or several instances of the peer separated by commas. */
  baseUrl: string;
  redis: Redis;
  timeoutMs?: number;
  /** How long a good answer stays usable as a fallback. */
  cacheTtlSeconds?: number;
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
  /** The app's registry (`app.metrics`): the breaker's state is then exported as `circuit_breaker_open{peer}`. */
  metrics?: Registry;
}

export interface PeerResponse<T> {
  status: number;
  body: T;
  /** True when the peer could not be asked and this is the last good answer from the cache. */
  stale: boolean;
}

interface CallInput {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * Calls one peer service through an opossum circuit breaker. Successful GET answers are cached in Redis; when
 * the peer times out, fails or the breaker is open, the cached answer is returned marked stale, and when there
 * is none the call fails with a 503 that says which peer is down.
 */
export class ResilientClient {
  readonly breaker: CircuitBreaker<[CallInput], { status: number; body: unknown }>;
  private readonly instances: string[];
  private next = 0;
  private readonly options: Required<Omit<ResilientClientOptions, 'logger' | 'metrics'>> &
    Pick<ResilientClientOptions, 'logger'>;
  private readonly stopReporting: () => void;

  constructor(options: ResilientClientOptions) {
    this.options = {
      timeoutMs: 1_000,
      cacheTtlSeconds: 3_600,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 5_000,
      ...options,
    };
    this.instances = options.baseUrl
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean);
    this.breaker = new CircuitBreaker((input: CallInput) => this.request(input), {
      name: options.peer,
      timeout: this.options.timeoutMs,
      errorThresholdPercentage: this.options.errorThresholdPercentage,
      resetTimeout: this.options.resetTimeoutMs,
      volumeThreshold: 3,
    });
    this.breaker.on('open', () =>
      this.options.logger?.warn({ peer: options.peer }, `circuit to ${options.peer} opened: calls use the cache`),
    );
    this.breaker.on('close', () =>
      this.options.logger?.warn({ peer: options.peer }, `circuit to ${options.peer} closed: calls go through again`),
    );
    this.stopReporting = options.metrics ? reportBreaker(options.metrics, options.peer, this.breaker) : () => {};
  }

  /** A GET with a Redis-cached fallback. `cacheKey` must identify everything the answer depends on. */
  async get<T>(
    path: string,
    options: { headers?: Record<string, string>; cacheKey: string },
  ): Promise<PeerResponse<T>> {
    const key = `${namespaceOf(this.options.redis)}peer-cache:${this.options.peer}:${options.cacheKey}`;
    try {
      const result = await this.breaker.fire({ method: 'GET', path, headers: options.headers ?? {} });
      if (result.status < 300) {
        void this.options.redis
          .set(key, JSON.stringify(result), 'EX', this.options.cacheTtlSeconds)
          .catch(() => undefined);
      }
      return { ...(result as { status: number; body: T }), stale: false };
    } catch (error) {
      const cached = await this.options.redis.get(key).catch(() => null);
      if (cached) {
        this.options.logger?.warn(
          { peer: this.options.peer, reason: describe(error) },
          `peer ${this.options.peer} unreachable: answering from cache (stale)`,
        );
        return { ...(JSON.parse(cached) as { status: number; body: T }), stale: true };
      }
      throw unavailable(`The ${this.options.peer} service is unavailable and no cached answer exists.`);
    }
  }

  /** One HTTP exchange. A 4xx is an answer and resolves, whatever its body; only 5xx, timeouts and refused
   * connections count against the breaker. With several instances (a comma-separated baseUrl), calls rotate over them and a refused
   * connection moves on to the next: the request never reached that instance, so trying another is safe. */
  private async request<T = unknown>(input: CallInput): Promise<{ status: number; body: T }> {
    const start = this.next++;
    for (let i = 0; ; i++) {
      const instance = this.instances[(start + i) % this.instances.length]!;
      try {
        return await this.exchange<T>(instance, input);
      } catch (error) {
        const refused = (error as { code?: string }).code === 'ECONNREFUSED';
        if (!refused || i + 1 >= this.instances.length) throw error;
      }
    }
  }

  private async exchange<T>(instance: string, input: CallInput): Promise<{ status: number; body: T }> {
    const response = await request(new URL(input.path, instance), {
      method: input.method,
      headers: { 'content-type': 'application/json', ...input.headers },
      body: input.body === undefined ? undefined : JSON.stringify(input.body),
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode >= 500) throw new Error(`${this.options.peer} answered ${response.statusCode}`);
    return { status: response.statusCode, body: readBody<T>(text, response.statusCode) };
  }

  /** Calls through the breaker without caching: for writes and for reads that must not be stale. */
  call<T = unknown>(input: CallInput): Promise<{ status: number; body: T }> {
    return this.breaker.fire(input) as Promise<{ status: number; body: T }>;
  }

  shutdown(): void {
    this.stopReporting();
    this.breaker.shutdown();
  }
}

/**
 * A 4xx is the peer's answer about this request, whatever its body (a proxy may send text or HTML): it resolves
 * and never counts against the breaker, so a client's odd input cannot open the circuit for everyone. A 2xx that
 * is not JSON is a broken peer and does count.
 */
function readBody<T>(text: string, status: number): T {
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    if (status >= 400) return { errors: { code: 'PEER_REFUSED', message: text.slice(0, 200), detail: [] } } as T;
    throw error;
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && error.code === 'EOPENBREAKER') return 'circuit open';
  if (error && typeof error === 'object' && 'code' in error && error.code === 'ETIMEDOUT') return 'timeout';
  return error instanceof Error ? error.message : String(error);
}
