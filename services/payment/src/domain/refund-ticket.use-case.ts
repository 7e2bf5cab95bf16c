import type { TicketChangedPayload, TicketSaleRefusedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { creditTicketRefund } from '../db/ledger.repo';
import { findPayment, paidPriceOf } from '../db/payments.repo';
import type { PaymentStatus } from './payment';

export type TicketRefundOutcome = 'refunded' | 'already-refunded' | 'nothing-to-refund';

/**
 * Gives one ticket's price back to the payer of its payment, in the consumer's transaction (its inbox row commits
 * with the ledger row). Keyed by (payment, ticket): a cancellation and a refused sale of the same ticket, a
 * redelivery, or a retry after a crash credit it once. The amount is the payment's own line price for the ticket. `refundable` says which payment states can owe this refund.
 */
async function refundTicket(
  db: Queryable,
  refund: { paymentId: string; ticketId: string; amount: number },
  refundable: readonly PaymentStatus[],
): Promise<TicketRefundOutcome> {
  const payment = await findPayment(db, refund.paymentId);
  if (!payment || !refundable.includes(payment.status)) return 'nothing-to-refund';
  // what this payment charged for the ticket is what comes back; the event's figure only for a ticket it has no
  // line for (none since migration 006 wrote a line for every payment)
  const amount = (await paidPriceOf(db, payment.id, refund.ticketId)) ?? refund.amount;
  if (amount <= 0) return 'nothing-to-refund';
  const credited = await creditTicketRefund(db, {
    userId: payment.userId,
    amount,
    paymentId: payment.id,
    ticketId: refund.ticketId,
  });
  return credited ? 'refunded' : 'already-refunded';
}

/**
 * ticket.changed → a CANCELLED ticket (its buyer or an admin cancelled it) is refunded its price. A ticket is sold
 * only to a confirmed payment; the payment may still read PENDING here when the confirm's answer was lost (the
 * reconciler completes it: the ticket service answers a cancelled ticket's own payment as sold), never FAILED.
 */
export function refundCancelledTicket(db: Queryable, ticket: TicketChangedPayload): Promise<TicketRefundOutcome> {
  if (ticket.status !== 'CANCELLED' || !ticket.paymentId) return Promise.resolve('nothing-to-refund');
  return refundTicket(db, { paymentId: ticket.paymentId, ticketId: ticket.id, amount: ticket.price }, [
    'PENDING',
    'COMPLETED',
  ]);
}

/**
 * ticket.sale-refused → a COMPLETED payment whose ticket could not be sold is refunded that ticket's price. A
 * FAILED payment was already refunded whole when it failed, so it gets nothing more.
 */
export function refundRefusedSale(db: Queryable, refusal: TicketSaleRefusedPayload): Promise<TicketRefundOutcome> {
  return refundTicket(db, refusal, ['COMPLETED']);
}
