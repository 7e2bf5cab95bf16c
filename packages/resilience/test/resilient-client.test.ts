import Fastify, { type FastifyInstance } from 'fastify';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { ResilientClient, createRedis, redisReady } from '@boxoffice/resilience';
import { freePort, testInfra, uniqueSuffix } from '@boxoffice/testing';

describe('ResilientClient against a real peer process and real Redis', () => {
  let peer: FastifyInstance;
  let redis: Redis;
  let client: ResilientClient;
  let port: number;
  let calls = 0;
  const registry = new Registry();
  /** The exported circuit_breaker_open value for this client's peer (undefined: not exported). */
  async function breakerOpenMetric(): Promise<number | undefined> {
    const { values } = await registry.getSingleMetric('circuit_breaker_open')!.get();
    return values.find((value) => value.labels.peer === client.breaker.name)?.value;
  }

  async function startPeer(): Promise<void> {
    peer = Fastify({ forceCloseConnections: true }); // like a killed process: open sockets drop
    peer.get('/items/:id', async (request, reply) => {
      calls++;
      const { id } = request.params as { id: string };
      if (id === 'missing') return reply.code(404).send({ errors: { code: 'NOT_FOUND' } });
      if (id === 'slow') await new Promise((resolve) => setTimeout(resolve, 500));
      return { id, name: `item ${id}` };
    });
    await peer.listen({ host: '127.0.0.1', port });
  }

  beforeAll(async () => {
    redis = createRedis(testInfra.redisUrl);
    await redisReady(redis);
    peer = Fastify({ forceCloseConnections: true }); // like a killed process: open sockets drop
    await peer.listen({ host: '127.0.0.1', port: 0 });
    port = (peer.server.address() as { port: number }).port;
    await peer.close();
    await startPeer();
    client = new ResilientClient({
      peer: `item-${uniqueSuffix()}`,
      baseUrl: `http://127.0.0.1:${port}`,
      redis,
      timeoutMs: 200,
      resetTimeoutMs: 60_000,
      metrics: registry,
    });
  });

  afterAll(async () => {
    client.shutdown();
    await peer.close();
    redis.disconnect();
  });

  it('when the peer answers, then the answer is live and cached', async () => {
    expect(await breakerOpenMetric()).toBe(0);
    const result = await client.get<{ name: string }>('/items/1', { cacheKey: 'items/1' });
    expect(result).toEqual({ status: 200, body: { id: '1', name: 'item 1' }, stale: false });
  });

  it('when the peer answers 404, then that is an answer, not a failure', async () => {
    const result = await client.get('/items/missing', { cacheKey: 'items/missing' });
    expect(result.status).toBe(404);
    expect(client.breaker.stats.failures).toBe(0);
  });

  it('when the peer is too slow, then the cached answer is served as stale', async () => {
    await redis.set(
      `peer-cache:${client.breaker.name}:items/slow`,
      JSON.stringify({ status: 200, body: { id: 'slow', name: 'cached' } }),
    );
    const result = await client.get('/items/slow', { cacheKey: 'items/slow' });
    expect(result).toEqual({ status: 200, body: { id: 'slow', name: 'cached' }, stale: true });
  });

  it('when the peer process is down, then cached answers are stale, uncached ones are 503, and the breaker opens', async () => {
    await peer.close();
    const cached = await client.get('/items/1', { cacheKey: 'items/1' });
    expect(cached).toMatchObject({ stale: true, body: { name: 'item 1' } });
    await expect(client.get('/items/2', { cacheKey: 'items/2' })).rejects.toMatchObject({
      status: 503,
      retryAfterSeconds: 5,
    });
    await client.get('/items/1', { cacheKey: 'items/1' });
    expect(client.breaker.opened).toBe(true);
    expect(await breakerOpenMetric()).toBe(1); // what the "breaker open" alert reads
    // while open, calls do not even reach the network
    const before = calls;
    await startPeer();
    await client.get('/items/1', { cacheKey: 'items/1' });
    expect(calls).toBe(before);
  });
});

