import { PaymentCompleted } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import { isoWithOffset } from '@boxoffice/http';
import type { Payment } from '../domain/payment';

/**
 * payment.completed, in the transaction that completes the payment. The ticket service confirms the sale again (a
 * no-op: it already did), the alarm service notifies the user. (The queue token ends on the ticket service's
 * ticket.purchase-finished instead: a buyer may still have holds to pay.)
 */
export function publishPaymentCompleted(db: Queryable, payment: Payment) {
  return appendEvent(db, 'payment', PaymentCompleted, {
    aggregateId: payment.id,
    aggregateVersion: payment.revision,
    payload: {
      paymentId: payment.id,
      userId: payment.userId,
      ticketId: payment.ticketId,
      ticketIds: payment.ticketIds,
      amount: payment.amount,
      paidAt: isoWithOffset(payment.paidAt ?? new Date()),
    },
  });
}
