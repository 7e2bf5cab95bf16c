import { randomUUID } from 'node:crypto';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { AlarmKit, type TestUser } from '../support/alarm-kit';

describe('notifications raised by payment and order events (real Kafka), once per step', () => {
  const kit = suiteKit(new AlarmKit());
  let users: TestUser[];

  beforeAll(async () => void (users = await kit.users(4)));

  it('when an order goes pending → stock_locked → paid, each event delivered twice, then the user gets two notifications, newest first', async () => {
    const user = users[0]!;
    const orderId = randomUUID();
    for (const [status, revision] of [
      ['pending', 1],
      ['stock_locked', 2],
      ['paid', 3],
    ] as const) {
      await kit.order(
        { orderId, userId: user.id, status, paymentMethod: status === 'paid' ? 'points' : null },
        revision,
      );
      await kit.order(
        { orderId, userId: user.id, status, paymentMethod: status === 'paid' ? 'points' : null },
        revision,
      );
    }
    // another order of the same user, on its own partition: it may be handled before or after the first one
    const other = randomUUID();
    await kit.order({ orderId: other, userId: user.id, status: 'rejected', reason: 'INSUFFICIENT_STOCK' }, 2);
    // each order event has its own event id, so its own inbox row
    await kit.consumed('order.changed', 7);
    const inbox = await kit.inbox(user);
    expect(inbox.count).toBe(3);
    const times = inbox.payload.map((n) => Date.parse(n.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const mine = inbox.payload.filter((n) => n.message.includes(orderId));
    expect(mine.map((n) => n.subject)).toEqual(['Order paid', 'Order confirmed: please pay']);
    expect(mine[0]).toMatchObject({
      notificationType: 'email',
      status: 'sent',
      message: `Your order ${orderId} has been successfully paid (total 3000).`,
    });
    expect(inbox.payload.find((n) => n.message.includes(other))!.message).toBe(
      `Your order ${other} could not be placed because there is not enough stock.`,
    );
    expect((await kit.triggersOf(user.id)).sort()).toEqual(
      [
        `order.changed:${orderId}:stock_locked`,
        `order.changed:${orderId}:paid`,
        `order.changed:${other}:rejected`,
      ].sort(),
    );
  });

  it('when orders fail or are cancelled, then the user is told why', async () => {
    const user = users[1]!;
    const declined = randomUUID();
    const expired = randomUUID();
    await kit.order(
      { orderId: declined, userId: user.id, status: 'payment_failed', reason: 'CARD_DECLINED', paymentMethod: 'card' },
      3,
    );
    await kit.order({ orderId: expired, userId: user.id, status: 'cancelled', reason: 'ORDER_TTL' }, 3);
    const inbox = await waitFor('two notifications', async () => {
      const seen = await kit.inbox(user);
      return seen.count === 2 ? seen : undefined;
    });
    const byOrder = (id: string) => inbox.payload.find((n) => n.message.includes(id))!;
    expect(byOrder(declined)).toMatchObject({
      subject: 'Payment failed',
      message: `The payment for your order ${declined} failed because the card was declined. The items were released.`,
    });
    expect(byOrder(expired)).toMatchObject({
      subject: 'Order cancelled',
      message: `Your order ${expired} was cancelled because it was not paid in time. The items were released.`,
    });
  });

  it('when a ticket payment completes and the event is delivered twice, then the payer is notified once', async () => {
    const user = users[2]!;
    const payment = {
      paymentId: randomUUID(),
      userId: user.id,
      ticketId: '42',
      amount: 55_000,
      paidAt: new Date().toISOString(),
    };
    await kit.payment(payment);
    await kit.payment(payment);
    await kit.consumed('payment.completed', 2);
    const inbox = await kit.inbox(user);
    expect(inbox.count).toBe(1);
    expect(inbox.payload[0]).toMatchObject({
      userId: user.id,
      subject: 'Payment completed',
      message: 'Your payment of 55000 points for ticket 42 is complete.',
    });
    // nobody else heard of it
    expect((await kit.inbox(users[3]!)).count).toBe(0);
  });
});
