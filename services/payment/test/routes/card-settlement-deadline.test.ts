import { waitFor } from '@boxoffice/testing';
import { orderSagaFixture } from '../support/item-stand-in';
import { CARD_OK } from '../support/payment-kit';

/**
 * Issue 19 item 7: a card settlement that never arrives (the simulated gateway is told to settle in ten minutes)
 * gets a deadline of two seconds: the order is cancelled, its stock released and the charge voided; meanwhile
 * the order cannot be paid by points as well.
 */
describe('card settlement deadline: a charge that never settles ends the order, releases the stock and is voided', () => {
  const { kit, items, users } = orderSagaFixture({
    env: { CARD_SETTLE_DELAY_MS: '600000', CARD_SETTLEMENT_DEADLINE_SECONDS: '2' },
    catalogue: [{ id: 301, price: 2_000, stock: 10 }],
    userCount: 1,
  });

  it('when the settlement does not come within the deadline, then cancelled (CARD_SETTLEMENT_TIMEOUT), stock released, charge voided; points could not pay it meanwhile', async () => {
    const user = users[0]!;
    await kit.charge(user, 5_000);
    const created = await kit.call('POST', '/api/orders/create', {
      user,
      body: { orderAmount: 4_000, items: [{ productId: 301, quantity: 2 }] },
    });
    const orderId = created.body.orderId as string;
    await waitFor('the stock locked', () =>
      items.published.some((lock) => lock.orderId === orderId && lock.status === 'locked'),
    );
    expect(items.stock.get(301)).toBe(8);
    const paying = await kit.pay(user, orderId, CARD_OK);
    expect(paying.status).toBe(202);

    const byPoints = await kit.pay(user, orderId);
    expect(byPoints.status).toBe(409);
    expect(byPoints.body.errors.code).toBe('PAYMENT_IN_PROGRESS');
    expect((await kit.call('GET', '/points', { user })).body.balance).toBe(5_000);

    const cancelled = await waitFor(
      'cancelled at the deadline',
      async () => {
        const order = (await kit.call('GET', `/api/orders/${orderId}`, { user })).body;
        return order.status === 'cancelled' ? order : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(cancelled).toMatchObject({
      reason: 'CARD_SETTLEMENT_TIMEOUT',
      paymentStatus: 'voided',
      card: { status: 'voided' },
    });
    await items.lockReleased(orderId);
    expect(items.stock.get(301)).toBe(10);
    const { rows } = await kit.app.pg.query<{ voided_at: Date | null; delivered_at: Date | null }>(
      `SELECT a.voided_at, a.delivered_at FROM gateway_authorizations a
       JOIN card_charges c ON c.gateway_authorization_id = a.id WHERE c.order_id = $1`,
      [orderId],
    );
    expect(rows).toEqual([{ voided_at: expect.any(Date), delivered_at: null }]);
  });
});
