import { waitFor } from '@boxoffice/testing';
import { orderSagaFixture } from '../support/item-stand-in';
import { CARD_OK, type TestUser } from '../support/payment-kit';

/**
 * Paying at checkout (issue 15 item 1): POST /api/payment/process on an order still `pending`. The item service's
 * stand-in holds each stock lock back until the test answers it, so every payment here is surely asked for
 * before the lock, and the test decides whether the lock succeeds.
 */
describe('paying at checkout: a payment on a pending order waits for the stock lock, then pays or gives the money back', () => {
  const { kit, items, users } = orderSagaFixture({
    env: { CARD_SETTLE_DELAY_MS: '100' },
    catalogue: [
      { id: 201, price: 1_000, stock: 50 },
      { id: 202, price: 300, stock: 50 },
    ],
    userCount: 5,
  });
  beforeAll(() => {
    items.deferLocks = true;
  });

  const orderOf = (user: TestUser, id: string) => kit.orderOf(user, id);
  const balanceOf = async (user: TestUser) => (await kit.call('GET', '/points', { user })).body.balance as number;
  /** A pending order of `quantity` of item 201, paid at once (its lock is held back): the order id and the answer. */
  async function payAtCheckout(user: TestUser, quantity: number, card?: typeof CARD_OK) {
    const created = await kit.createOrder(user, 1_000 * quantity, [{ productId: 201, quantity }]);
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    return { orderId, paying: await kit.pay(user, orderId, card) };
  }
  const lockAsked = (orderId: string) => waitFor('the lock asked for', () => items.isDeferred(orderId));

  it('when points pay a pending order, then 202 processing with the points held, and the lock makes it paid', async () => {
    const user = users[0]!;
    await kit.charge(user, 5_000);
    const { orderId, paying } = await payAtCheckout(user, 2);
    expect(paying.status).toBe(202);
    expect(paying.body).toEqual({
      code: 202,
      message: 'Payment processing',
      orderId,
      paymentStatus: 'processing',
      transactionId: expect.any(String),
    });
    expect(paying.headers.get('location')).toBe(`/api/orders/${orderId}`);
    expect(await orderOf(user, orderId)).toMatchObject({
      status: 'pending',
      paymentMethod: 'points',
      paymentStatus: 'processing',
    });
    expect(await balanceOf(user)).toBe(3_000); // held: nobody can spend them twice meanwhile
    const twice = await kit.pay(user, orderId);
    expect(twice.status).toBe(409);
    expect(twice.body.errors.code).toBe('PAYMENT_IN_PROGRESS');

    await lockAsked(orderId);
    const stockBefore = items.stock.get(201)!;
    await items.answerDeferred(orderId, 'lock');
    const paid = await kit.orderReaches(user, orderId, 'paid');
    expect(paid).toMatchObject({ paymentMethod: 'points', paymentStatus: 'completed', reason: null });
    expect(paid.history.map((entry: { status: string }) => entry.status)).toEqual(['pending', 'stock_locked', 'paid']);
    await waitFor('the stock committed', () =>
      items.published.some((lock) => lock.orderId === orderId && lock.status === 'committed'),
    );
    expect(items.stock.get(201)).toBe(stockBefore - 2);
    expect(await balanceOf(user)).toBe(3_000);
  });

  it('when points pay a pending order whose lock then fails, then it ends rejected with the points refunded once, stock untouched', async () => {
    const user = users[1]!;
    await kit.charge(user, 1_000);
    const { orderId, paying } = await payAtCheckout(user, 1);
    expect(paying.status).toBe(202);
    expect(await balanceOf(user)).toBe(0);
    await lockAsked(orderId);
    const stockBefore = items.stock.get(201)!;
    await items.answerDeferred(orderId, 'reject');
    const rejected = await kit.orderReaches(user, orderId, 'rejected');
    expect(rejected).toMatchObject({ reason: 'INSUFFICIENT_STOCK', paymentStatus: 'refunded' });
    expect(await balanceOf(user)).toBe(1_000);
    const { rows } = await kit.app.pg.query(
      "SELECT point_type FROM point_transactions WHERE order_id = $1 AND point_type = 'REFUND'",
      [orderId],
    );
    expect(rows).toHaveLength(1);
    expect(items.stock.get(201)).toBe(stockBefore);
  });

  it('when a card pays a pending order, then the approval waits for the lock and the order ends paid', async () => {
    const user = users[2]!;
    const { orderId, paying } = await payAtCheckout(user, 1, CARD_OK);
    expect(paying.status).toBe(202);
    expect(paying.body).toMatchObject({ paymentStatus: 'processing', orderId });
    await waitFor('the charge approved before the lock', async () => {
      const order = await orderOf(user, orderId);
      return order.card?.status === 'approved' && order.status === 'pending';
    });
    expect((await orderOf(user, orderId)).paymentStatus).toBe('processing'); // authorized, not taken yet
    await lockAsked(orderId);
    await items.answerDeferred(orderId, 'lock');
    const paid = await kit.orderReaches(user, orderId, 'paid');
    expect(paid).toMatchObject({
      paymentMethod: 'card',
      paymentStatus: 'completed',
      card: { last4: '4242', status: 'approved' },
    });
  });

  it('when a card pays a pending order whose lock then fails, then the charge is voided and the order says so', async () => {
    const user = users[3]!;
    const { orderId, paying } = await payAtCheckout(user, 1, CARD_OK);
    expect(paying.status).toBe(202);
    await lockAsked(orderId);
    const stockBefore = items.stock.get(201)!;
    await items.answerDeferred(orderId, 'reject');
    const rejected = await kit.orderReaches(user, orderId, 'rejected');
    expect(rejected).toMatchObject({ paymentStatus: 'voided', card: { status: 'voided' } });
    // whether the settlement came before or after the rejection, it never pays: the charge stays voided
    const { rows } = await kit.app.pg.query<{ voided_at: Date | null }>(
      `SELECT a.voided_at FROM gateway_authorizations a
       JOIN card_charges c ON c.gateway_authorization_id = a.id WHERE c.order_id = $1`,
      [orderId],
    );
    expect(rows[0]!.voided_at).not.toBeNull();
    expect((await orderOf(user, orderId)).card.status).toBe('voided');
    expect(items.stock.get(201)).toBe(stockBefore);
  });
});
