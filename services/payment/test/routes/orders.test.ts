import { randomUUID } from 'node:crypto';
import { waitFor } from '@boxoffice/testing';
import { signPayload } from '../../src/domain/gateway-signature';
import { ItemStandIn } from '../support/item-stand-in';
import { CARD_DECLINED, CARD_OK, PaymentKit, type TestUser } from '../support/payment-kit';

describe('shopping orders: a saga over Kafka with the item service (played by a stand-in) and the card gateway', () => {
  const kit = new PaymentKit({ ORDER_TTL_SECONDS: '6', CARD_SETTLE_DELAY_MS: '300' });
  const items = new ItemStandIn(kit);
  let users: TestUser[];

  beforeAll(async () => {
    await kit.start();
    await items.start();
    await items.items([
      { id: 101, price: 1_000, stock: 10 },
      { id: 102, price: 2_500, stock: 5 },
      { id: 103, price: 700, stock: 1 },
    ]);
    await waitFor(
      'items in the replica',
      async () => (await kit.app.pg.query('SELECT 1 FROM items_replica')).rowCount === 3,
      { timeoutMs: 30_000 },
    );
    users = await kit.users(8);
  });
  afterAll(async () => {
    await items.stop();
    await kit.stop();
  });

  const order = (user: TestUser, id: string) => kit.call('GET', `/api/orders/${id}`, { user });
  const statusOf = async (user: TestUser, id: string) => (await order(user, id)).body.status as string;
  async function lockedOrder(
    user: TestUser,
    lines: { productId: number; quantity: number }[],
    amount: number,
  ): Promise<string> {
    const created = await kit.createOrder(user, amount, lines);
    expect(created.status).toBe(201);
    await waitFor('the stock lock', async () => (await statusOf(user, created.body.orderId)) === 'stock_locked');
    return created.body.orderId;
  }
  /** The order ended unsold: its stock lock released, the stock back at `stockBefore`, and paying it refused (409). */
  async function expectEndedUnsold(user: TestUser, orderId: string, productId: number, stockBefore: number) {
    await items.lockReleased(orderId);
    expect(items.stock.get(productId)).toBe(stockBefore);
    expect((await kit.pay(user, orderId)).status).toBe(409);
  }

  it('when an order is created and paid by points, then pending → stock_locked → paid, the stock is committed, each step announced', async () => {
    const user = users[0]!;
    await kit.charge(user, 10_000);
    const created = await kit.createOrder(user, 4_500, [
      { productId: 101, quantity: 2 },
      { productId: 102, quantity: 1 },
    ]);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      code: 201,
      message: 'Order created successfully',
      orderId: expect.any(String),
      status: 'pending',
    });
    expect(created.headers.get('location')).toBe(`/api/orders/${created.body.orderId}`);
    const orderId = created.body.orderId;
    await waitFor('stock_locked', async () => (await statusOf(user, orderId)) === 'stock_locked');

    const paid = await kit.pay(user, orderId);
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({
      code: 200,
      message: 'Payment successful',
      orderId,
      paymentStatus: 'completed',
      transactionId: expect.any(String),
    });
    expect((await kit.call('GET', '/points', { user })).body.balance).toBe(5_500);
    await waitFor('the stock committed', () =>
      items.published.some((lock) => lock.orderId === orderId && lock.status === 'committed'),
    );
    await waitFor('stock status recorded', async () => (await order(user, orderId)).body.stockStatus === 'committed');

    const view = (await order(user, orderId)).body;
    expect(view).toMatchObject({
      orderId,
      userId: user.id,
      status: 'paid',
      amount: 4_500,
      paymentMethod: 'points',
      reason: null,
      card: null,
    });
    expect(view.history.map((entry: { status: string }) => entry.status)).toEqual(['pending', 'stock_locked', 'paid']);
    // the alarm service notifies from these: one order.changed per step, each naming the user
    await waitFor('three order events', () => items.orderEvents.filter((e) => e.aggregateId === orderId).length === 3);
    const announced = items.orderEvents.filter((e) => e.aggregateId === orderId);
    expect(announced.map((e) => [e.payload.status, e.payload.userId, e.aggregateVersion])).toEqual([
      ['pending', user.id, 1],
      ['stock_locked', user.id, 2],
      ['paid', user.id, 3],
    ]);
    expect(items.stock.get(101)).toBe(8);
  });

  it('when an order is paid by card, then 202 processing and the signed settlement makes it paid; only the last 4 digits are kept', async () => {
    const user = users[1]!;
    const orderId = await lockedOrder(user, [{ productId: 101, quantity: 1 }], 1_000);
    const processing = await kit.pay(user, orderId, CARD_OK);
    expect(processing.status).toBe(202);
    expect(processing.body).toMatchObject({ code: 202, paymentStatus: 'processing', orderId });
    await waitFor('paid by card', async () => (await statusOf(user, orderId)) === 'paid');
    const view = (await order(user, orderId)).body;
    expect(view).toMatchObject({
      paymentMethod: 'card',
      card: { last4: '4242', status: 'approved', declineCode: null },
    });
    await waitFor('the stock committed', () =>
      items.published.some((lock) => lock.orderId === orderId && lock.status === 'committed'),
    );
  });

  it('when the card is declined, then payment_failed and the stock is released', async () => {
    const user = users[2]!;
    const before = items.stock.get(102)!;
    const orderId = await lockedOrder(user, [{ productId: 102, quantity: 2 }], 5_000);
    expect(items.stock.get(102)).toBe(before - 2);
    const processing = await kit.pay(user, orderId, CARD_DECLINED);
    expect(processing.status).toBe(202);
    await waitFor('payment_failed', async () => (await statusOf(user, orderId)) === 'payment_failed');
    const view = (await order(user, orderId)).body;
    expect(view).toMatchObject({
      reason: 'CARD_DECLINED',
      card: { last4: '0002', status: 'declined', declineCode: 'CARD_DECLINED' },
    });
    await expectEndedUnsold(user, orderId, 102, before);
  });

  it('when the stock is short, then the order is rejected with the reason and cannot be paid', async () => {
    const user = users[3]!;
    const created = await kit.createOrder(user, 1_400, [{ productId: 103, quantity: 2 }]);
    expect(created.status).toBe(201);
    await waitFor('rejected', async () => (await statusOf(user, created.body.orderId)) === 'rejected');
    expect((await order(user, created.body.orderId)).body).toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      stockStatus: 'rejected',
    });
    const pay = await kit.pay(user, created.body.orderId);
    expect(pay.status).toBe(409);
  });

  it('when an order is left unpaid past ORDER_TTL, then it is cancelled and its stock released', async () => {
    const user = users[4]!;
    const before = items.stock.get(101)!;
    const orderId = await lockedOrder(user, [{ productId: 101, quantity: 3 }], 3_000);
    await waitFor('cancelled', async () => (await statusOf(user, orderId)) === 'cancelled', { timeoutMs: 30_000 });
    expect((await order(user, orderId)).body).toMatchObject({ reason: 'ORDER_TTL' });
    await expectEndedUnsold(user, orderId, 101, before);
  });

  it('when an order is invalid, then 422 (amount, negative, quantities) or 404 (unknown product), and nothing is created', async () => {
    const user = users[5]!;
    const mismatch = await kit.createOrder(user, 999, [{ productId: 101, quantity: 1 }]);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.errors.detail[0]).toMatchObject({ param: 'orderAmount', expected: 1_000 });
    const negative = await kit.createOrder(user, -1, [{ productId: 101, quantity: 0 }]);
    expect(negative.status).toBe(422);
    expect(negative.body.errors.detail.length).toBe(2);
    const unknown = await kit.createOrder(user, 1_000, [
      { productId: 101, quantity: 1 },
      { productId: 999_999, quantity: 1 },
    ]);
    expect([404, 503]).toContain(unknown.status); // 503 only if the (absent) item service were asked and had nothing cached
    const { rowCount } = await kit.app.pg.query('SELECT 1 FROM orders WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(0);
  });

  it("when someone reads or pays another user's order, then 404; a bad card is 422 without echoing it; too few points 400", async () => {
    const [owner, other] = [users[6]!, users[7]!];
    const orderId = await lockedOrder(owner, [{ productId: 101, quantity: 1 }], 1_000);
    expect((await order(other, orderId)).status).toBe(404);
    expect((await kit.pay(other, orderId)).status).toBe(404);
    const badCard = await kit.call('POST', '/api/payment/process', {
      user: owner,
      body: {
        orderId,
        paymentMethod: 'card',
        paymentDetails: { cardNumber: '4242424242424241', expiryDate: '13/45', cvv: '12' },
      },
    });
    expect(badCard.status).toBe(422);
    expect(badCard.body.errors.detail.map((d: { param: string }) => d.param).sort()).toEqual([
      'paymentDetails.cardNumber',
      'paymentDetails.cvv',
      'paymentDetails.expiryDate',
    ]);
    expect(JSON.stringify(badCard.body)).not.toContain('4242424242424241');
    const poor = await kit.pay(owner, orderId);
    expect(poor.status).toBe(400);
    expect(await statusOf(owner, orderId)).toBe('stock_locked');
  });

  it('when the same Idempotency-Key is reused, then create and process replay the first answer; with another body, then 422', async () => {
    const user = users[0]!;
    const headers = { 'idempotency-key': `order-${randomUUID()}` };
    const body = { orderAmount: 1_000, items: [{ productId: 101, quantity: 1 }] };
    const [first, second] = await Promise.all([
      kit.call('POST', '/api/orders/create', { user, headers, body }),
      kit.call('POST', '/api/orders/create', { user, headers, body }),
    ]);
    const created = [first, second].filter((a) => a.status === 201);
    expect(new Set(created.map((a) => a.body.orderId)).size).toBe(1);
    const replay = await kit.call('POST', '/api/orders/create', { user, headers, body });
    expect(replay.body.orderId).toBe(created[0]!.body.orderId);
    expect(
      (
        await kit.call('POST', '/api/orders/create', {
          user,
          headers,
          body: { ...body, orderAmount: 2_000, items: [{ productId: 101, quantity: 2 }] },
        })
      ).status,
    ).toBe(422);
    const orderId = replay.body.orderId;
    await waitFor('stock_locked', async () => (await statusOf(user, orderId)) === 'stock_locked');
    const payHeaders = { 'idempotency-key': `pay-${orderId}` };
    const paid = await kit.call('POST', '/api/payment/process', {
      user,
      headers: payHeaders,
      body: { orderId, paymentMethod: 'points' },
    });
    const again = await kit.call('POST', '/api/payment/process', {
      user,
      headers: payHeaders,
      body: { orderId, paymentMethod: 'points' },
    });
    expect(paid.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: paid.body });
  });

  it('when a settlement callback is unsigned or forged, then 401 and nothing changes', async () => {
    const body = JSON.stringify({
      authorizationId: randomUUID(),
      reference: randomUUID(),
      status: 'approved',
      declineCode: null,
      amount: 1,
    });
    const post = (signature?: string) =>
      fetch(`${kit.url}/api/payment/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-gateway-signature': signature } : {}) },
        body,
      });
    expect((await post()).status).toBe(401);
    expect((await post(signPayload('not-the-gateway-secret-at-all', body))).status).toBe(401);
    expect(
      (
        await post(
          signPayload(
            kit.env.CARD_GATEWAY_SECRET ?? 'dev-card-gateway-secret-change-me',
            body,
            Math.floor(Date.now() / 1000) - 3_600,
          ),
        )
      ).status,
    ).toBe(401);
    // correctly signed but naming no charge: 404
    expect((await post(signPayload('dev-card-gateway-secret-change-me', body))).status).toBe(404);
  });
});
