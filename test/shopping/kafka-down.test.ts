import { KafkaBrokerProcess } from '@boxoffice/testing';
import {
  ADMIN_TOKEN,
  as,
  newUser,
  queryDb,
  startShoppingStack,
  waitFor,
  type Running,
  type ShoppingStack,
} from './stack';

const count = async (service: Running, sql: string, params: unknown[] = []) =>
  (await queryDb<{ n: number }>(service, sql, params))[0]!.n;
const published = (service: Running, type: string) =>
  count(service, `SELECT count(*)::int AS n FROM outbox WHERE type = $1 AND state = 'published'`, [type]);
const pending = (service: Running) => count(service, `SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'`);
const applied = (service: Running, consumer: string) =>
  count(service, 'SELECT count(*)::int AS n FROM inbox WHERE consumer = $1', [consumer]);
const complete = (service: Running, consumer: string) => async () =>
  (await count(service, 'SELECT count(*)::int AS n FROM consumer_sync WHERE consumer = $1', [consumer])) === 1;

describe('when Kafka is down, reads answer, writes are accepted, and every change reaches the replicas once it is back', () => {
  // a private broker: stopping the shared one would break the tests running beside this one
  const broker = new KafkaBrokerProcess(19292);
  let stack: ShoppingStack;
  let shopper: { id: number; token: string };

  beforeAll(async () => {
    await broker.start();
    stack = await startShoppingStack({ mode: 'process', demoItems: true, kafkaBrokers: broker.brokers });
    shopper = await newUser(stack);
    const consumers: [Running, string][] = [
      [stack.item, 'item.alarms-replica'],
      [stack.item, 'item.users-replica'],
      [stack.alarm, 'alarm.items-replica'],
      [stack.alarm, 'alarm.users-replica'],
      [stack.user, 'user.item-views'],
      [stack.user, 'user.items-replica'],
      [stack.user, 'user.alarms-replica'],
    ];
    for (const [service, consumer] of consumers)
      await waitFor(`${consumer} complete`, complete(service, consumer), { timeoutMs: 60_000 });
    for (const service of [stack.item, stack.alarm]) {
      await waitFor(
        'the shopper in the users replica',
        async () =>
          (await count(service, 'SELECT count(*)::int AS n FROM users_replica WHERE id = $1', [shopper.id])) === 1,
      );
    }
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await broker.stop();
  });

  it('when Kafka stops and starts again, then nothing is lost and nothing doubled', async () => {
    const client = as(shopper.token);
    await broker.stop();

    // reads keep answering from the replicas
    expect((await client.get(`${stack.item.url}/`)).status).toBe(200);
    expect((await client.get(`${stack.alarm.url}/`)).status).toBe(200);
    expect((await client.get(`${stack.user.url}/visit`)).status).toBe(200);

    // writes are accepted: 10 alarms set and 3 cleared, 5 views, an item added and one changed
    const setOn = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
    const clearOn = [4, 8, 12];
    for (const itemId of setOn)
      expect((await client.post(`${stack.alarm.url}/`, { item_id: itemId })).status).toBe(201);
    for (const itemId of clearOn)
      expect((await client.delete(`${stack.alarm.url}/`, { item_id: itemId })).status).toBe(200);
    for (const itemId of [31, 32, 33, 34, 35])
      expect((await client.get(`${stack.item.url}/${itemId}`)).status).toBe(200);
    const created = await as(ADMIN_TOKEN).post(`${stack.item.url}/`, {
      name: 'offline item',
      broadcaster: 'hmall',
      category: '식품',
      price: 5000,
      stock: 5,
    });
    expect(created.status).toBe(201);
    expect((await as(ADMIN_TOKEN).patch(`${stack.item.url}/1`, { price: 200000 })).status).toBe(200);

    // the changes wait in the owners' outboxes
    expect(await pending(stack.alarm)).toBe(13);
    expect(await pending(stack.item)).toBe(7);
    // the item list still answers; alarms set meanwhile are not in its replica yet, and it says the data may be stale
    const during = await waitFor(
      'the item list to flag itself stale',
      async () => {
        const list = await client.get(`${stack.item.url}/`);
        return list.headers.get('x-data-stale') === 'true' && list;
      },
      { timeoutMs: 60_000 },
    );
    expect(during.status).toBe(200);

    await broker.start();
    const finalSet = setOn.filter((id) => !clearOn.includes(id)).sort((a, b) => b - a);

    await waitFor(
      'both outboxes to drain',
      async () => (await pending(stack.alarm)) === 0 && (await pending(stack.item)) === 0,
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'the item list to show the alarms set while Kafka was down',
      async () => {
        const list = await client.get(`${stack.item.url}/`);
        const alarmed = list.body.payload
          .filter((item: { is_alarm_set: boolean }) => item.is_alarm_set)
          .map((item: { id: number }) => item.id);
        return JSON.stringify(alarmed) === JSON.stringify(finalSet) && list.headers.get('x-data-stale') === null;
      },
      { timeoutMs: 60_000 },
    );
    await waitFor(
      '/visit to show the views made while Kafka was down, with the alarms',
      async () => {
        const visit = await client.get(`${stack.user.url}/visit`);
        return (
          JSON.stringify(visit.body.payload.map((item: { id: number }) => item.id)) === '[35,34,33]' &&
          visit.headers.get('x-data-stale') === null
        );
      },
      { timeoutMs: 60_000 },
    );

    // count them: every event the owners published was applied exactly once by every replica
    const alarmEvents = await published(stack.alarm, 'alarm.changed');
    const itemEvents = await published(stack.item, 'item.changed');
    const viewEvents = await published(stack.item, 'item.viewed');
    expect(alarmEvents).toBe(13);
    expect(viewEvents).toBe(5);
    expect(itemEvents).toBe(50 + 2);
    await waitFor(
      'every replica to have applied every event',
      async () =>
        (await applied(stack.item, 'item.alarms-replica')) === alarmEvents &&
        (await applied(stack.user, 'user.alarms-replica')) === alarmEvents &&
        (await applied(stack.alarm, 'alarm.items-replica')) === itemEvents &&
        (await applied(stack.user, 'user.items-replica')) === itemEvents &&
        (await applied(stack.user, 'user.item-views')) === viewEvents,
      { timeoutMs: 60_000 },
    );
    expect(await count(stack.user, 'SELECT count(*)::int AS n FROM item_views WHERE user_id = $1', [shopper.id])).toBe(
      5,
    );
    const replicaAlarms = async (service: Running) =>
      (
        await queryDb<{ item_id: number }>(
          service,
          'SELECT item_id FROM alarms_replica WHERE user_id = $1 AND active ORDER BY item_id DESC',
          [shopper.id],
        )
      ).map((row) => row.item_id);
    expect(await replicaAlarms(stack.item)).toEqual(finalSet);
    expect(await replicaAlarms(stack.user)).toEqual(finalSet);
    for (const service of [stack.alarm, stack.user]) {
      const [changed] = await queryDb(service, 'SELECT price FROM items_replica WHERE id = 1');
      expect(changed).toEqual({ price: 200000 });
      const [added] = await queryDb(service, 'SELECT name FROM items_replica WHERE id = $1', [created.body.payload.id]);
      expect(added).toEqual({ name: 'offline item' });
    }
    const alarmList = await client.get(`${stack.alarm.url}/`);
    expect(alarmList.body.payload.map((item: { id: number }) => item.id)).toEqual(finalSet);
  }, 300_000);
});
