import pg from 'pg';
import { TOPICS } from '@boxoffice/contracts';
import { EventRecorder, ServiceProcess, waitFor } from '@boxoffice/testing';
import { ItemStandIn } from '../support/item-stand-in';
import { PaymentKit } from '../support/payment-kit';

const CVV = '7319';
const CARDS = ['4242424242424242', '4000000000000002', '4242424242424241', '5555555555554444'];
const SPACED = '4242 4242 4242 4242';

/**
 * SPEC §6: a card number and CVV never appear in a log line, an event or a database row. The payment service
 * runs as a real process (its real log output), card payments go through the gateway and its callbacks, then the
 * whole output, every event on every topic and every row of every table are searched.
 */
describe('card data never leaves the request', () => {
  const kit = new PaymentKit({ LOG_LEVEL: 'debug', CARD_SETTLE_DELAY_MS: '100' });
  const items = new ItemStandIn(kit);
  let service: ServiceProcess;
  let recorder: EventRecorder;

  beforeAll(async () => {
    service = await ServiceProcess.create('payment', kit.env);
    await service.start();
    kit.url = service.url;
    await items.start();
    await items.items([{ id: 7, price: 1_500, stock: 100 }]);
    recorder = await new EventRecorder(kit.prefix, Object.values(TOPICS)).start();
  }, 90_000);
  afterAll(async () => {
    await recorder?.stop();
    await items.stop();
    await service.stop();
    await kit.stop();
  });

  it('when cards are paid, declined and refused, then no log line, event or table row holds a card number or CVV', async () => {
    const [user] = await kit.users(1);
    await waitFor('the user known', async () => (await kit.call('GET', '/points', { user })).status === 200, {
      timeoutMs: 30_000,
    });
    await waitFor(
      'the item known',
      async () =>
        (
          await kit.call('POST', '/api/orders/create', {
            user,
            body: { orderAmount: 0, items: [{ productId: 7, quantity: 1 }] },
          })
        ).status === 422,
      { timeoutMs: 30_000 },
    );

    const orderIds: string[] = [];
    for (const [cardNumber, expected] of [
      [SPACED, 'paid'],
      [CARDS[1]!, 'payment_failed'],
      [CARDS[3]!, 'paid'],
    ] as const) {
      const created = await kit.call('POST', '/api/orders/create', {
        user,
        body: { orderAmount: 1_500, items: [{ productId: 7, quantity: 1 }] },
      });
      const orderId = created.body.orderId as string;
      orderIds.push(orderId);
      await waitFor(
        'stock_locked',
        async () => (await kit.call('GET', `/api/orders/${orderId}`, { user })).body.status === 'stock_locked',
      );
      const paid = await kit.call('POST', '/api/payment/process', {
        user,
        body: { orderId, paymentMethod: 'card', paymentDetails: { cardNumber, expiryDate: '11/44', cvv: CVV } },
      });
      expect(paid.status).toBe(202);
      await waitFor(
        expected,
        async () => (await kit.call('GET', `/api/orders/${orderId}`, { user })).body.status === expected,
      );
    }
    // refused on the way in: a failing Luhn check, an unknown order, a body that is not JSON
    const luhn = await kit.call('POST', '/api/payment/process', {
      user,
      body: {
        orderId: orderIds[0],
        paymentMethod: 'card',
        paymentDetails: { cardNumber: CARDS[2], expiryDate: '11/44', cvv: CVV },
      },
    });
    expect(luhn.status).toBe(422);
    const unknown = await kit.call('POST', '/api/payment/process', {
      user,
      body: {
        orderId: '00000000-0000-4000-8000-000000000000',
        paymentMethod: 'card',
        paymentDetails: { cardNumber: CARDS[0], expiryDate: '11/44', cvv: CVV },
      },
    });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${kit.url}/api/payment/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-token': user!.token },
      body: `{"orderId": "x", "paymentDetails": {"cardNumber": "${CARDS[0]}", "cvv": "${CVV}"`,
    });
    expect(malformed.status).toBe(422);
    await waitFor(
      'the last order events',
      () => recorder.events.filter((e) => orderIds.includes(e.aggregateId)).length >= 9,
    );

    const leaks = (where: string, text: string) => {
      const found: string[] = [];
      for (const card of [...CARDS, SPACED]) if (text.includes(card)) found.push(`${where}: card ${card}`);
      if (new RegExp(`["'=: ]${CVV}["',} ]`).test(text)) found.push(`${where}: CVV`);
      if (/"cvv"\s*:\s*"\d/i.test(text)) found.push(`${where}: a cvv field`);
      return found;
    };

    const problems: string[] = [];
    // everything it printed that is kept (50,000 characters), not only the last lines
    problems.push(...leaks('logs', service.keptOutput));
    expect(service.keptOutput).toContain('request done'); // the logs were really captured
    problems.push(...leaks('events', JSON.stringify(recorder.events)));

    const db = new pg.Client({ connectionString: kit.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows: tables } = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['card_charges', 'gateway_authorizations', 'outbox', 'idempotency_keys']),
      );
      for (const { table_name: table } of tables) {
        const { rows } = await db.query(`SELECT t::text AS row FROM "${table}" t`);
        problems.push(...leaks(`table ${table}`, rows.map((r) => r.row).join('\n')));
      }
      const { rows: last4 } = await db.query('SELECT card_last4 FROM card_charges ORDER BY created_at');
      expect(last4.map((r) => r.card_last4)).toEqual(['4242', '0002', '4444']);
    } finally {
      await db.end();
    }
    expect(problems).toEqual([]);
  }, 180_000);
});
