import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { literals } from './literals';
import { TOPICS } from './topics';

export const OrderLine = Type.Object({
  productId: Type.Integer({ minimum: 1 }),
  quantity: Type.Integer({ minimum: 1 }),
});
export type OrderLine = Static<typeof OrderLine>;

export const OrderStatus = Type.Union(
  literals('pending', 'stock_locked', 'rejected', 'paid', 'payment_failed', 'cancelled'),
);
export type OrderStatus = Static<typeof OrderStatus>;

/**
 * The state of a shopping order after a change (the order saga, SPEC §6). Published by the payment service;
 * `aggregateVersion` is the order's revision. The item service locks stock on `pending`, commits it on `paid`
 * and releases it on `payment_failed` or `cancelled`; the alarm service notifies the user on every change.
 * Transitions: pending → stock_locked | rejected | payment_failed | cancelled; stock_locked → paid | payment_failed |
 * cancelled; paid → cancelled (the shopper cancelled before shipping: refunded, and the stock goes back).
 */
export const OrderChangedPayload = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  status: OrderStatus,
  items: Type.Array(OrderLine),
  /** Σ price × quantity at creation, in points (= currency units). */
  amount: Type.Integer({ minimum: 0 }),
  paymentMethod: Type.Union([...literals('points', 'card'), Type.Null()]),
  /** Why it was rejected, failed or cancelled (e.g. "INSUFFICIENT_STOCK", "CARD_DECLINED", "ORDER_TTL"); else null. */
  reason: Type.Union([Type.String(), Type.Null()]),
  /**
   * Where the shopper's money is: `processing` (points held or card authorized, waiting for the stock lock or the
   * card's settlement), `completed`, `failed` (declined), `refunded` or `voided` (given back); null before any
   * payment. Optional: events from before pay-at-checkout lack it.
   */
  paymentStatus: Type.Optional(
    Type.Union([...literals('processing', 'completed', 'failed', 'refunded', 'voided'), Type.Null()]),
  ),
});
export type PaymentStatus = NonNullable<OrderChangedPayload['paymentStatus']>;
export type OrderChangedPayload = Static<typeof OrderChangedPayload>;

export const OrderChanged = defineEvent('order.changed', TOPICS.orders, 'order', OrderChangedPayload);
