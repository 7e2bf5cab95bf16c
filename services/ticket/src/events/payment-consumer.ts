import type { EventEnvelope, PaymentCompletedPayload } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { applyCompletedPayment } from '../domain/confirm-sale.use-case';

/**
 * payment.completed → the held tickets are SOLD (the same idempotent sale as POST /internal/payments/:id/confirm).
 * The inbox makes a redelivered event a no-op; a payment that arrives after its hold expired is refused with a
 * ticket.sale-refused event, never sold.
 */
export const sellHeldTicket =
  (log: { warn(obj: object, msg: string): void }) =>
  async (event: EventEnvelope<PaymentCompletedPayload>, db: Queryable): Promise<void> => {
    const payment = event.payload;
    const sold = await applyCompletedPayment(db, {
      ticketIds: payment.ticketIds ?? [payment.ticketId],
      paymentId: payment.paymentId,
      userId: payment.userId,
      amount: payment.amount,
    });
    // the Redis lock keeps answering 409 until its deadline anyway; the sweeper never frees a SOLD seat
    if (!sold)
      log.warn(
        { paymentId: payment.paymentId, ticketIds: payment.ticketIds ?? [payment.ticketId] },
        'completed payment could not buy its tickets; refusal published',
      );
  };
