import type { StockLockChangedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { liveChargeOfOrder } from '../db/card-charges.repo';
import { findOrder, moveOrder, setStockStatus } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import type { CardGateway } from './card-gateway';
import { giveBackPayment } from './give-back-payment';
import { canMove, type Order } from './order';

/** Whether the money asked for at checkout is there to pay the order now that its stock is locked. */
async function heldPaymentCovers(db: Queryable, order: Order): Promise<boolean> {
  if (order.paymentStatus !== 'processing') return false;
  if (order.paymentMethod === 'points') return true;
  return (await liveChargeOfOrder(db, order.id))?.status === 'approved';
}

/**
 * The item service's answer about an order's stock (the consumer's transaction). locked → the order can be paid,
 * and is paid at once when the shopper already paid at checkout (points held, or a card charge approved);
 * rejected → the order ends rejected with the item service's reason, and money held for it goes back (points
 * refunded, card voided: `paymentStatus` says which). committed/released are recorded only (the order already
 * ended). A late `locked` for an order cancelled meanwhile changes nothing: the item service saw the
 * cancellation and releases. Redelivered, it finds the order moved on and does nothing.
 */
export async function applyStockLock(
  db: Queryable,
  gateway: CardGateway,
  lock: StockLockChangedPayload,
): Promise<void> {
  const order = await findOrder(db, lock.orderId, { forUpdate: true });
  if (!order) return; // not one of ours (or from before this database): nothing to move
  await setStockStatus(db, order.id, lock.status);
  if (lock.status === 'locked' && canMove(order.status, 'stock_locked')) {
    const locked = await moveOrder(db, order.id, 'stock_locked');
    await publishOrderChanged(db, locked);
    if (await heldPaymentCovers(db, locked))
      await publishOrderChanged(db, await moveOrder(db, order.id, 'paid', { paymentStatus: 'completed' }));
  } else if (lock.status === 'rejected' && canMove(order.status, 'rejected')) {
    const givenBack = await giveBackPayment(db, gateway, order);
    const reason = lock.reason ?? 'STOCK_NOT_AVAILABLE';
    await publishOrderChanged(db, await moveOrder(db, order.id, 'rejected', { reason, paymentStatus: givenBack }));
  }
}
