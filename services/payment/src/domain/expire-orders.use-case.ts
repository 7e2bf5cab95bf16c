import { withTransaction, type Pool } from '@boxoffice/db';
import { claimOverdueOrders, moveOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import type { CardGateway } from './card-gateway';
import { giveBackPayment } from './give-back-payment';

/**
 * Cancels orders left unpaid past ORDER_TTL, and orders whose card settlement did not arrive within
 * CARD_SETTLEMENT_DEADLINE_SECONDS (issue 19 item 7): the money held for them goes back (points refunded, the
 * card charge voided at the gateway), and the item service releases their stock on the event. N-instance safe.
 */
export async function expireOrders(
  deps: { pool: Pool; gateway: CardGateway; settlementSeconds: number },
  batchSize = 100,
): Promise<number> {
  return withTransaction(deps.pool, async (tx) => {
    const overdue = await claimOverdueOrders(tx, batchSize, deps.settlementSeconds);
    for (const { order, reason } of overdue) {
      const paymentStatus = await giveBackPayment(tx, deps.gateway, order);
      await publishOrderChanged(tx, await moveOrder(tx, order.id, 'cancelled', { reason, paymentStatus }));
    }
    return overdue.length;
  });
}
