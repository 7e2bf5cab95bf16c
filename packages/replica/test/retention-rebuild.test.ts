import path from 'node:path';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { ItemChanged, TOPICS, type ItemChangedPayload } from '@boxoffice/contracts';
import { withTransaction, type Queryable } from '@boxoffice/db';
import { developmentEventKey } from '@boxoffice/config';
import {
  COMPACTION_LAG_MS,
  EventSigner,
  appendEvent,
  createEventBus,
  ensureTopics,
  newEnvelope,
} from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { keyedReplica, replicaTable, snapshotRoute, type KeyedReplica } from '@boxoffice/replica';
import { createPluginHost, dropDatabase, testEnv, testInfra, waitFor } from '@boxoffice/testing';

const FIELDS = ['name', 'broadcaster', 'category', 'price', 'stock', 'deleted'] as const;
const itemsReplica = replicaTable(ItemChanged, { table: 'items_replica', key: 'id', fields: [...FIELDS] });
type Item = Omit<ItemChangedPayload, 'code' | 'broadcasts'> & { revision: number };
const INTERNAL_TOKEN = 'rebuild-test-internal-token-0000000000';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const itemAt = (id: number, revision: number): Item => ({
  id,
  name: `item ${id} r${revision}`,
  broadcaster: 'b',
  category: 'c',
  price: 100 * id + revision,
  stock: revision,
  deleted: id % 17 === 0 && revision > 1,
  revision,
});
const ownerRows = async (db: Queryable) =>
  (
    await db.query<Item>(
      'SELECT id, name, broadcaster, category, price, stock, deleted, revision FROM items ORDER BY id',
    )
  ).rows;
const replicaRows = async (db: Queryable) =>
  (
    await db.query<Item>(
      'SELECT id, name, broadcaster, category, price, stock, deleted, revision FROM items_replica ORDER BY id',
    )
  ).rows;

