import { OrderChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { Order } from '../domain/order';

/** order.changed with the order's new state; call it in the transaction that changed the order. */
export function publishOrderChanged(db: Queryable, order: Order) {
  return appendEvent(db, 'payment', OrderChanged, {
    aggregateId: order.id,
    aggregateVersion: order.revision,
    payload: {
      orderId: order.id,
      userId: order.userId,
      status: order.status,
      items: order.items,
      amount: order.amount,
      paymentMethod: order.paymentMethod,
      reason: order.reason,
      paymentStatus: order.paymentStatus,
    },
  });
}
