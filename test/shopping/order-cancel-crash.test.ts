import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ServiceProcess, dropDatabase, testEnv } from '@boxoffice/testing';
import { as, newItem, newUser, startShoppingStack, waitFor, type ShoppingStack } from './stack';

async function rows<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const SAGA = { timeoutMs: 60_000, intervalMs: 100 };

/**
 * Issue 15 "done when": a cancel before and after payment returns the stock and refunds exactly once, with the
 * payment service SIGKILLed mid-way. The payment service is a real process (killed for real); item, alarm and
 * user run in this process on the same topics; everything on real PostgreSQL, Redis and Kafka.
 */
describe('cancelling orders survives a crash of the payment service: stock back once, one refund, one notification', () => {
  let stack: ShoppingStack;
  let payment: ServiceProcess;
  let shopper: ReturnType<typeof as>;
  let user: { id: number; token: string };

  beforeAll(async () => {
    stack = await startShoppingStack({ mode: 'in-process' });
    payment = await ServiceProcess.create(
      'payment',
      testEnv('payment', {
        KAFKA_TOPIC_PREFIX: stack.prefix,
        USER_SERVICE_URL: stack.user.url,
        ITEM_SERVICE_URL: stack.item.url,
        QUEUE_SERVICE_URL: 'http://127.0.0.1:9',
        TICKET_SERVICE_URL: 'http://127.0.0.1:9',
        ORDER_SWEEP_INTERVAL_MS: '100',
      }),
    );
    await payment.start();
    user = await newUser(stack, 'canceller');
    shopper = as(user.token);
  }, 120_000);
  afterAll(async () => {
    await payment?.stop('SIGKILL');
    if (payment) await dropDatabase(payment.env.DATABASE_URL!);
    await stack?.stop();
  });

  const orderOf = async (orderId: string) => (await shopper.get(`${payment.url}/api/orders/${orderId}`)).body;
  const reaches = (orderId: string, status: string, stockStatus: string) =>
    waitFor(
      `order ${status} with stock ${stockStatus}`,
      async () => {
        const order = await orderOf(orderId);
        return order?.status === status && order.stockStatus === stockStatus ? order : undefined;
      },
      SAGA,
    );
  const stockOf = async (itemId: number) =>
    (await rows<{ stock: number }>(stack.item.env.DATABASE_URL!, 'SELECT stock FROM items WHERE id = $1', [itemId]))[0]!
      .stock;
  const cancelNotifications = (orderId: string) =>
    rows(stack.alarm.env.DATABASE_URL!, 'SELECT 1 FROM notifications WHERE trigger = $1', [
      `order.changed:${orderId}:cancelled`,
    ]);
  async function cancelWithKey(orderId: string, key: string) {
    const response = await fetch(`${payment.url}/api/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: { 'user-token': user.token, 'idempotency-key': key },
    });
    return { status: response.status, body: await response.json() };
  }

  it('when an unpaid and a paid order are cancelled around SIGKILLs of the payment service, then each ends cancelled, the stock is back exactly, and the paid one is refunded once', async () => {
    const item = await newItem(stack, { stock: 10, price: 1_000 });
    await waitFor(
      'the payment service knows the shopper',
      async () => (await shopper.get(`${payment.url}/points`)).status === 200,
      SAGA,
    );
    expect((await shopper.post(`${payment.url}/points`, { point: 5_000, pointType: 'CHARGE' })).status).toBe(200);

    // order A: locked, not paid
    const createdA = await waitFor(
      'order A created (the item known to the payment service)',
      async () => {
        const created = await shopper.post(`${payment.url}/api/orders/create`, {
          orderAmount: 3_000,
          items: [{ productId: item.id, quantity: 3 }],
        });
        return created.status === 201 ? created : undefined;
      },
      SAGA,
    );
    const orderA = createdA.body.orderId as string;
    await reaches(orderA, 'stock_locked', 'locked');
    // order B: paid by points, its stock committed
    const createdB = await shopper.post(`${payment.url}/api/orders/create`, {
      orderAmount: 2_000,
      items: [{ productId: item.id, quantity: 2 }],
    });
    const orderB = createdB.body.orderId as string;
    const paid = await shopper.post(`${payment.url}/api/payment/process`, { orderId: orderB, paymentMethod: 'points' });
    expect([200, 202]).toContain(paid.status);
    await reaches(orderB, 'paid', 'committed');
    expect(await stockOf(item.id)).toBe(5);

    // A: the cancel commits, then the service dies at once, before or while its outbox is relayed
    const keyA = `cancel-${randomUUID()}`;
    const cancelledA = await cancelWithKey(orderA, keyA);
    expect(cancelledA).toMatchObject({ status: 200, body: { status: 'cancelled', paymentStatus: null } });
    await payment.stop('SIGKILL');
    await payment.start();

    // B: the service dies while the cancel is in flight; the client retries with the same key after the restart
    const keyB = `cancel-${randomUUID()}`;
    const inFlight = cancelWithKey(orderB, keyB).catch((error: Error) => ({ status: 0, body: error.message }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await payment.stop('SIGKILL');
    await inFlight;
    await payment.start();
    const retriedB = await waitFor(
      'the retried cancel answered',
      async () => {
        const answer = await cancelWithKey(orderB, keyB);
        return answer.status === 200 ? answer : undefined;
      },
      SAGA,
    );
    expect(retriedB.body).toMatchObject({ status: 'cancelled', paymentMethod: 'points', paymentStatus: 'refunded' });
    // a retry of A after the crash answers the same, and changes nothing
    expect(await cancelWithKey(orderA, keyA)).toMatchObject({ status: 200, body: cancelledA.body });

    await reaches(orderA, 'cancelled', 'released');
    await reaches(orderB, 'cancelled', 'released');
    await waitFor('the stock back', async () => (await stockOf(item.id)) === 10, SAGA);
    const refunds = await rows<{ amount: number }>(
      payment.env.DATABASE_URL!,
      "SELECT amount::int AS amount FROM point_transactions WHERE user_id = $1 AND point_type = 'REFUND'",
      [user.id],
    );
    expect(refunds).toEqual([{ amount: 2_000 }]);
    expect((await shopper.get(`${payment.url}/points`)).body.balance).toBe(5_000);
    await waitFor('A notified', async () => (await cancelNotifications(orderA)).length === 1, SAGA);
    await waitFor('B notified', async () => (await cancelNotifications(orderB)).length === 1, SAGA);

    // once every order event is out and applied, nothing more moved the stock
    await waitFor(
      'the payment outbox drained',
      async () =>
        (
          await rows<{ n: number }>(
            payment.env.DATABASE_URL!,
            "SELECT count(*)::int AS n FROM outbox WHERE state = 'pending'",
          )
        )[0]!.n === 0,
      SAGA,
    );
    expect(await stockOf(item.id)).toBe(10);
    const locks = await rows<{ order_id: string; status: string }>(
      stack.item.env.DATABASE_URL!,
      'SELECT order_id, status FROM stock_locks WHERE order_id = ANY($1::uuid[]) ORDER BY order_id',
      [[orderA, orderB]],
    );
    expect(locks.map((lock) => lock.status)).toEqual(['released', 'released']);
  });
});