/** The owner (the item service's part that matters here): its items, their outbox, and its snapshot route. */
async function owner(env: Record<string, string>): Promise<App> {
  const app = await createPluginHost('item', env, [
    { namespace: 'owner', directory: path.join(__dirname, 'fixtures-owner') },
  ]);
  snapshotRoute(app, {
    contract: ItemChanged, // at /internal/snapshot/items
    async page(db, after, limit) {
      const { rows } = await db.query<Item>(
        `SELECT id, name, broadcaster, category, price, stock, deleted, revision FROM items
          WHERE id > $1 ORDER BY id LIMIT $2`,
        [Number(after ?? 0), limit],
      );
      return { rows, next: rows.length === limit ? String(rows.at(-1)!.id) : null };
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

/** A peer keeping a replica of the items, with or without the owner's snapshot to rebuild from. */
async function reader(env: Record<string, string>, group: string, snapshotUrl?: string) {
  const app = await createPluginHost('reader', env, [
    // the user service's tables, its items_replica among them
    { namespace: 'user', directory: path.join(__dirname, '..', '..', '..', 'services', 'user', 'migrations') },
  ]);
  const items: KeyedReplica<unknown, unknown> = keyedReplica(app, {
    table: itemsReplica,
    group,
    by: 'id',
    owner: { client: { peer: 'item', get: () => Promise.reject(new Error('not asked here')) }, path: () => '/' },
    ...(snapshotUrl && {
      snapshot: { url: snapshotUrl, internalToken: INTERNAL_TOKEN, pageSize: 40 },
    }),
  }) as never;
  await app.ready();
  return { app, items };
}

/**
 * Issue 19 item 5: a replica built after retention dropped the old segments of its topic. The topic starts as the
 * broker made it before (time-based deletion, here tiny segments and retention); the owner's history is on it; old
 * segments go; then replicas are built. One with the owner's snapshot ends equal to the owner row by row and says
 * where it rebuilt from; one without says it missed events and never reports itself complete. Real PostgreSQL and
 * Kafka. The broker checks retention every 5 minutes, so the test deletes the old records itself (DeleteRecords:
 * the log start offset moves and whole segments below it are removed, as retention does at its next check).
 */
describe('rebuilding a replica after retention deleted old events', () => {
  const ownerEnv = testEnv('rebuild_owner', { INTERNAL_API_TOKEN: INTERNAL_TOKEN });
  const prefix = ownerEnv.KAFKA_TOPIC_PREFIX!;
  const withSnapshotEnv = testEnv('rebuild_a', { KAFKA_TOPIC_PREFIX: prefix });
  const withoutSnapshotEnv = testEnv('rebuild_b', { KAFKA_TOPIC_PREFIX: prefix });
  const bus = createEventBus({
    brokers: testInfra.kafkaBrokers,
    clientId: 'rebuild-test',
    topicPrefix: prefix,
    logger: quiet,
  });
  const topic = bus.topic(TOPICS.items);
  /** The item service's relay as it was: signing with its key, on the topic as it then was (not via ensureTopics). */
  const itemKey = new EventSigner(developmentEventKey('item'));
  const producer = bus.kafka.producer({ allowAutoTopicCreation: false });
  let admin: Admin;
  let ownerApp: App;
  let withSnapshot: Awaited<ReturnType<typeof reader>>;
  let withoutSnapshot: Awaited<ReturnType<typeof reader>>;
  const topicConfig = async (name: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name }],
    });
    return Object.fromEntries(resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]));
  };
  /** An owner's change as its service makes it: the row and its event in one transaction. */
  const change = (item: Item) =>
    withTransaction(ownerApp.pg, async (tx) => {
      await tx.query(
        `INSERT INTO items (id, name, broadcaster, category, price, stock, deleted, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = $2, broadcaster = $3, category = $4, price = $5, stock = $6,
                                        deleted = $7, revision = $8`,
        [item.id, item.name, item.broadcaster, item.category, item.price, item.stock, item.deleted, item.revision],
      );
      const { revision, ...payload } = item;
      await appendEvent(tx, 'item', ItemChanged, { aggregateId: item.id, aggregateVersion: revision, payload });
    });

  beforeAll(async () => {
    admin = bus.kafka.admin();
    await admin.connect();
    // the topic as it was before state topics were compacted: time-based deletion, here in tiny segments
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'segment.bytes', value: '16384' },
            { name: 'retention.ms', value: '1000' },
          ],
        },
      ],
    });
    await producer.connect();
    ownerApp = await owner(ownerEnv);
  }, 60_000);

  afterAll(async () => {
    await withSnapshot?.app.close();
    await withoutSnapshot?.app.close();
    await ownerApp?.close();
    await producer.disconnect();
    await admin?.disconnect();
    await Promise.all(
      [ownerEnv, withSnapshotEnv, withoutSnapshotEnv].map((env) =>
        dropDatabase(env.DATABASE_URL!).catch(() => undefined),
      ),
    );
  });

  it('when old segments are gone, then a replica with the owner snapshot ends equal to the owner row by row, and one without never calls itself complete', async () => {
    // the owner's history: 150 items, three revisions each, published back then (before the relay we start below
    // would have switched the topic to compaction), with the owner's rows at their last revision
    for (let revision = 1; revision <= 3; revision++) {
      const items = Array.from({ length: 150 }, (_, i) => itemAt(i + 1, revision));
      // ten at a time: a batch must fit in one of the topic's tiny segments
      for (let i = 0; i < items.length; i += 10)
        await producer.send({
          topic,
          acks: -1,
          messages: items.slice(i, i + 10).map(({ revision: version, ...payload }) => ({
            key: String(payload.id),
            value: JSON.stringify(
              itemKey.sign(
                newEnvelope('item', ItemChanged, { aggregateId: payload.id, aggregateVersion: version, payload }),
              ),
            ),
          })),
        });
      await withTransaction(ownerApp.pg, async (tx) => {
        for (const item of items)
          await tx.query(
            `INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE
               SET name = $2, price = $5, stock = $6, deleted = $7, revision = $8`,
            [item.id, item.name, item.broadcaster, item.category, item.price, item.stock, item.deleted, item.revision],
          );
      });
    }
    // retention: everything but the last 10 events of each partition goes
    const before = await admin.fetchTopicOffsets(topic);
    await admin.deleteTopicRecords({
      topic,
      partitions: before.map(({ partition, high }) => ({ partition, offset: String(Math.max(0, Number(high) - 10)) })),
    });
    const after = await admin.fetchTopicOffsets(topic);
    expect(after.every(({ low, high }) => Number(low) > 0 && Number(high) - Number(low) <= 10)).toBe(true);

    withSnapshot = await reader(
      withSnapshotEnv,
      'with-snapshot.items',
      `http://127.0.0.1:${(ownerApp.server.address() as { port: number }).port}`,
    );
    withoutSnapshot = await reader(withoutSnapshotEnv, 'without-snapshot.items');
    // starting, the consumers switched the existing state topic to compaction, keeping its other settings
    await waitFor('the topic compacted', async () => (await topicConfig(topic))['cleanup.policy'] === 'compact');
    expect(await topicConfig(topic)).toMatchObject({
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': String(COMPACTION_LAG_MS),
      'segment.bytes': '16384',
    });

    // the owner goes on changing things through its outbox while the replicas rebuild: 30 items changed, 10 new
    for (let id = 1; id <= 30; id++) await change(itemAt(id, 4));
    for (let id = 151; id <= 160; id++) await change(itemAt(id, 1));

    await waitFor('the replica with a snapshot complete', () => withSnapshot.items.complete(), { timeoutMs: 60_000 });
    // the new items were written after the revision-4 changes: the relay may not have published them yet
    await waitFor('the last changes in the replica', async () => {
      const rows = await replicaRows(withSnapshot.app.pg);
      return rows.length === 160 && rows.filter((row) => row.revision === 4).length === 30;
    });
    const owned = await ownerRows(ownerApp.pg);
    expect(owned).toHaveLength(160);
    expect(await replicaRows(withSnapshot.app.pg)).toEqual(owned);
    const metrics = (await withSnapshot.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /events_consumer_rebuilds_total\{group="with-snapshot\.items",source="snapshot",service="reader"\} 1/,
    );
    expect(metrics).toMatch(
      /events_consumer_missed_messages\{group="with-snapshot\.items",topic="item\.items",service="reader"\} 0/,
    );

    // without a snapshot: it reads what is left and applies it, but knows it lacks the rest
    await waitFor(
      'the replica without a snapshot has read the tail',
      async () => (await replicaRows(withoutSnapshot.app.pg)).filter((row) => row.revision === 4).length === 30,
    );
    const partial = await replicaRows(withoutSnapshot.app.pg);
    expect(partial.length).toBeLessThan(owned.length);
    expect(withoutSnapshot.items.complete()).toBe(false);
    const sync = await withoutSnapshot.app.pg.query('SELECT 1 FROM consumer_sync');
    expect(sync.rowCount).toBe(0);
    const missing = (await withoutSnapshot.app.inject({ method: 'GET', url: '/metrics' })).body;
    const lost = before.reduce((sum, { high }) => sum + Math.max(0, Number(high) - 10), 0);
    expect(missing).toContain(
      `events_consumer_missed_messages{group="without-snapshot.items",topic="item.items",service="reader"} ${lost}`,
    );
    expect(missing).toMatch(
      /events_consumer_rebuilds_total\{group="without-snapshot\.items",source="incomplete",service="reader"\} 1/,
    );
  });

  it('when the snapshot route is called without the internal token, then it answers 401', async () => {
    const response = await ownerApp.inject({ method: 'GET', url: '/internal/snapshot/items' });
    expect(response.statusCode).toBe(401);
    const allowed = await ownerApp.inject({
      method: 'GET',
      url: '/internal/snapshot/items?limit=2',
      headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    expect(allowed.json()).toMatchObject({ count: 2, next: '2' });
  });

  it('when a state topic is created, then it is log-compacted; a topic of facts keeps time-based deletion', async () => {
    const fresh = createEventBus({
      brokers: testInfra.kafkaBrokers,
      clientId: 'fresh',
      topicPrefix: `${prefix}fresh.`,
      logger: quiet,
    });
    await ensureTopics(fresh, [fresh.topic(TOPICS.alarms), fresh.topic(TOPICS.payments)]);
    expect(await topicConfig(fresh.topic(TOPICS.alarms))).toMatchObject({
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': String(COMPACTION_LAG_MS),
    });
    expect((await topicConfig(fresh.topic(TOPICS.payments)))['cleanup.policy']).toBe('delete');
  });
});
