import { waitFor } from '@boxoffice/testing';
import { orderSagaFixture } from '../support/item-stand-in';
import { CARD_OK, type TestUser } from '../support/payment-kit';

/** Issue 15 item 2: a shopper lists their orders and cancels one, before or after paying. */
describe('my orders: GET /api/orders and POST /api/orders/{id}/cancel', () => {
  const { kit, items, users } = orderSagaFixture({
    env: { CARD_SETTLE_DELAY_MS: '100' },
    catalogue: [{ id: 401, price: 500, stock: 100 }],
    userCount: 5,
  });

  const orderOf = (user: TestUser, id: string) => kit.orderOf(user, id);
  const reaches = (user: TestUser, id: string, status: string) => kit.orderReaches(user, id, status);
  async function lockedOrder(user: TestUser, quantity: number): Promise<string> {
    const created = await kit.call('POST', '/api/orders/create', {
      user,
      body: { orderAmount: 500 * quantity, items: [{ productId: 401, quantity }] },
    });
    expect(created.status).toBe(201);
    await reaches(user, created.body.orderId, 'stock_locked');
    return created.body.orderId;
  }
  const refunds = async (orderId: string) =>
    (
      await kit.app.pg.query("SELECT amount FROM point_transactions WHERE order_id = $1 AND point_type = 'REFUND'", [
        orderId,
      ])
    ).rows;

  it('when a shopper lists their orders, then only theirs, newest first, paginated, with count of all', async () => {
    const [user, other] = [users[0]!, users[1]!];
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push(await lockedOrder(user, i));
    await lockedOrder(other, 1);
    const all = await kit.call('GET', '/api/orders', { user });
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(3);
    expect(all.body.payload.map((o: { orderId: string }) => o.orderId)).toEqual([...ids].reverse());
    expect(all.body.payload[0]).toMatchObject({
      orderId: ids[2],
      userId: user.id,
      status: 'stock_locked',
      amount: 1_500,
      items: [{ productId: 401, quantity: 3 }],
      paymentMethod: null,
      paymentStatus: null,
      stockStatus: 'locked',
    });
    const page = await kit.call('GET', '/api/orders?offset=1&limit=1', { user });
    expect(page.body).toMatchObject({ count: 3, payload: [{ orderId: ids[1] }] });
    expect((await kit.call('GET', '/api/orders?limit=101', { user })).status).toBe(422);
    expect((await kit.call('GET', '/api/orders')).status).toBe(401);
  });

  it('when an unpaid order is cancelled, then cancelled and released; cancelling again answers the same, nothing twice', async () => {
    const user = users[2]!;
    const before = items.stock.get(401)!;
    const orderId = await lockedOrder(user, 4);
    expect(items.stock.get(401)).toBe(before - 4);
    const cancelled = await kit.call('POST', `/api/orders/${orderId}/cancel`, { user });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      orderId,
      status: 'cancelled',
      reason: 'CANCELLED_BY_SHOPPER',
      paymentStatus: null,
    });
    await items.lockReleased(orderId);
    expect(items.stock.get(401)).toBe(before);
    const again = await kit.call('POST', `/api/orders/${orderId}/cancel`, { user });
    expect(again).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    const events = items.orderEvents.filter((e) => e.aggregateId === orderId).map((e) => e.payload.status);
    expect(events.filter((status) => status === 'cancelled')).toHaveLength(1);
    const pay = await kit.pay(user, orderId);
    expect(pay.status).toBe(409);
  });

  it('when a points-paid order is cancelled, then refunded exactly once and its stock returned', async () => {
    const user = users[3]!;
    await kit.charge(user, 2_000);
    const before = items.stock.get(401)!;
    const orderId = await lockedOrder(user, 2);
    const paid = await kit.pay(user, orderId);
    expect(paid.status).toBe(200);
    await waitFor('the stock committed', () =>
      items.published.some((lock) => lock.orderId === orderId && lock.status === 'committed'),
    );
    const [first, second] = await Promise.all([
      kit.call('POST', `/api/orders/${orderId}/cancel`, { user }),
      kit.call('POST', `/api/orders/${orderId}/cancel`, { user }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toMatchObject({ status: 'cancelled', paymentMethod: 'points', paymentStatus: 'refunded' });
    expect(await refunds(orderId)).toEqual([{ amount: 1_000 }]);
    expect((await kit.call('GET', '/points', { user })).body.balance).toBe(2_000);
    await items.lockReleased(orderId);
    expect(items.stock.get(401)).toBe(before);
    const view = await orderOf(user, orderId);
    expect(view.history.map((entry: { status: string }) => entry.status)).toEqual([
      'pending',
      'stock_locked',
      'paid',
      'cancelled',
    ]);
  });

  it('when a card-paid order is cancelled, then the charge is refunded; a rejected order cannot be cancelled (409)', async () => {
    const user = users[4]!;
    const orderId = await lockedOrder(user, 1);
    const paying = await kit.pay(user, orderId, CARD_OK);
    expect(paying.status).toBe(202);
    await reaches(user, orderId, 'paid');
    const cancelled = await kit.call('POST', `/api/orders/${orderId}/cancel`, { user });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', paymentMethod: 'card', paymentStatus: 'refunded' });
    expect((await orderOf(user, orderId)).card).toMatchObject({ status: 'refunded', last4: '4242' });

    const tooMany = await kit.call('POST', '/api/orders/create', {
      user,
      body: { orderAmount: 500 * 1_000, items: [{ productId: 401, quantity: 1_000 }] },
    });
    await reaches(user, tooMany.body.orderId, 'rejected');
    const refused = await kit.call('POST', `/api/orders/${tooMany.body.orderId}/cancel`, { user });
    expect(refused.status).toBe(409);
    expect(refused.body.errors.code).toBe('ORDER_NOT_CANCELLABLE');
    expect((await kit.call('POST', `/api/orders/${orderId}/cancel`, { user: users[0]! })).status).toBe(404);
  });
});
