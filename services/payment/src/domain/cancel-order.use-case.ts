import type { Transact } from '@boxoffice/db';
import { conflict } from '@boxoffice/errors';
import { findOrder, moveOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import type { CardGateway } from './card-gateway';
import { giveBackPayment } from './give-back-payment';
import { canMove, type Order } from './order';
import { orderNotFound } from './pay-order.use-case';

export const CANCELLED_BY_SHOPPER = 'CANCELLED_BY_SHOPPER';

/**
 * The shopper cancels their order (issue 15 item 2). Before payment: cancelled, and the item service releases the
 * stock on the event. After payment (shipping is not modelled, so a paid order has not shipped): the payment is
 * refunded (points: one REFUND row; card: the charge refunded at the gateway) and the stock released. Money held
 * at checkout is given back the same way. One transaction with the order.changed row, under the order's lock;
 * a second cancel (a retry after a crash) finds it cancelled and answers it as it is, so nothing happens twice.
 * A rejected or failed order has nothing left to cancel (409).
 */
export function cancelOrder(
  deps: { gateway: CardGateway },
  input: { userId: number; orderId: string },
  transact: Transact,
): Promise<Order> {
  return transact(async (tx) => {
    const order = await findOrder(tx, input.orderId, { forUpdate: true });
    if (!order || order.userId !== input.userId) throw orderNotFound(input.orderId);
    if (order.status === 'cancelled') return order;
    if (!canMove(order.status, 'cancelled'))
      throw conflict('ORDER_NOT_CANCELLABLE', `This order is ${order.status}: there is nothing left to cancel.`, [
        {
          location: 'state',
          param: 'status',
          value: order.status,
          error: 'Conflict',
          msg: `The order is ${order.status}.`,
        },
      ]);
    const paymentStatus = await giveBackPayment(tx, deps.gateway, order);
    const cancelled = await moveOrder(tx, order.id, 'cancelled', { reason: CANCELLED_BY_SHOPPER, paymentStatus });
    await publishOrderChanged(tx, cancelled);
    return cancelled;
  });
}
