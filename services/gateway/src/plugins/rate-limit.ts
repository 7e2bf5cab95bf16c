import fp from 'fastify-plugin';
import { AppError } from '@boxoffice/errors';
import { isSignUp, rateLimitKey } from '../domain/rate-limit-key';
import { SharedWindowCounts, type WindowCountStore } from '../domain/shared-window-counts';

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
  /** How often this instance adds its local counts to the shared ones in Redis (and reads theirs back). */
  syncMs: number;
  /** Namespaces the counters, e.g. per deployment or per test. */
  keyPrefix: string;
}

// Adds each increment to its key, starts a window on a key that has none, and answers every key's total and how
// long its window still runs: one command for a whole batch of keys.
const ADD_IN_WINDOW = `
local answers = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, ARGV[i + 1])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  answers[2 * i - 1] = count
  answers[2 * i] = ttl
end
return answers`;

/** Keys remembered per instance at most (about 100 bytes each); past it, new callers are counted in Redis directly. */
const MAX_REMEMBERED_KEYS = 100_000;
/** Share of a limit one instance may count between two readings of the shared total. */
const LOCAL_SHARE = 0.1;
const budgetOf = (max: number) => Math.max(1, Math.floor(max * LOCAL_SHARE));

/**
 * Fixed windows per caller and per IP address, shared by every gateway instance through Redis but counted locally
 * in between: a caller's first request in a window waits for Redis, the next ones are decided in memory and sent
 * to Redis in one batch every `syncMs` (SharedWindowCounts says what that bounds). Over the limit → 429 with
 * Retry-After. While Redis is down the limiter lets requests through that it cannot decide locally (logged):
 * refusing everyone would turn a cache outage into a full outage.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, options) => {
    app.redis.defineCommand('addInWindow', { lua: ADD_IN_WINDOW });
    const redis = app.redis as unknown as { addInWindow(...args: (string | number)[]): Promise<number[]> };
    const store: WindowCountStore = {
      async add(keys, increments, windowMs) {
        const flat = await redis.addInWindow(keys.length, ...keys, windowMs, ...increments);
        return keys.map((_, i) => ({ count: flat[2 * i]!, ttlMs: flat[2 * i + 1]! }));
      },
    };
    const windowMs = options.windowSeconds * 1000;
    const signUpWindowMs = options.signUpWindowSeconds * 1000;
    const requests = new SharedWindowCounts(store, { windowMs, maxKeys: MAX_REMEMBERED_KEYS });
    const signUps = new SharedWindowCounts(store, { windowMs: signUpWindowMs, maxKeys: MAX_REMEMBERED_KEYS });
    const callerBudget = budgetOf(options.max);
    const ipBudget = budgetOf(options.ipMax);
    const signUpBudget = budgetOf(options.signUpMax);

    let warnedAt = 0;
    const redisUnavailable = (request: { log: { warn: (o: object, m: string) => void } }, error: unknown) => {
      if (Date.now() - warnedAt < 10_000) return;
      warnedAt = Date.now();
      request.log.warn({ err: error }, 'rate limiter: Redis unavailable, requests it cannot count pass unlimited');
    };
    const flushAll = () =>
      Promise.all([requests.flush(), signUps.flush()]).then(
        () => undefined,
        (error) => redisUnavailable(app, error),
      );
    // one flush at a time: a slow Redis gets the next batch when it has answered the last one
    let flushing: Promise<void> | undefined;
    const sync = setInterval(() => {
      flushing ??= flushAll().finally(() => (flushing = undefined));
    }, options.syncMs);
    sync.unref();
    app.addHook('onClose', async () => {
      clearInterval(sync);
      await flushAll(); // after any flush on its way: hands what is left to the other instances
    });

    const tooMany = (retryAfterMs: number, fallbackMs: number, what: string) => {
      const retryAfter = Math.max(1, Math.ceil((retryAfterMs > 0 ? retryAfterMs : fallbackMs) / 1000));
      return new AppError(429, 'RATE_LIMITED', `Too many ${what}; try again in ${retryAfter} s.`, [], {
        retryAfterSeconds: retryAfter,
      });
    };
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/health' || request.url === '/ready' || request.url === '/metrics') return;
      const callerKey = `${options.keyPrefix}ratelimit:${rateLimitKey(request.headers, request.ip)}`;
      const ipKey = `${options.keyPrefix}ratelimit:ip:${request.ip}`;
      let counted: { counts: number[]; retryAfterMs: number };
      try {
        counted = await requests.count([
          { key: callerKey, budget: callerBudget },
          { key: ipKey, budget: ipBudget },
        ]);
      } catch (error) {
        redisUnavailable(request, error);
        return;
      }
      const [count, ipCount] = counted.counts as [number, number];
      reply.header('x-ratelimit-limit', String(options.max));
      reply.header('x-ratelimit-remaining', String(Math.max(0, options.max - count)));
      if (count > options.max || ipCount > options.ipMax) throw tooMany(counted.retryAfterMs, windowMs, 'requests');
      if (isSignUp(request.method, request.url)) {
        const signUpKey = `${options.keyPrefix}ratelimit:signup:${request.ip}`;
        const made = await signUps.count([{ key: signUpKey, budget: signUpBudget }]).catch((error) => {
          redisUnavailable(request, error); // as above, let it through
          return { counts: [0], retryAfterMs: 0 };
        });
        if (made.counts[0]! > options.signUpMax)
          throw tooMany(made.retryAfterMs, signUpWindowMs, 'sign-ups from this address');
      }
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
