import { withTransaction, type Pool } from '@boxoffice/db';
import { notFound } from '@boxoffice/errors';
import { findCharge, settleCharge } from '../db/card-charges.repo';
import { findOrder, moveOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import type { CardGateway } from './card-gateway';
import { canMove } from './order';

export interface Settlement {
  reference: string;
  status: 'approved' | 'declined';
  declineCode: string | null;
}

/**
 * The gateway's settlement of a card charge. Idempotent: a charge already settled (or voided) is left as it is
 * (the gateway retries deliveries). Approved → the order is paid if its stock is locked (the item service commits
 * it); on a still pending order the approval waits for the lock (applyStockLock pays or voids it). Declined →
 * payment_failed (the item service releases the stock). An approval for an order that ended meanwhile is voided.
 */
export async function settleCardCharge(pool: Pool, gateway: CardGateway, settlement: Settlement): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const charge = await findCharge(tx, settlement.reference, { forUpdate: true });
    if (!charge) throw notFound(`Charge ${settlement.reference} doesn't exist.`);
    if (charge.status !== 'processing') return;
    const order = (await findOrder(tx, charge.orderId, { forUpdate: true }))!;
    if (settlement.status === 'approved') {
      if (order.status === 'pending') {
        await settleCharge(tx, charge.id, 'approved', null);
        return;
      }
      if (!canMove(order.status, 'paid')) {
        await settleCharge(tx, charge.id, 'voided', 'ORDER_NOT_PAYABLE');
        if (charge.authorizationId) await gateway.release(tx, charge.authorizationId);
        return;
      }
      await settleCharge(tx, charge.id, 'approved', null);
      await publishOrderChanged(
        tx,
        await moveOrder(tx, order.id, 'paid', { paymentMethod: 'card', paymentStatus: 'completed' }),
      );
      return;
    }
    const code = (settlement.declineCode ?? 'card_declined').toUpperCase();
    await settleCharge(tx, charge.id, 'declined', code);
    if (canMove(order.status, 'payment_failed')) {
      await publishOrderChanged(
        tx,
        await moveOrder(tx, order.id, 'payment_failed', {
          paymentMethod: 'card',
          reason: code,
          paymentStatus: 'failed',
        }),
      );
    }
  });
}
