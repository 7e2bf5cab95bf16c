import { randomUUID } from 'node:crypto';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { INTERNAL_TOKEN, ItemKit } from '../support/item-kit';

describe('POST /api/inventory/lock (SPEC §2): stock locked all or nothing, once per order', () => {
  const kit = suiteKit(new ItemKit());
  /** POST /api/inventory/lock for an order of these lines that was never seen before. */
  const lockNewOrder = (items: { productId: number; quantity: number }[]) => kit.lock({ orderId: randomUUID(), items });

  it('when 50 orders of 1 race for a stock of 20, then exactly 20 are locked, 30 refused, and the stock ends at 0', async () => {
    const itemId = await kit.newItem(20);
    const orders = Array.from({ length: 50 }, () => randomUUID());
    const answers = await Promise.all(
      orders.map((orderId) => kit.lock({ orderId, items: [{ productId: itemId, quantity: 1 }] })),
    );

    const locked = answers.filter((answer) => answer.statusCode === 200);
    const refused = answers.filter((answer) => answer.statusCode === 400);
    expect(locked).toHaveLength(20);
    expect(refused).toHaveLength(30);
    expect(locked[0]!.json()).toEqual({ code: 200, message: 'Inventory locked successfully', locked: true });
    expect(refused[0]!.json()).toMatchObject({
      code: 400,
      message: 'Insufficient inventory',
      locked: false,
      errors: { code: 'INSUFFICIENT_STOCK' },
    });
    expect(await kit.stock(itemId)).toBe(0);
    const { rows } = await kit.app.pg.query(
      'SELECT status, count(*)::int AS n FROM stock_locks WHERE order_id = ANY($1::uuid[]) GROUP BY status ORDER BY status',
      [orders],
    );
    expect(rows).toEqual([
      { status: 'locked', n: 20 },
      { status: 'rejected', n: 30 },
    ]);

    // every taken unit is announced with the item's new state, the last one carrying stock 0
    const events = await waitFor('20 item.changed with the new stock', () => {
      const seen = kit.itemEvents(itemId);
      return seen.length === 21 ? seen : undefined; // created + 20 locks
    });
    const last = events.reduce((a, b) => (a.aggregateVersion > b.aggregateVersion ? a : b));
    expect(last.payload).toMatchObject({ id: itemId, stock: 0 });
    expect(new Set(events.map((event) => event.aggregateVersion)).size).toBe(21);
    await waitFor('50 stock-lock.changed', () => orders.every((orderId) => kit.lockEvents(orderId).length === 1));
    expect(
      orders.flatMap((orderId) => kit.lockEvents(orderId)).filter((event) => event.payload.status === 'locked'),
    ).toHaveLength(20);
  });

  it('when the same order is locked ten times at once, then stock is taken once and every answer is "locked"', async () => {
    const itemId = await kit.newItem(10);
    const orderId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => kit.lock({ orderId, items: [{ productId: itemId, quantity: 3 }] })),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(200));
    expect(await kit.stock(itemId)).toBe(7);
    await waitFor('the lock announced', () => kit.lockEvents(orderId).length === 1);
    // a later call with other lines is answered as the first one was, and locks nothing more
    const again = await kit.lock({ orderId, items: [{ productId: itemId, quantity: 5 }] });
    expect(again.statusCode).toBe(200);
    expect(await kit.stock(itemId)).toBe(7);
  });

  it('when one line of an order cannot be covered, then no line is locked and every short line is named', async () => {
    const plenty = await kit.newItem(10);
    const scarce = await kit.newItem(2);
    const orderId = randomUUID();
    const refused = await kit.lock({
      orderId,
      items: [
        { productId: plenty, quantity: 4 },
        { productId: scarce, quantity: 3 },
      ],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      code: 400,
      message: 'Insufficient inventory',
      locked: false,
      errors: {
        code: 'INSUFFICIENT_STOCK',
        message: `There is not enough stock for order ${orderId}; nothing was locked.`,
        detail: [
          {
            location: 'body',
            param: 'items',
            value: { productId: scarce, quantity: 3 },
            error: 'NotAvailable',
            msg: `Item ${scarce}: 3 requested, 2 available.`,
            available: 2,
          },
        ],
      },
    });
    expect(await kit.stock(plenty)).toBe(10);
    expect(await kit.stock(scarce)).toBe(2);
  });

  it('when an order was refused and stock arrives later, then asking again with that order id is still refused (answered as the first)', async () => {
    const itemId = await kit.newItem(1);
    const orderId = randomUUID();
    expect((await kit.lock({ orderId, items: [{ productId: itemId, quantity: 2 }] })).statusCode).toBe(400);
    const restocked = await kit.app.inject({
      method: 'PATCH',
      url: `/${itemId}`,
      headers: { 'user-token': kit.admin.token },
      payload: { stock: 100 },
    });
    expect(restocked.statusCode).toBe(200);
    const again = await kit.lock({ orderId, items: [{ productId: itemId, quantity: 2 }] });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors.detail[0]).toMatchObject({ value: { productId: itemId, quantity: 2 }, available: 1 });
    expect(await kit.stock(itemId)).toBe(100);
  });

  it('when an order names an unknown item, then 404 with locked false and nothing is taken', async () => {
    const itemId = await kit.newItem(5);
    const refused = await lockNewOrder([
      { productId: itemId, quantity: 1 },
      { productId: 2_000_000_000, quantity: 1 },
    ]);
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({
      code: 404,
      locked: false,
      errors: {
        code: 'ITEM_NOT_FOUND',
        detail: [{ value: { productId: 2_000_000_000, quantity: 1 }, available: null }],
      },
    });
    expect(await kit.stock(itemId)).toBe(5);
  });

  it('when the same product appears on two lines, then their quantities count together', async () => {
    const itemId = await kit.newItem(5);
    const refused = await lockNewOrder([
      { productId: itemId, quantity: 3 },
      { productId: itemId, quantity: 3 },
    ]);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.detail[0]).toMatchObject({ value: { productId: itemId, quantity: 6 }, available: 5 });
    const locked = await lockNewOrder([
      { productId: itemId, quantity: 2 },
      { productId: itemId, quantity: 3 },
    ]);
    expect(locked.statusCode).toBe(200);
    expect(await kit.stock(itemId)).toBe(0);
  });

  it('when the caller is nobody, a plain user, or has a wrong internal token, then 401/403/401; an admin or the internal token may lock', async () => {
    const itemId = await kit.newItem(5);
    const body = () => ({ orderId: randomUUID(), items: [{ productId: itemId, quantity: 1 }] });
    const [shopper] = await kit.users(1);
    expect((await kit.lock(body(), {})).statusCode).toBe(401);
    const asUser = await kit.lock(body(), { 'user-token': shopper!.token });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json().errors.code).toBe('FORBIDDEN');
    expect((await kit.lock(body(), { 'x-internal-token': `${INTERNAL_TOKEN}x` })).statusCode).toBe(401);
    expect((await kit.lock(body(), { 'x-internal-token': INTERNAL_TOKEN })).statusCode).toBe(200);
    expect((await kit.lock(body(), { 'user-token': kit.admin.token })).statusCode).toBe(200);
    expect(await kit.stock(itemId)).toBe(3);
  });

  it('when the body is malformed, then 422 lists every bad field', async () => {
    const response = await kit.lock({ orderId: 'ORD123456', items: [{ productId: 0, quantity: -1, extra: true }] });
    expect(response.statusCode).toBe(422);
    const params = response
      .json()
      .errors.detail.map((detail: { param: string }) => detail.param)
      .sort();
    expect(params).toEqual(['items.0.extra', 'items.0.productId', 'items.0.quantity', 'orderId']);
    expect((await lockNewOrder([])).statusCode).toBe(422);
  });
});
