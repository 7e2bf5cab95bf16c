import { as, newUser, queryDb, startShoppingStack, waitFor, type Running, type ShoppingStack } from './stack';

const replicaComplete = (service: Running, consumer: string) => async () =>
  (await queryDb(service, 'SELECT 1 FROM consumer_sync WHERE consumer = $1', [consumer])).length > 0;

describe('when a peer service is really stopped, the others keep answering from their replicas', () => {
  let stack: ShoppingStack;
  let shopper: { id: number; token: string };
  const alarmed = [8, 33, 47];

  beforeAll(async () => {
    stack = await startShoppingStack({ mode: 'process', demoItems: true });
    shopper = await newUser(stack);
    // Setting an alarm right after a cold start asks the item service on the shopper's behalf while the alarm
    // service's items replica (and the item service's users replica) are still filling, and on a loaded CI machine
    // that call can time out. What this suite tests starts after the set-up, so the set-up waits for both copies.
    await waitFor(
      'alarm: the demo items in its replica',
      async () =>
        (await queryDb<{ n: number }>(stack.alarm, 'SELECT count(*)::int AS n FROM items_replica'))[0]!.n >= 50,
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'item: the shopper in its users replica',
      async () => (await queryDb(stack.item, 'SELECT 1 FROM users_replica WHERE id = $1', [shopper.id])).length > 0,
      { timeoutMs: 30_000 },
    );
    for (const itemId of alarmed)
      expect((await as(shopper.token).post(`${stack.alarm.url}/`, { item_id: itemId })).status).toBe(201);
    // the replicas hold everything published so far: the state the design relies on
    await waitFor('item: alarms replica complete', replicaComplete(stack.item, 'item.alarms-replica'), {
      timeoutMs: 30_000,
    });
    await waitFor('alarm: items replica complete', replicaComplete(stack.alarm, 'alarm.items-replica'), {
      timeoutMs: 30_000,
    });
    await waitFor(
      'user: views and items replicas complete',
      async () =>
        (await replicaComplete(stack.user, 'user.item-views')()) &&
        (await replicaComplete(stack.user, 'user.items-replica')()),
      { timeoutMs: 30_000 },
    );
    await waitFor('the alarms in the item list', async () => {
      const items = await as(shopper.token).get(`${stack.item.url}/`);
      return (
        items.body.payload.filter((item: { is_alarm_set: boolean }) => item.is_alarm_set).length === alarmed.length
      );
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('when the alarm service is stopped, then the item list and detail still answer 200 with the right is_alarm_set', async () => {
    await stack.alarm.stop('SIGKILL');
    try {
      expect((await fetch(`${stack.alarm.url}/health`).catch(() => undefined))?.status).toBeUndefined();
      const list = await as(shopper.token).get(`${stack.item.url}/`);
      expect(list.status).toBe(200);
      expect(list.headers.get('x-data-stale')).toBeNull(); // no alarm can change while its owner is down
      const set = list.body.payload
        .filter((item: { is_alarm_set: boolean }) => item.is_alarm_set)
        .map((item: { id: number }) => item.id);
      expect(set).toEqual([...alarmed].sort((a, b) => b - a));
      for (const id of [8, 9]) {
        const detail = await as(shopper.token).get(`${stack.item.url}/${id}`);
        expect(detail.status).toBe(200);
        expect(detail.body.payload.is_alarm_set).toBe(id === 8);
      }
    } finally {
      await stack.alarm.start();
    }
  });

  it('when the item service is stopped, then the alarm list still answers 200 with item details, and alarms on known items are accepted', async () => {
    await stack.item.stop('SIGKILL');
    try {
      const list = await as(shopper.token).get(`${stack.alarm.url}/`);
      expect(list.status).toBe(200);
      expect(list.body.count).toBe(3);
      expect(list.body.payload[0]).toEqual({
        id: 47,
        name: '[하나투어] 제주 3박4일 패키지',
        broadcaster: 'hmall',
        category: '여행·레저',
        price: 399000,
      });
      expect(list.body.payload.map((item: { id: number }) => item.id)).toEqual([47, 33, 8]);

      const another = await as(shopper.token).post(`${stack.alarm.url}/`, { item_id: 20 });
      expect(another.status).toBe(201);
      const unknown = await as(shopper.token).post(`${stack.alarm.url}/`, { item_id: 99999 });
      expect(unknown.status).toBe(404); // the complete replica vouches for what exists
      expect(unknown.headers.get('x-data-stale')).toBe('true');
      await as(shopper.token).delete(`${stack.alarm.url}/`, { item_id: 20 });
    } finally {
      await stack.item.start();
    }
    // the demo items were loaded on the first start only
    expect((await as(shopper.token).get(`${stack.item.url}/`)).body.count).toBe(50);
  });

  it('when the user service is stopped, then item detail still answers 200 and the views appear in /visit once it is back', async () => {
    const viewer = await newUser(stack, 'viewer');
    // the token resolves from the item service's own users replica, not from the user service; the item
    // service was killed a moment ago, so its consumers may wait out the dead member's session (10 s) first
    await waitFor(
      'the viewer in the item users replica',
      async () => (await queryDb(stack.item, 'SELECT 1 FROM users_replica WHERE id = $1', [viewer.id])).length > 0,
      { timeoutMs: 40_000 },
    );
    await stack.user.stop('SIGKILL');

    for (const id of [1, 2, 3, 3]) expect((await as(viewer.token).get(`${stack.item.url}/${id}`)).status).toBe(200);
    expect((await as(viewer.token).get(`${stack.item.url}/`)).status).toBe(200);

    await stack.user.start();
    await waitFor(
      '3,2,1 in /visit after the restart',
      async () => {
        const visit = await as(viewer.token).get(`${stack.user.url}/visit`);
        return (
          visit.status === 200 &&
          JSON.stringify(visit.body.payload.map((item: { id: number }) => item.id)) === '[3,2,1]'
        );
      },
      { timeoutMs: 30_000 },
    );
  });
});
