import { withTransaction, type Pool } from '@boxoffice/db';
import { claimOverdueOrders, moveOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';

/** Cancels orders left unpaid past ORDER_TTL; the item service releases their stock on the event. N-instance safe. */
export async function expireOrders(pool: Pool, batchSize = 100): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const overdue = await claimOverdueOrders(tx, batchSize);
    for (const order of overdue)
      await publishOrderChanged(tx, await moveOrder(tx, order.id, 'cancelled', { reason: 'ORDER_TTL' }));
    return overdue.length;
  });
}
