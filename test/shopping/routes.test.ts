import { ADMIN_TOKEN, as, newItem, newUser, startShoppingStack, waitFor, type ShoppingStack } from './stack';

const ITEM_FIELDS = ['broadcaster', 'category', 'id', 'is_alarm_set', 'name', 'price'];
/** The item service's own views add the public product code and the next broadcast's start (issue 15). */
const SHOPPER_ITEM_FIELDS = [...ITEM_FIELDS, 'next_broadcast_at', 'product_code'].sort();

describe('shopping routes (SPEC §1–§3): item, alarm and user /visit wired together', () => {
  let stack: ShoppingStack;
  let shopper: { id: number; token: string };

  beforeAll(async () => {
    stack = await startShoppingStack({ mode: 'in-process', demoItems: true });
    shopper = await newUser(stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  describe('item service', () => {
    it('when the list is asked for, then the 50 demo items come id descending with exactly the SPEC fields', async () => {
      const response = await as(shopper.token).get(`${stack.item.url}/`);
      expect(response.status).toBe(200);
      expect(response.body.count).toBe(50);
      const ids = response.body.payload.map((item: { id: number }) => item.id);
      expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
      expect(ids[0]).toBe(50);
      expect(Object.keys(response.body.payload[0]).sort()).toEqual(SHOPPER_ITEM_FIELDS);
      expect(response.body.payload[0]).toEqual({
        id: 50,
        name: '[역대최다-13종]17WINTER 레그미인',
        broadcaster: 'cjmall',
        category: '패션·잡화',
        price: 78900,
        is_alarm_set: false,
        product_code: 'P050',
        next_broadcast_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/),
      });
      // the demo schedule puts every item on air within the next days
      expect(Date.parse(response.body.payload[0].next_broadcast_at)).toBeGreaterThan(Date.now());
    });

    it('when offset and limit are given, then that page comes, count still the total; a limit over 500 is 422', async () => {
      const page = await as(shopper.token).get(`${stack.item.url}/?offset=10&limit=5`);
      expect(page.status).toBe(200);
      expect(page.body.count).toBeGreaterThanOrEqual(50);
      expect(page.body.payload).toHaveLength(5);
      const all = await as(shopper.token).get(`${stack.item.url}/`);
      expect(page.body.payload).toEqual(all.body.payload.slice(10, 15));
      const tooMany = await as(shopper.token).get(`${stack.item.url}/?limit=501`);
      expect(tooMany.status).toBe(422);
      expect(tooMany.body.errors.detail[0]).toMatchObject({ location: 'query', param: 'limit', error: 'RangeError' });
    });

    it('when an item is asked for, then its payload comes; unknown → 404; malformed id → 422; trailing slash ignored', async () => {
      const one = await as(shopper.token).get(`${stack.item.url}/7/`);
      expect(one.status).toBe(200);
      expect(Object.keys(one.body.payload).sort()).toEqual(SHOPPER_ITEM_FIELDS);
      expect(one.body.payload.id).toBe(7);
      const unknown = await as(shopper.token).get(`${stack.item.url}/999999`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors).toMatchObject({
        code: 'NOT_FOUND',
        message: "Item with item id: 999999 doesn't exist.",
      });
      const malformed = await as(shopper.token).get(`${stack.item.url}/abc`);
      expect(malformed.status).toBe(422);
      expect(malformed.body.errors.detail[0]).toMatchObject({ location: 'path', param: 'item_id' });
    });

    it('when USER-TOKEN is missing, malformed or unknown, then 401 on every shopping route', async () => {
      const urls = [`${stack.item.url}/`, `${stack.item.url}/1`, `${stack.alarm.url}/`, `${stack.user.url}/visit`];
      for (const url of urls) {
        expect((await fetch(url)).status).toBe(401);
        expect((await as('not-a-uuid').get(url)).status).toBe(401);
        expect((await as('11111111-2222-4333-8444-555555555555').get(url)).status).toBe(401);
      }
    });

    it('when an admin adds, changes and removes an item, then 201 with Location, 200, 204; others get 403', async () => {
      const created = await as(ADMIN_TOKEN).post(`${stack.item.url}/`, {
        name: '새 상품',
        broadcaster: 'gsshop',
        category: '식품',
        price: 12000,
        stock: 3,
      });
      expect(created.status).toBe(201);
      const id = created.body.payload.id;
      expect(created.headers.get('location')).toBe(`/${id}`);
      expect(created.body.payload).toEqual({
        id,
        name: '새 상품',
        broadcaster: 'gsshop',
        category: '식품',
        price: 12000,
        stock: 3,
        is_alarm_set: false,
        product_code: null,
        next_broadcast_at: null,
      });

      const changed = await as(ADMIN_TOKEN).patch(`${stack.item.url}/${id}`, { price: 9900 });
      expect(changed.status).toBe(200);
      expect(changed.body.payload).toMatchObject({ id, price: 9900, stock: 3 });
      const list = await as(shopper.token).get(`${stack.item.url}/`);
      expect(list.body.payload[0]).toMatchObject({ id, price: 9900 });
      expect(list.body.payload[0].stock).toBeUndefined();

      expect(
        (
          await as(shopper.token).post(`${stack.item.url}/`, {
            name: 'x',
            broadcaster: 'x',
            category: 'x',
            price: 1,
            stock: 1,
          })
        ).status,
      ).toBe(403);
      expect((await as(shopper.token).delete(`${stack.item.url}/${id}`)).status).toBe(403);

      const removed = await as(ADMIN_TOKEN).delete(`${stack.item.url}/${id}`);
      expect(removed.status).toBe(204);
      expect((await as(shopper.token).get(`${stack.item.url}/${id}`)).status).toBe(404);
      expect((await as(ADMIN_TOKEN).delete(`${stack.item.url}/${id}`)).status).toBe(404);
    });

    it('when an item body is wrong, then 422 lists every field', async () => {
      const response = await as(ADMIN_TOKEN).post(`${stack.item.url}/`, {
        name: '',
        price: -1,
        stock: '3',
        colour: 'red',
      });
      expect(response.status).toBe(422);
      const detail = response.body.errors.detail
        .map((d: { param: string; error: string }) => `${d.param}:${d.error}`)
        .sort();
      expect(detail).toEqual([
        'broadcaster:MissingField',
        'category:MissingField',
        'colour:UnknownField',
        'name:RangeError',
        'price:RangeError',
        'stock:TypeError',
      ]);
      const empty = await as(ADMIN_TOKEN).patch(`${stack.item.url}/1`, {});
      expect(empty.status).toBe(422);
    });
  });

  describe('alarm service', () => {
    it('when alarms are set, then 201 {} (again: 201), the list is item id descending with item fields, and the item list shows them', async () => {
      const user = await newUser(stack, 'alarmist');
      const client = as(user.token);
      for (const itemId of [3, 41, 17]) {
        const set = await client.post(`${stack.alarm.url}/`, { item_id: itemId });
        expect(set.status).toBe(201);
        expect(set.body).toEqual({});
        expect(set.headers.get('location')).toBe(`/${itemId}`);
      }
      expect((await client.post(`${stack.alarm.url}/`, { item_id: 41 })).status).toBe(201);

      const list = await client.get(`${stack.alarm.url}/`);
      expect(list.status).toBe(200);
      expect(list.body.count).toBe(3);
      expect(list.body.payload.map((item: { id: number }) => item.id)).toEqual([41, 17, 3]);
      expect(Object.keys(list.body.payload[0]).sort()).toEqual(['broadcaster', 'category', 'id', 'name', 'price']);

      const one = await client.get(`${stack.alarm.url}/17`);
      expect(one.status).toBe(200);
      expect(one.body.payload.id).toBe(17);

      await waitFor('the alarms in the item list', async () => {
        const items = await client.get(`${stack.item.url}/`);
        const alarmed = items.body.payload
          .filter((item: { is_alarm_set: boolean }) => item.is_alarm_set)
          .map((item: { id: number }) => item.id);
        return JSON.stringify(alarmed) === JSON.stringify([41, 17, 3]);
      });
      expect((await client.get(`${stack.item.url}/17`)).body.payload.is_alarm_set).toBe(true);
      // another user's list is untouched
      const others = await as(shopper.token).get(`${stack.item.url}/`);
      expect(others.body.payload.filter((item: { is_alarm_set: boolean }) => item.is_alarm_set)).toEqual([]);
    });

    it('when an alarm is cleared, then 200 {} (again: 200) and it leaves both lists', async () => {
      const user = await newUser(stack, 'clearer');
      const client = as(user.token);
      await client.post(`${stack.alarm.url}/`, { item_id: 5 });
      await waitFor(
        'the alarm in the item list',
        async () => (await client.get(`${stack.item.url}/5`)).body.payload.is_alarm_set,
      );
      const cleared = await client.delete(`${stack.alarm.url}/`, { item_id: 5 });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toEqual({});
      expect((await client.delete(`${stack.alarm.url}/`, { item_id: 5 })).status).toBe(200);
      expect((await client.get(`${stack.alarm.url}/`)).body).toEqual({ count: 0, payload: [] });
      expect((await client.get(`${stack.alarm.url}/5`)).status).toBe(404);
      await waitFor(
        'the alarm gone from the item list',
        async () => (await client.get(`${stack.item.url}/5`)).body.payload.is_alarm_set === false,
      );
    });

    it('when the item does not exist, then 404; when the body is wrong, then 422', async () => {
      const client = as(shopper.token);
      const unknown = await client.post(`${stack.alarm.url}/`, { item_id: 999999 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors.message).toBe("Item with item id: 999999 doesn't exist.");
      const wrong = await client.post(`${stack.alarm.url}/`, { item_id: 'x', extra: 1 });
      expect(wrong.status).toBe(422);
      expect(wrong.body.errors.detail.map((d: { param: string }) => d.param).sort()).toEqual(['extra', 'item_id']);
      expect((await client.post(`${stack.alarm.url}/`, {})).status).toBe(422);
      const malformed = await fetch(`${stack.alarm.url}/`, {
        method: 'POST',
        headers: { 'user-token': shopper.token, 'content-type': 'application/json' },
        body: '{"item_id":',
      });
      expect(malformed.status).toBe(422);
    });

    it('when an item was created a moment ago, then an alarm on it is accepted at once (the item service is asked)', async () => {
      const item = await newItem(stack);
      const set = await as(shopper.token).post(`${stack.alarm.url}/`, { item_id: item.id });
      expect(set.status).toBe(201);
      const list = await as(shopper.token).get(`${stack.alarm.url}/`);
      expect(list.body.payload[0]).toEqual({
        id: item.id,
        name: item.name,
        broadcaster: item.broadcaster,
        category: item.category,
        price: item.price,
      });
      await as(shopper.token).delete(`${stack.alarm.url}/`, { item_id: item.id });
    });

    it('when an alarmed item is deleted, then it leaves the alarm list', async () => {
      const user = await newUser(stack, 'deleted');
      const item = await newItem(stack);
      await as(user.token).post(`${stack.alarm.url}/`, { item_id: item.id });
      expect((await as(ADMIN_TOKEN).delete(`${stack.item.url}/${item.id}`)).status).toBe(204);
      await waitFor(
        'the deleted item gone from the alarm list',
        async () => (await as(user.token).get(`${stack.alarm.url}/`)).body.count === 0,
      );
    });
  });

  describe('user service /visit', () => {
    const view = (token: string, itemId: number) => as(token).get(`${stack.item.url}/${itemId}`);
    const visitIds = async (token: string) =>
      (await as(token).get(`${stack.user.url}/visit`)).body.payload.map((item: { id: number }) => item.id);

    it('when items A,B,C,D,E,E are viewed, then /visit shows E,D,C with the caller’s is_alarm_set', async () => {
      const user = await newUser(stack, 'visitor');
      const [a, b, c, d, e] = [11, 12, 13, 14, 15];
      await as(user.token).post(`${stack.alarm.url}/`, { item_id: d });
      for (const id of [a, b, c, d, e, e]) expect((await view(user.token, id)).status).toBe(200);
      await waitFor(
        'E,D,C in /visit',
        async () => JSON.stringify(await visitIds(user.token)) === JSON.stringify([e, d, c]),
      );
      await waitFor('the alarm on D in /visit', async () => {
        const visit = await as(user.token).get(`${stack.user.url}/visit`);
        return visit.body.payload[1].is_alarm_set === true;
      });
      const visit = await as(user.token).get(`${stack.user.url}/visit`);
      expect(visit.status).toBe(200);
      expect(visit.body.count).toBe(3);
      expect(Object.keys(visit.body.payload[0]).sort()).toEqual(ITEM_FIELDS);
      expect(visit.body.payload.map((item: { is_alarm_set: boolean }) => item.is_alarm_set)).toEqual([
        false,
        true,
        false,
      ]);
      expect(visit.body.payload[0]).toMatchObject({ id: e, name: expect.any(String), price: expect.any(Number) });
    });

    it('when items A,B,A are viewed, then /visit shows A,B,A', async () => {
      const user = await newUser(stack, 'returner');
      for (const id of [21, 22, 21]) await view(user.token, id);
      await waitFor(
        'A,B,A in /visit',
        async () => JSON.stringify(await visitIds(user.token)) === JSON.stringify([21, 22, 21]),
      );
    });

    it('when nothing was viewed, then an empty list; unknown items are not recorded', async () => {
      const user = await newUser(stack, 'newcomer');
      expect((await view(user.token, 999999)).status).toBe(404);
      expect((await as(user.token).get(`${stack.user.url}/visit`)).body).toEqual({ count: 0, payload: [] });
    });
  });
});
