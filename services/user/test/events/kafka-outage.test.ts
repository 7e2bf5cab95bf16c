import { TOPICS } from '@boxoffice/contracts';
import { pendingOutboxCount } from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { EventRecorder, KafkaBrokerProcess, dropDatabase, testEnv, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

describe('when Kafka is down, writes are kept in the outbox and published once it is back', () => {
  // A private broker: stopping the shared one would break the tests running beside this one.
  const broker = new KafkaBrokerProcess(19092);
  const env = testEnv('user', { KAFKA_BROKERS: broker.brokers });
  let app: App;

  beforeAll(async () => {
    await broker.start();
    app = await buildApp(readConfig(env));
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await broker.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('when Kafka stops, users register anyway, and every event arrives after it starts, none lost', async () => {
    await broker.stop();

    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload: { name: `offline ${i}`, login_id: `offline${i}${uniqueSuffix()}`, password: 'password123' },
      });
      expect(response.statusCode).toBe(201);
      ids.push(response.json().id);
    }
    // the relay keeps trying: the rows stay pending and record their failed attempts
    await waitFor('a failed publish attempt', async () => {
      const { rows } = await app.pg.query(`SELECT max(attempts)::int AS attempts FROM outbox WHERE state = 'pending'`);
      return rows[0].attempts >= 1;
    });
    expect(await pendingOutboxCount(app.pg)).toBe(5);

    await broker.start();
    await waitFor('the outbox to drain', async () => (await pendingOutboxCount(app.pg)) === 0, { timeoutMs: 60_000 });

    const recorder = await new EventRecorder(env.KAFKA_TOPIC_PREFIX!, [TOPICS.users], broker.brokers).start();
    try {
      await waitFor(
        'all five events on the topic',
        () => ids.every((id) => recorder.events.some((e) => e.aggregateId === String(id))),
        {
          timeoutMs: 30_000,
        },
      );
      const forOurUsers = recorder.events.filter((e) => ids.includes(Number(e.aggregateId)));
      expect(new Set(forOurUsers.map((e) => e.id)).size).toBe(5);
    } finally {
      await recorder.stop();
    }
  }, 180_000);
});
