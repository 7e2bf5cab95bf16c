import path from 'node:path';
import { TOPICS, UserChanged } from '@boxoffice/contracts';
import { createPool, ensureDatabase, migrate, type Pool } from '@boxoffice/db';
import { SERVICE_PORTS, developmentEventKey, developmentVerifyKeys } from '@boxoffice/config';
import {
  EVENTS_MIGRATIONS,
  EventConsumer,
  EventSigner,
  EventVerifier,
  applyToReplica,
  createEventBus,
  parseVerifyKeys,
  type EventBus,
} from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, uniqueSuffix, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('a second service builds a replica of users from Kafka', () => {
  const env = testEnv('user');
  const replicaUrl = testEnv('replica').DATABASE_URL!;
  let app: App;
  let replicaPool: Pool;
  let bus: EventBus;
  let consumer: EventConsumer;

  beforeAll(async () => {
    app = await buildApp(readConfig(env));
    await app.ready();
    await ensureDatabase(replicaUrl);
    replicaPool = createPool(replicaUrl);
    await migrate(replicaPool, [
      EVENTS_MIGRATIONS,
      { namespace: 'reader', directory: path.join(__dirname, 'fixtures') },
    ]);
    bus = createEventBus({
      brokers: env.KAFKA_BROKERS!,
      clientId: 'reader',
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      logger: quiet,
    });
    consumer = new EventConsumer({
      bus,
      pool: replicaPool,
      groupId: 'reader',
      verifier: new EventVerifier(parseVerifyKeys(developmentVerifyKeys(Object.keys(SERVICE_PORTS)))),
    }).on(UserChanged, async (event, db) => {
      const user = event.payload;
      await applyToReplica(
        db,
        'users_replica',
        'id',
        {
          id: user.id,
          name: user.name,
          role: user.role,
          access_token_sha256: user.accessTokenSha256,
          deleted: user.deleted,
        },
        event.aggregateVersion,
      );
      await db.query('UPDATE users_replica SET times_applied = times_applied + 1 WHERE id = $1', [user.id]);
    });
    consumer.start();
  });

  afterAll(async () => {
    await consumer.stop();
    await app.close();
    await replicaPool.end();
    await Promise.all([dropDatabase(env.DATABASE_URL!), dropDatabase(replicaUrl)]);
  });

  it('when users register, then the replica holds each of them, and a redelivered event changes nothing', async () => {
    const names = ['Ivan', 'Judy', 'Mallory'];
    const users = [];
    for (const name of names) {
      const response = await app.inject({
        method: 'POST',
        url: '/users',
        payload: { name, login_id: `${name}${uniqueSuffix()}`, password: 'password123' },
      });
      users.push(response.json());
    }
    const ids = users.map((u) => u.id);
    await waitFor('all three users in the replica', async () => {
      const { rows } = await replicaPool.query('SELECT count(*)::int AS n FROM users_replica WHERE id = ANY($1)', [
        ids,
      ]);
      return rows[0].n === 3;
    });

    // Kafka may deliver an event again (a consumer restart before its offset was committed): send one twice more.
    const { rows: outboxRows } = await app.pg.query(`SELECT payload FROM outbox WHERE aggregate_id = $1`, [
      String(ids[0]),
    ]);
    // what the relay sent: the outbox row signed with the user service's (development) key
    const original = new EventSigner(developmentEventKey('user')).sign(outboxRows[0].payload);
    const producer = bus.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: bus.topic(TOPICS.users),
      messages: [original, original].map((event) => ({ key: String(ids[0]), value: JSON.stringify(event) })),
    });
    await producer.disconnect();
    // wait until the reader's group has committed past every message on the topic, duplicates included
    const admin = bus.kafka.admin();
    await admin.connect();
    await waitFor('the reader to consume the duplicates', async () => {
      const [committed] = await admin.fetchOffsets({ groupId: bus.topic('reader'), topics: [bus.topic(TOPICS.users)] });
      const ends = await admin.fetchTopicOffsets(bus.topic(TOPICS.users));
      return ends.every((end) => {
        const done = committed!.partitions.find((p) => p.partition === end.partition);
        return Math.max(0, Number(done?.offset ?? 0)) === Number(end.offset);
      });
    });
    await admin.disconnect();

    const { rows } = await replicaPool.query(
      'SELECT id, name, times_applied FROM users_replica WHERE id = ANY($1) ORDER BY id',
      [ids],
    );
    expect(rows).toEqual(users.map((u) => ({ id: u.id, name: u.name, times_applied: 1 })));
  });

  it('when a peer pages through the snapshot route, then it holds exactly the state the events built, row by row', async () => {
    for (const name of ['Nia', 'Oscar', 'Peggy', 'Quinn', 'Rupert'])
      await app.inject({
        method: 'POST',
        url: '/users',
        payload: { name, login_id: `${name}${uniqueSuffix()}`, password: 'password123' },
      });
    const { rows: owned } = await app.pg.query<{ id: number }>('SELECT id FROM users ORDER BY id');
    const replica = async () =>
      (
        await replicaPool.query(
          `SELECT id, name, role, access_token_sha256 AS "accessTokenSha256", deleted, revision
             FROM users_replica ORDER BY id`,
        )
      ).rows;
    await waitFor('every user in the replica', async () => (await replica()).length === owned.length);

    const snapshot: unknown[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<App['inject']>> = await app.inject({
        method: 'GET',
        url: `/internal/snapshot/users?limit=3${after ? `&after=${after}` : ''}`,
        headers: { 'x-internal-token': readConfig(env).INTERNAL_API_TOKEN },
      });
      expect(page.statusCode).toBe(200);
      snapshot.push(...page.json().payload);
      after = page.json().next;
    } while (after !== null);
    expect(snapshot).toEqual(await replica());
    const refused = await app.inject({ method: 'GET', url: '/internal/snapshot/users' });
    expect(refused.statusCode).toBe(401);
  });
});
