import type { Queryable } from '@boxoffice/db';
import { liveChargeOfOrder, settleCharge } from '../db/card-charges.repo';
import { credit } from '../db/ledger.repo';
import type { CardGateway } from './card-gateway';
import type { Order, PaymentStatus } from './order';

/**
 * Gives the shopper's money for an ending order back, in the caller's transaction (which holds the order's row
 * lock), and says what happened: points held or paid → one REFUND ledger row (`refunded`; the ledger's unique
 * index makes a second one impossible); a card charge still settling, or authorized while the stock was not
 * locked yet → voided at the gateway (`voided`: nothing was taken); a charge that paid the order → refunded.
 * Undefined when no money was held. Each branch moves its row out of the state it reads, so it happens once.
 */
export async function giveBackPayment(
  tx: Queryable,
  gateway: CardGateway,
  order: Order,
): Promise<PaymentStatus | undefined> {
  if (order.paymentMethod === 'points') {
    if (order.paymentStatus !== 'processing' && order.paymentStatus !== 'completed') return undefined;
    if (order.amount > 0) await credit(tx, order.userId, order.amount, 'REFUND', { orderId: order.id });
    return 'refunded';
  }
  if (order.paymentMethod !== 'card') return undefined;
  const charge = await liveChargeOfOrder(tx, order.id);
  if (!charge) return undefined;
  const outcome = charge.status === 'approved' && order.status === 'paid' ? 'refunded' : 'voided';
  await settleCharge(tx, charge.id, outcome, null);
  if (charge.authorizationId) await gateway.release(tx, charge.authorizationId);
  return outcome;
}
