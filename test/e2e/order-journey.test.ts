import { randomUUID } from 'node:crypto';
import { startStack, waitFor, type Stack } from '@boxoffice/testing';

/**
 * The shopping order saga end to end (docs/payments.md, docs/architecture.md): through the gateway only, with
 * every service a real process on real PostgreSQL, Redis and Kafka. The payment service creates the order, the
 * item service locks, commits or releases its stock, the card gateway settles by signed callback, and the alarm
 * service tells the user about each step. The order TTL is short so an unpaid order is cancelled within the test.
 */
const USER_TOKEN = '4a49145e-45a8-4845-af45-1af2a59bb044'; // demo user 10
const ADMIN_TOKEN = '0b8f4c2e-6a55-4a3c-9d4e-2f1f6c0a0001'; // demo admin
const CARD_OK = { cardNumber: '4242 4242 4242 4242', expiryDate: '12/45', cvv: '123' };
const CARD_DECLINED = { cardNumber: '4000 0000 0000 0002', expiryDate: '12/45', cvv: '123' };
// long enough for a lock and a payment on a loaded machine, short enough to watch one expire
const ORDER_TTL_SECONDS = 15;
const SAGA = { timeoutMs: 45_000, intervalMs: 100 };

let stack: Stack;
const user = { 'user-token': USER_TOKEN };
const admin = { 'user-token': ADMIN_TOKEN };

