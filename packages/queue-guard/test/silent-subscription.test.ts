import { spawn } from 'node:child_process';
import Redis from 'ioredis';
import type { App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { createPluginHost, dropDatabase, freePort, testEnv, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../../../services/queue/test/support/queue-kit';

/** A Redis of this test's own: pausing the shared one would stall every other suite running beside it. */
async function startPrivateRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('the private redis', async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  });
  return { url, stop: () => child.kill('SIGKILL') };
}

describe('queue-guard when its subscription goes silent without closing', () => {
  const kit = new QueueKit({ QUEUE_MAX_ACTIVE: '1' });
  let redis: { url: string; stop(): void };
  let admin: Redis;
  let guardedEnv: Record<string, string>;
  let guarded: App;

  beforeAll(async () => {
    await kit.start();
    await kit.app.listen({ host: '127.0.0.1', port: 0 });
    const queueUrl = `http://127.0.0.1:${(kit.app.server.address() as { port: number }).port}`;
    redis = await startPrivateRedis();
    admin = new Redis(redis.url);
    guardedEnv = testEnv('guarded', { KAFKA_TOPIC_PREFIX: kit.env.KAFKA_TOPIC_PREFIX!, REDIS_URL: redis.url });
    guarded = await createPluginHost('guarded', guardedEnv, [QUEUE_GUARD_MIGRATIONS]);
    // an ACTIVE status is kept far longer than the test waits: only the guard noticing the silence can end it
    await guarded.register(queueGuardPlugin, {
      queueServiceUrl: queueUrl,
      consumerGroup: 'guarded',
      activeCacheMs: 600_000,
    });
    guarded.get('/concerts', { preHandler: guarded.requireActiveQueueToken }, async (request) => request.queueToken);
    await guarded.ready();
  });
  afterAll(async () => {
    await admin?.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin?.disconnect();
    await guarded?.close();
    await kit.close();
    redis?.stop();
    if (guardedEnv) await dropDatabase(guardedEnv.DATABASE_URL!);
  });

  const replicaShows = (tokenId: string, status: string) =>
    waitFor(
      `the replica to show the token ${status}`,
      async () =>
        (
          await guarded.pg.query('SELECT 1 FROM queue_tokens_replica WHERE token_id = $1 AND status = $2', [
            tokenId,
            status,
          ])
        ).rowCount,
      { timeoutMs: 20_000 },
    );
  const concerts = (token: string) =>
    guarded.inject({ method: 'GET', url: '/concerts', headers: { authorization: `Bearer ${token}` } });

  it('when no message (not even its own heartbeat) arrives, then it stops trusting a cached ACTIVE and refuses a paid token', async () => {
    const [payer] = await kit.users(1);
    const paid = await kit.joined(payer!);
    await waitFor('the payer admitted', async () => (await kit.status(paid.token)).status === 'ACTIVE');
    await replicaShows(paid.uuid, 'ACTIVE');
    expect((await concerts(paid.token)).statusCode).toBe(200); // cached as ACTIVE from here on

    // Every PUBLISH now waits: the subscription stays open and hears nothing, as a half-open connection would.
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    await kit.purchaseFinished(payer!.id);
    await replicaShows(paid.uuid, 'EXPIRED');
    expect((await concerts(paid.token)).statusCode).toBe(200); // the broadcast is stuck: the cache still says ACTIVE
    await waitFor(
      'the paid token refused once the silence is noticed',
      async () => (await concerts(paid.token)).statusCode === 401,
      {
        timeoutMs: 30_000,
      },
    );
  }, 90_000);
});