describe('ResilientClient over several instances of a peer', () => {
  it('when one instance is down, then calls go to the one that answers, none fails', async () => {
    const redis = createRedis(testInfra.redisUrl);
    await redisReady(redis);
    const alive = Fastify();
    alive.get('/who', async () => ({ answeredBy: 'alive' }));
    await alive.listen({ host: '127.0.0.1', port: 0 });
    const deadPort = await freePort(); // nothing listens here
    const client = new ResilientClient({
      peer: `multi-${uniqueSuffix()}`,
      baseUrl: `http://127.0.0.1:${deadPort},http://127.0.0.1:${(alive.server.address() as { port: number }).port}`,
      redis,
    });
    try {
      for (let i = 0; i < 4; i++) {
        expect(await client.call({ method: 'GET', path: '/who', headers: {} })).toEqual({
          status: 200,
          body: { answeredBy: 'alive' },
        });
      }
    } finally {
      client.shutdown();
      await alive.close();
      redis.disconnect();
    }
  });
});

describe('ResilientClient cache namespaces', () => {
  it("when two deployments share one Redis, then neither is ever answered from the other one's cache", async () => {
    const mine = createRedis(testInfra.redisUrl, { namespace: `a${uniqueSuffix()}.` });
    const theirs = createRedis(testInfra.redisUrl, { namespace: `b${uniqueSuffix()}.` });
    // without an offline queue, a cache write sent before the connection is up is dropped (a loaded CI machine)
    await Promise.all([redisReady(mine), redisReady(theirs)]);
    const peer = Fastify({ forceCloseConnections: true });
    peer.get('/items/1', async () => ({ id: 1, owner: 'theirs' }));
    await peer.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(peer.server.address() as { port: number }).port}`;
    const name = `shared-${uniqueSuffix()}`;
    const theirClient = new ResilientClient({ peer: name, baseUrl: url, redis: theirs });
    const myClient = new ResilientClient({ peer: name, baseUrl: url, redis: mine });
    try {
      expect((await theirClient.get('/items/1', { cacheKey: 'items/1' })).stale).toBe(false);
      await peer.close();
      await expect(myClient.get('/items/1', { cacheKey: 'items/1' })).rejects.toMatchObject({ status: 503 });
      expect(await theirClient.get('/items/1', { cacheKey: 'items/1' })).toMatchObject({
        stale: true,
        body: { owner: 'theirs' },
      });
    } finally {
      theirClient.shutdown();
      myClient.shutdown();
      mine.disconnect();
      theirs.disconnect();
    }
  });
});

describe('ResilientClient: client errors never count against the breaker', () => {
  let peer: FastifyInstance;
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedis(testInfra.redisUrl);
    await redisReady(redis);
    peer = Fastify();
    // what peers and the proxies in front of them answer to odd input: SPEC bodies, empty bodies, plain text
    peer.get('/refusals/:kind', async (request, reply) => {
      const { kind } = request.params as { kind: string };
      if (kind === 'spec') return reply.code(422).send({ errors: { code: 'VALIDATION_FAILED', detail: [] } });
      if (kind === 'empty') return reply.code(409).send();
      if (kind === 'text') return reply.code(400).type('text/plain').send('Bad Request');
      return reply.code(404).type('text/html').send('<html>not here</html>');
    });
    peer.get('/broken', async (_request, reply) => reply.code(500).send({ errors: { code: 'INTERNAL' } }));
    await peer.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await peer.close();
    redis.disconnect();
  });

  const clientOf = () =>
    new ResilientClient({
      peer: `refusing-${uniqueSuffix()}`,
      baseUrl: `http://127.0.0.1:${(peer.server.address() as { port: number }).port}`,
      redis,
      resetTimeoutMs: 60_000,
    });

  it('when a peer answers every call with a 4xx in any form, then every answer comes back and the breaker stays closed', async () => {
    const client = clientOf();
    try {
      const statuses: number[] = [];
      for (let round = 0; round < 5; round++)
        for (const kind of ['spec', 'empty', 'text', 'html'])
          statuses.push((await client.call({ method: 'GET', path: `/refusals/${kind}`, headers: {} })).status);
      expect(statuses).toEqual(Array.from({ length: 5 }, () => [422, 409, 400, 404]).flat());
      expect(client.breaker.opened).toBe(false);
      expect(client.breaker.stats.failures).toBe(0);
    } finally {
      client.shutdown();
    }
  });

  it('when the same peer answers 5xx, then those do count and open the breaker (control)', async () => {
    const client = clientOf();
    try {
      for (let i = 0; i < 4; i++)
        await client.call({ method: 'GET', path: '/broken', headers: {} }).catch(() => undefined);
      expect(client.breaker.opened).toBe(true);
    } finally {
      client.shutdown();
    }
  });
});
