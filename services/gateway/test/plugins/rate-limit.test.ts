import Fastify, { type FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import type { App } from '@boxoffice/http';
import { freePort, testEnv, testInfra, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';
import { rateLimitKey } from '../../src/domain/rate-limit-key';

/**
 * Two gateway instances on one Redis: each counts its callers locally and adds its counts to Redis every
 * RATE_LIMIT_SYNC_MS, so a limit holds across instances (to within each instance's budget of a tenth of it).
 */
describe('rate limit shared by gateway instances', () => {
  const prefix = `t${uniqueSuffix()}.`;
  const MAX = 50;
  let upstream: FastifyInstance;
  let one: App;
  let two: App;
  let redis: Redis;

  beforeAll(async () => {
    upstream = Fastify({ forceCloseConnections: true });
    upstream.all('/*', async () => ({ ok: true }));
    await upstream.listen({ host: '127.0.0.1', port: 0 });
    const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
    const instance = () =>
      buildApp(
        readConfig({
          ...testEnv('gateway'),
          TICKET_SERVICE_URLS: upstreamUrl,
          RATE_LIMIT_MAX: String(MAX),
          RATE_LIMIT_IP_MAX: '100000',
          RATE_LIMIT_WINDOW_SECONDS: '120',
          RATE_LIMIT_SYNC_MS: '20',
          KAFKA_TOPIC_PREFIX: prefix,
        }),
      );
    [one, two] = await Promise.all([instance(), instance()]);
    await Promise.all([one.ready(), two.ready()]);
    redis = new Redis(testInfra.redisUrl);
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close()]);
    await upstream.close();
    redis.disconnect();
  });

  const ask = (gateway: App, token: string) =>
    gateway.inject({ method: 'GET', url: '/events', headers: { 'user-token': token } });
  const sharedCount = async (token: string) =>
    Number(await redis.get(`${prefix}ratelimit:${rateLimitKey({ 'user-token': token }, '127.0.0.1')}`));

  it('when a caller spends its allowance on one instance, then the other refuses it with 429 and Retry-After', async () => {
    const token = `shared-a-${uniqueSuffix()}`;
    const statuses: number[] = [];
    for (let i = 0; i < MAX; i++) statuses.push((await ask(one, token)).statusCode);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitFor('the first instance to add its counts to Redis', async () => (await sharedCount(token)) >= MAX);
    const refused = await ask(two, token);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().errors.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  it('when a caller alternates between the instances, then Redis holds every request and it gets its limit, at most a budget per instance more', async () => {
    const token = `shared-b-${uniqueSuffix()}`;
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      for (const gateway of [one, two]) if ((await ask(gateway, token)).statusCode === 200) admitted++;
    }
    await waitFor('both instances to add their counts to Redis', async () => (await sharedCount(token)) === 80);
    expect(admitted).toBeGreaterThanOrEqual(MAX);
    expect(admitted).toBeLessThanOrEqual(MAX + 2 * (MAX / 10));
  });

  it('when an instance closes, then the requests it counted reach Redis', async () => {
    const token = `shared-c-${uniqueSuffix()}`;
    const extra = await buildApp(
      readConfig({
        ...testEnv('gateway'),
        TICKET_SERVICE_URLS: `http://127.0.0.1:${await freePort()}`, // nothing listens: the one request let through gets 503
        RATE_LIMIT_MAX: '1',
        RATE_LIMIT_SYNC_MS: '10000',
        KAFKA_TOPIC_PREFIX: prefix,
      }),
    );
    await extra.ready();
    expect((await ask(extra, token)).statusCode).toBe(503); // the window's first request: counted in Redis
    for (let i = 0; i < 3; i++) expect((await ask(extra, token)).statusCode).toBe(429);
    // with a budget of 1, every second request takes the previous one to Redis with it: the last is local only
    expect(await sharedCount(token)).toBe(3);
    await extra.close();
    expect(await sharedCount(token)).toBe(4);
  });

  it('when an instance closes while a sync is on its way, then every request it counted still reaches Redis', async () => {
    const token = `shared-d-${uniqueSuffix()}`;
    const busy = await buildApp(
      readConfig({
        ...testEnv('gateway'),
        TICKET_SERVICE_URLS: `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`,
        RATE_LIMIT_MAX: '1000',
        RATE_LIMIT_SYNC_MS: '10',
        KAFKA_TOPIC_PREFIX: prefix,
      }),
    );
    await busy.ready();
    await Promise.all(Array.from({ length: 30 }, () => ask(busy, token)));
    await busy.close();
    expect(await sharedCount(token)).toBe(30);
  });
});
