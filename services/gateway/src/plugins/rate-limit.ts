import fp from 'fastify-plugin';
import { AppError } from '@boxoffice/errors';
import { isSignUp, rateLimitKey } from '../domain/rate-limit-key';

export interface RateLimitOptions {
  /** Requests per window for one caller (credential, or IP without one). */
  max: number;
  /** Requests per window from one IP address whatever credentials it presents: made-up tokens each get a fresh
   * caller bucket, so without this ceiling a bot could rotate them. */
  ipMax: number;
  windowSeconds: number;
  /** Sign-ups one IP address may make per `signUpWindowSeconds`: accounts are free, so a bot would mint many. */
  signUpMax: number;
  signUpWindowSeconds: number;
  /** Namespaces the counters, e.g. per deployment or per test. */
  keyPrefix: string;
}

// One command per request: count the caller's and the IP's requests, start each window on its first hit, and
// say how long the caller's window still runs.
const COUNT_IN_WINDOW = `
local caller = redis.call('INCR', KEYS[1])
if caller == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ip = caller
if KEYS[2] ~= KEYS[1] then
  ip = redis.call('INCR', KEYS[2])
  if ip == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
end
return {caller, ip, redis.call('PTTL', KEYS[1])}`;

/**
 * A fixed-window counter per caller in Redis, shared by every gateway instance: one round trip per request (a
 * small Lua script). Over the limit → 429 with Retry-After. While Redis is down the limiter lets requests through
 * (logged): refusing everyone would turn a cache outage into a full outage.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    const windowMs = options.windowSeconds * 1000;
    app.redis.defineCommand('countInWindow', { numberOfKeys: 2, lua: COUNT_IN_WINDOW });
    const countInWindow = (callerKey: string, ipKey: string, ms = windowMs) =>
      (
        app.redis as unknown as {
          countInWindow(callerKey: string, ipKey: string, ms: number): Promise<[number, number, number]>;
        }
      ).countInWindow(callerKey, ipKey, ms);
    const tooMany = (ttlMs: number, fallbackMs: number, what: string) => {
      const retryAfter = Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : fallbackMs) / 1000));
      return new AppError(429, 'RATE_LIMITED', `Too many ${what}; try again in ${retryAfter} s.`, [], {
        retryAfterSeconds: retryAfter,
      });
    };
    let warnedAt = 0;
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/health' || request.url === '/ready' || request.url === '/metrics') return;
      const key = `${options.keyPrefix}ratelimit:${rateLimitKey(request.headers, request.ip)}`;
      const ipKey = `${options.keyPrefix}ratelimit:ip:${request.ip}`;
      let count: number;
      let ipCount: number;
      let ttlMs: number;
      try {
        [count, ipCount, ttlMs] = await countInWindow(key, ipKey);
      } catch (error) {
        if (Date.now() - warnedAt > 10_000) {
          warnedAt = Date.now();
          request.log.warn({ err: error }, 'rate limiter: Redis unavailable, requests pass unlimited');
        }
        return;
      }
      const remaining = Math.max(0, options.max - count);
      reply.header('x-ratelimit-limit', String(options.max));
      reply.header('x-ratelimit-remaining', String(remaining));
      if (count > options.max || ipCount > options.ipMax) throw tooMany(ttlMs, windowMs, 'requests');
      if (isSignUp(request.method, request.url)) {
        const signUpWindowMs = options.signUpWindowSeconds * 1000;
        const signUpKey = `${options.keyPrefix}ratelimit:signup:${request.ip}`;
        const [signUps, , signUpTtlMs] = await countInWindow(signUpKey, signUpKey, signUpWindowMs).catch(
          () => [0, 0, 0] as const, // Redis down: as above, let it through
        );
        if (signUps > options.signUpMax) throw tooMany(signUpTtlMs, signUpWindowMs, 'sign-ups from this address');
      }
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
