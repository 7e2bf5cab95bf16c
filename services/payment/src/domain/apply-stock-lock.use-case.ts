import type { StockLockChangedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { findOrder, moveOrder, setStockStatus } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import { canMove } from './order';

/**
 * The item service's answer about an order's stock. locked → the order can be paid; rejected → the order ends
 * rejected with the item service's reason. committed/released are recorded only (the order already ended).
 * A late `locked` for an order cancelled meanwhile changes nothing: the item service saw the cancellation and releases.
 */
export async function applyStockLock(db: Queryable, lock: StockLockChangedPayload): Promise<void> {
  const order = await findOrder(db, lock.orderId, { forUpdate: true });
  if (!order) return; // not one of ours (or from before this database): nothing to move
  await setStockStatus(db, order.id, lock.status);
  if (lock.status === 'locked' && canMove(order.status, 'stock_locked')) {
    await publishOrderChanged(db, await moveOrder(db, order.id, 'stock_locked'));
  } else if (lock.status === 'rejected' && canMove(order.status, 'rejected')) {
    await publishOrderChanged(
      db,
      await moveOrder(db, order.id, 'rejected', { reason: lock.reason ?? 'STOCK_NOT_AVAILABLE' }),
    );
  }
}
