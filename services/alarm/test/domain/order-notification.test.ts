import { randomUUID } from 'node:crypto';
import type { OrderChangedPayload } from '@boxoffice/contracts';
import { orderNotification } from '../../src/domain/notification';

const order = (changes: Partial<OrderChangedPayload>): OrderChangedPayload => ({
  orderId: randomUUID(),
  userId: 7,
  status: 'cancelled',
  items: [{ productId: 1, quantity: 2 }],
  amount: 4_000,
  paymentMethod: 'points',
  reason: 'CANCELLED_BY_SHOPPER',
  paymentStatus: 'refunded',
  ...changes,
});

describe('what a shopper is told when an order ends with money held or paid', () => {
  it('when a paid order is cancelled by its shopper, then the message says it was cancelled, released and refunded', () => {
    const cancelled = order({});
    expect(orderNotification(cancelled)).toEqual({
      userId: 7,
      channel: 'email',
      trigger: `order.changed:${cancelled.orderId}:cancelled`,
      subject: 'Order cancelled',
      message: `Your order ${cancelled.orderId} was cancelled because you asked for it. The items were released. Your payment of 4000 was refunded.`,
    });
  });

  it('when a lock fails after a card payment at checkout, then the rejection says the charge was voided', () => {
    const rejected = order({
      status: 'rejected',
      reason: 'INSUFFICIENT_STOCK',
      paymentMethod: 'card',
      paymentStatus: 'voided',
    });
    expect(orderNotification(rejected)!.message).toBe(
      `Your order ${rejected.orderId} could not be placed because there is not enough stock. The card charge was voided: nothing was taken.`,
    );
  });

  it('when an order ends without money held (an event from before paymentStatus), then no money sentence', () => {
    const { paymentStatus: _none, ...old } = order({ reason: 'ORDER_TTL', paymentMethod: null });
    expect(orderNotification(old)!.message).toBe(
      `Your order ${old.orderId} was cancelled because it was not paid in time. The items were released.`,
    );
  });
});