async function call(method: string, url: string, options: { headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(url.startsWith('http') ? url : `${stack.gatewayUrl}${url}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A fresh item with a known stock, created by the admin through the gateway. */
/** POST /api/payment/process by demo user 10 through the gateway: the order paid with points, or with this card. */
const pay = (orderId: string, card?: typeof CARD_OK) =>
  call('POST', '/api/payment/process', {
    headers: user,
    body: card ? { orderId, paymentMethod: 'card', paymentDetails: card } : { orderId, paymentMethod: 'points' },
  });

async function newItem(stock: number, price = 1_000): Promise<number> {
  const created = await call('POST', '/api/items', {
    headers: admin,
    body: { name: `e2e ${randomUUID()}`, broadcaster: 'cjmall', category: 'test', price, stock },
  });
  expect(created.status).toBe(201);
  return created.body.payload.id;
}

/** The owner's stock, from the item service's peer route (the gateway never exposes /internal). */
async function stockOf(itemId: number): Promise<number> {
  const answer = await call('GET', `${stack.url('item')}/internal/items?ids=${itemId}`, {
    headers: { 'x-internal-token': 'dev-internal-token-change-me' }, // the stack runs with the development default
  });
  expect(answer.status).toBe(200);
  return answer.body.payload[0].stock;
}

async function createOrder(items: { productId: number; quantity: number }[], amount: number): Promise<string> {
  const created = await call('POST', '/api/orders/create', { headers: user, body: { orderAmount: amount, items } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ code: 201, status: 'pending' });
  return created.body.orderId;
}

const orderOf = async (orderId: string) => (await call('GET', `/api/orders/${orderId}`, { headers: user })).body;
const orderReaches = (orderId: string, status: string, stockStatus?: string) =>
  waitFor(
    `order ${status}${stockStatus ? ` with stock ${stockStatus}` : ''}`,
    async () => {
      const order = await orderOf(orderId);
      return order.status === status && (!stockStatus || order.stockStatus === stockStatus) ? order : undefined;
    },
    SAGA,
  );
/** An order of `quantity` of the item for `amount`, once its stock is locked. */
async function lockedOrder(itemId: number, quantity: number, amount: number): Promise<string> {
  const orderId = await createOrder([{ productId: itemId, quantity }], amount);
  await orderReaches(orderId, 'stock_locked');
  return orderId;
}

/** The user's notifications about one order, newest first, once there are `count` of them. */
const notificationsAbout = (orderId: string, count: number) =>
  waitFor(
    `${count} notification(s) about ${orderId}`,
    async () => {
      const inbox = await call('GET', '/api/notifications', { headers: user });
      const about = (inbox.body.payload as { message: string; subject: string; status: string }[]).filter((n) =>
        n.message.includes(orderId),
      );
      return about.length >= count ? about : undefined;
    },
    SAGA,
  );

beforeAll(async () => {
  stack = await startStack({
    env: {
      payment: {
        ORDER_TTL_SECONDS: String(ORDER_TTL_SECONDS),
        ORDER_SWEEP_INTERVAL_MS: '200',
        CARD_SETTLE_DELAY_MS: '300',
        CARD_GATEWAY_INTERVAL_MS: '100',
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('order journeys through the gateway: order → stock lock → payment → notification', () => {
  it('when an order is created and paid by card, then stock is locked, the order paid, the stock sold, and the user told each step', async () => {
    const itemId = await newItem(5, 1_500);
    const orderId = await lockedOrder(itemId, 2, 3_000);
    expect(await stockOf(itemId)).toBe(3);

    const processing = await pay(orderId, CARD_OK);
    expect(processing.status).toBe(202);
    const paid = await orderReaches(orderId, 'paid', 'committed');
    expect(paid.history.map((step: { status: string }) => step.status)).toEqual(['pending', 'stock_locked', 'paid']);
    expect(paid.card).toMatchObject({ last4: '4242', status: 'approved' });
    expect(await stockOf(itemId)).toBe(3);

    const told = await notificationsAbout(orderId, 2);
    expect(told.map((n) => n.subject)).toEqual(['Order paid', 'Order confirmed: please pay']);
    expect(told.every((n) => n.status === 'sent')).toBe(true);
  });

  it('when an order is paid the moment it is created (no wait for the lock), by points and by card, then both end paid with the stock sold', async () => {
    const itemId = await newItem(4, 900);
    const balance = async () => (await call('GET', '/points', { headers: user })).body.balance as number;
    const before = await balance();
    expect((await call('POST', '/points', { headers: user, body: { point: 900, pointType: 'CHARGE' } })).status).toBe(
      200,
    );
    const byPoints = await createOrder([{ productId: itemId, quantity: 1 }], 900);
    const pointsAnswer = await pay(byPoints);
    const byCard = await createOrder([{ productId: itemId, quantity: 2 }], 1_800);
    const cardAnswer = await pay(byCard, CARD_OK);
    // accepted whether or not the lock has come yet: 202 while the money waits for it, 200 if points found it locked
    expect(pointsAnswer.body.paymentStatus).toBe(pointsAnswer.status === 200 ? 'completed' : 'processing');
    expect([200, 202]).toContain(pointsAnswer.status);
    expect(cardAnswer).toMatchObject({ status: 202, body: { paymentStatus: 'processing' } });
    for (const orderId of [byPoints, byCard]) {
      const paid = await orderReaches(orderId, 'paid', 'committed');
      expect(paid).toMatchObject({ paymentStatus: 'completed', reason: null });
      expect(paid.history.map((step: { status: string }) => step.status)).toEqual(['pending', 'stock_locked', 'paid']);
    }
    expect(await stockOf(itemId)).toBe(1);
    expect(await balance()).toBe(before); // the 900 charged paid the order, once
  });

  it('when an order is paid by points, then it is paid at once, the stock sold, and the user told', async () => {
    const itemId = await newItem(3, 700);
    const orderId = await lockedOrder(itemId, 1, 700);
    expect((await call('POST', '/points', { headers: user, body: { point: 700, pointType: 'CHARGE' } })).status).toBe(
      200,
    );
    const paid = await pay(orderId);
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ code: 200, paymentStatus: 'completed' });
    await orderReaches(orderId, 'paid', 'committed');
    expect(await stockOf(itemId)).toBe(2);
    const told = await notificationsAbout(orderId, 2);
    expect(told.map((n) => n.subject)).toEqual(['Order paid', 'Order confirmed: please pay']);
  });

  it('when an order asks for more than is in stock, then it is rejected, no stock moves, and the user is told why', async () => {
    const itemId = await newItem(1);
    const orderId = await createOrder([{ productId: itemId, quantity: 2 }], 2_000);
    const rejected = await orderReaches(orderId, 'rejected');
    expect(rejected.reason).toBe('INSUFFICIENT_STOCK');
    expect(await stockOf(itemId)).toBe(1);
    const [told] = await notificationsAbout(orderId, 1);
    expect(told).toMatchObject({
      subject: 'Order could not be placed',
      message: `Your order ${orderId} could not be placed because there is not enough stock.`,
    });

    const tooLate = await pay(orderId, CARD_OK);
    expect(tooLate.status).toBe(409);
  });

  it('when the card is declined, then the order fails, its stock comes back, and the user is told', async () => {
    const itemId = await newItem(4);
    const orderId = await lockedOrder(itemId, 3, 3_000);
    expect(await stockOf(itemId)).toBe(1);

    const processing = await pay(orderId, CARD_DECLINED);
    expect(processing.status).toBe(202);
    const failed = await orderReaches(orderId, 'payment_failed', 'released');
    expect(failed.reason).toBe('CARD_DECLINED');
    expect(await stockOf(itemId)).toBe(4);
    const told = await notificationsAbout(orderId, 2);
    expect(told.map((n) => n.subject)).toEqual(['Payment failed', 'Order confirmed: please pay']);
    expect(told[0]!.message).toContain('the card was declined');
  });

  it('when a locked order is left unpaid past its TTL, then it is cancelled, its stock released, and the user told', async () => {
    const itemId = await newItem(2);
    const orderId = await lockedOrder(itemId, 2, 2_000);
    expect(await stockOf(itemId)).toBe(0);

    const cancelled = await orderReaches(orderId, 'cancelled', 'released');
    expect(cancelled.reason).toBe('ORDER_TTL');
    expect(cancelled.history.map((step: { status: string }) => step.status)).toEqual([
      'pending',
      'stock_locked',
      'cancelled',
    ]);
    expect(await stockOf(itemId)).toBe(2);
    const told = await notificationsAbout(orderId, 2);
    expect(told.map((n) => n.subject)).toEqual(['Order cancelled', 'Order confirmed: please pay']);
    expect(told[0]!.message).toContain('it was not paid in time');
  });
});
