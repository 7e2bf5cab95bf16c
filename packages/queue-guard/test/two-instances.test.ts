import type { App } from '@boxoffice/http';
import { QUEUE_GUARD_MIGRATIONS, queueGuardPlugin } from '@boxoffice/queue-guard';
import { createPluginHost, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { QueueKit } from '../../../services/queue/test/support/queue-kit';

/** One instance of a guarded service; several built on one env share the database, the group and the channel. */
async function buildGuarded(env: Record<string, string>, queueServiceUrl: string): Promise<App> {
  const app = await createPluginHost('guarded', env, [QUEUE_GUARD_MIGRATIONS]);
  // an ACTIVE status is kept far longer than the test waits: only a heard change can end it in time
  await app.register(queueGuardPlugin, { queueServiceUrl, consumerGroup: 'guarded', activeCacheMs: 600_000 });
  app.get('/concerts', { preHandler: app.requireActiveQueueToken }, async (request) => request.queueToken);
  await app.ready();
  return app;
}

describe('queue-guard with two instances of the guarded service', () => {
  const kit = new QueueKit({ QUEUE_MAX_ACTIVE: '1' });
  let guardedEnv: Record<string, string>;
  const instances: App[] = [];

  beforeAll(async () => {
    await kit.start();
    await kit.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(kit.app.server.address() as { port: number }).port}`;
    guardedEnv = testEnv('guarded', { KAFKA_TOPIC_PREFIX: kit.env.KAFKA_TOPIC_PREFIX! });
    instances.push(await buildGuarded(guardedEnv, url));
    instances.push(await buildGuarded(guardedEnv, url));
  });
  afterAll(async () => {
    await Promise.all(instances.map((app) => app.close()));
    await kit.close();
    await dropDatabase(guardedEnv.DATABASE_URL!);
  });

  const concerts = (app: App, token: string) =>
    app.inject({ method: 'GET', url: '/concerts', headers: { authorization: `Bearer ${token}` } });

  it('when an ACTIVE token cached by both instances is paid for, then both refuse it, though only one consumed the event', async () => {
    const [payer, next] = await kit.users(2);
    const paid = await kit.joined(payer!);
    await waitFor('the payer admitted', async () => (await kit.status(paid.token)).status === 'ACTIVE');
    const waiting = await kit.joined(next!);
    await waitFor(
      'the replica to show the token ACTIVE',
      async () =>
        (
          await instances[0]!.pg.query("SELECT 1 FROM queue_tokens_replica WHERE token_id = $1 AND status = 'ACTIVE'", [
            paid.uuid,
          ])
        ).rowCount,
      { timeoutMs: 20_000 },
    );
    // both instances now hold the ACTIVE status in memory
    for (const app of instances) expect((await concerts(app, paid.token)).statusCode).toBe(200);

    await kit.purchaseFinished(payer!.id);
    for (const app of instances) {
      await waitFor(
        'the paid token refused by every instance',
        async () => (await concerts(app, paid.token)).statusCode === 401,
        { timeoutMs: 20_000 },
      );
    }
    for (const app of instances) {
      await waitFor(
        'the next in line let in by every instance',
        async () => (await concerts(app, waiting.token)).statusCode === 200,
        { timeoutMs: 20_000 },
      );
    }
  });
});
