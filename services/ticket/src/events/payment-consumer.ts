import { PaymentCompleted, type PaymentCompletedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { applyCompletedPayment } from '../domain/confirm-sale.use-case';

/**
 * payment.completed → the held ticket is SOLD (the same idempotent sale as POST /internal/tickets/:id/confirm).
 * The inbox makes a redelivered event a no-op; a payment that arrives after its hold expired is refused with a
 * ticket.sale-refused event, never sold.
 */
export function consumePayments(app: App): void {
  app.events.consume({
    groupId: 'ticket.payments',
    topics: [PaymentCompleted.topic],
    handlers: {
      [PaymentCompleted.type]: async (event, db) => {
        const payment = event.payload as PaymentCompletedPayload;
        const sold = await applyCompletedPayment(db, {
          ticketId: payment.ticketId,
          paymentId: payment.paymentId,
          userId: payment.userId,
        });
        // the Redis lock keeps answering 409 until its deadline anyway; the sweeper never frees a SOLD seat
        if (!sold)
          app.log.warn(
            { paymentId: payment.paymentId, ticketId: payment.ticketId },
            'completed payment could not buy its ticket; refusal published',
          );
      },
    },
  });
}
