import { waitFor } from '@boxoffice/testing';
import { orderSagaFixture } from '../support/item-stand-in';
import type { TestUser } from '../support/payment-kit';

/** The fields of an answer these tests read one by one (whole bodies are compared with toMatchObject). */
interface SeedAnswer {
  orderId: string;
  paymentStatus: string;
  errors: { code: string; detail: Record<string, unknown>[] };
}

/**
 * Seed 003's request and answer shapes (issue 15 item 3): product codes, decimal amounts in whole won, the payer's
 * id in the body, credit_card / paypal, and `paymentStatus: "failed"` beside the SPEC error of a refused payment.
 * Bodies are sent as raw JSON text, so `2500.00` reaches the service as the seed writes it.
 */
describe("seed 003's shapes: product codes, decimal amounts, credit_card, paymentStatus failed", () => {
  const { kit, users } = orderSagaFixture({
    env: { CARD_SETTLE_DELAY_MS: '100' },
    catalogue: [
      { id: 501, price: 1_000, stock: 100, code: 'P001' },
      { id: 502, price: 500, stock: 100, code: 'P002' },
    ],
    userCount: 3,
  });

  async function raw(user: TestUser, path: string, json: string) {
    const response = await fetch(`${kit.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': user.token },
      body: json,
    });
    return { status: response.status, body: (await response.json()) as SeedAnswer };
  }
  const seedOrder = (user: TestUser, amount: string, userId: string | number = user.id) =>
    raw(
      user,
      '/api/orders/create',
      `{"userId": "${userId}", "orderAmount": ${amount}, "items": [{"productId": "P001", "quantity": 2}, {"productId": "P002", "quantity": 1}]}`,
    );

  it('when an order names products by code with a decimal amount of whole won, then it is created with their ids', async () => {
    const user = users[0]!;
    const created = await seedOrder(user, '2500.00');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 201, status: 'pending' });
    const order = (await kit.call('GET', `/api/orders/${created.body.orderId}`, { user })).body;
    expect(order).toMatchObject({
      amount: 2_500,
      items: [
        { productId: 501, quantity: 2 },
        { productId: 502, quantity: 1 },
      ],
    });
  });

  it('when the amount has a fraction of a won, a code is unknown, or userId is not the caller, then 422, 404, 403 and no order', async () => {
    const user = users[1]!;
    const fraction = await seedOrder(user, '2500.50');
    expect(fraction.status).toBe(422);
    expect(fraction.body.errors.detail[0]).toMatchObject({ param: 'orderAmount', error: 'AmountMismatch' });
    const unknown = await raw(
      user,
      '/api/orders/create',
      '{"orderAmount": 1000, "items": [{"productId": "P999", "quantity": 1}]}',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors.detail[0]).toMatchObject({ param: 'items.productId', value: 'P999' });
    const someoneElse = await seedOrder(user, '2500', users[0]!.id);
    expect(someoneElse.status).toBe(403);
    expect(someoneElse.body.errors).toMatchObject({ code: 'NOT_YOUR_ACCOUNT', detail: [{ param: 'userId' }] });
    const duplicate = await raw(
      user,
      '/api/orders/create',
      '{"orderAmount": 2000, "items": [{"productId": "P001", "quantity": 1}, {"productId": 501, "quantity": 1}]}',
    );
    expect(duplicate.status).toBe(422);
    const { rowCount } = await kit.app.pg.query('SELECT 1 FROM orders WHERE user_id = $1', [user.id]);
    expect(rowCount).toBe(0);
  });

  it('when seed 003 pays with credit_card, its userId and a decimal paymentAmount, then it is the card; refusals carry paymentStatus failed', async () => {
    const user = users[2]!;
    const orderId = (await seedOrder(user, '2500')).body.orderId as string;
    const card = '{"cardNumber": "4111111111111111", "expiryDate": "12/45", "cvv": "123"}';

    const paypal = await raw(
      user,
      '/api/payment/process',
      `{"orderId": "${orderId}", "paymentMethod": "paypal", "paymentDetails": {}}`,
    );
    expect(paypal.status).toBe(422);
    expect(paypal.body).toMatchObject({
      paymentStatus: 'failed',
      errors: { detail: [{ param: 'paymentMethod', error: 'PAYMENT_METHOD_UNSUPPORTED' }] },
    });
    const poor = await raw(user, '/api/payment/process', `{"orderId": "${orderId}", "paymentMethod": "points"}`);
    expect(poor.status).toBe(400);
    expect(poor.body).toEqual({
      errors: {
        code: 'NOT_ENOUGH_POINTS',
        message: expect.any(String),
        detail: [expect.objectContaining({ param: 'balance' })],
      },
      paymentStatus: 'failed',
    });
    const wrongAmount = await raw(
      user,
      '/api/payment/process',
      `{"orderId": "${orderId}", "userId": "${user.id}", "paymentAmount": 100.50, "paymentMethod": "credit_card", "paymentDetails": ${card}}`,
    );
    expect(wrongAmount.status).toBe(422);
    expect(wrongAmount.body.paymentStatus).toBe('failed');
    const unauthenticated = await fetch(`${kit.url}/api/payment/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"orderId": "${orderId}", "paymentMethod": "points"}`,
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({
      paymentStatus: 'failed',
      errors: { code: expect.any(String) },
    });

    const paying = await raw(
      user,
      '/api/payment/process',
      `{"orderId": "${orderId}", "userId": "${user.id}", "paymentAmount": 2500.00, "paymentMethod": "credit_card", "paymentDetails": ${card}}`,
    );
    expect(paying.status).toBe(202);
    expect(paying.body).toMatchObject({ code: 202, paymentStatus: 'processing', orderId });
    await waitFor(
      'paid by card',
      async () => (await kit.call('GET', `/api/orders/${orderId}`, { user })).body.status === 'paid',
    );
    expect((await kit.call('GET', `/api/orders/${orderId}`, { user })).body).toMatchObject({
      paymentMethod: 'card',
      paymentStatus: 'completed',
      card: { last4: '1111' },
    });
  });
});
