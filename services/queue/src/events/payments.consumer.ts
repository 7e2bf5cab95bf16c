import { PaymentCompleted, TOPICS, type PaymentCompletedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { endTokenOnPayment } from '../domain/end-token-on-payment.use-case';
import type { QueueLine } from '../domain/queue-token';

/**
 * payment.completed → the payer's ACTIVE tokens end. Redis is changed inside the inbox transaction's handler: if
 * the commit then fails the event comes again, and ending an already ended token changes nothing.
 */
export function consumePayments(app: App, deps: { line: QueueLine; admitNow: () => void }): void {
  app.events.consume({
    groupId: 'queue.payments',
    topics: [TOPICS.payments],
    handlers: {
      [PaymentCompleted.type]: async (event) => {
        const payment = event.payload as PaymentCompletedPayload;
        const ended = await endTokenOnPayment(deps, payment);
        if (ended.length > 0)
          app.log.info(
            { tokenIds: ended, userId: payment.userId, paymentId: payment.paymentId },
            'queue token ended: its user paid',
          );
      },
    },
  });
}
