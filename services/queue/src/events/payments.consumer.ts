import type { EventEnvelope, PaymentCompletedPayload } from '@boxoffice/contracts';
import { endTokenOnPayment } from '../domain/end-token-on-payment.use-case';
import type { QueueLine } from '../domain/queue-token';

/**
 * payment.completed → the payer's ACTIVE tokens end. Redis is changed inside the inbox transaction's handler: if
 * the commit then fails the event comes again, and ending an already ended token changes nothing.
 */
export const endPayersToken =
  (deps: { line: QueueLine; admitNow: () => void }, log: { info(obj: object, msg: string): void }) =>
  async (event: EventEnvelope<PaymentCompletedPayload>): Promise<void> => {
    const payment = event.payload;
    const ended = await endTokenOnPayment(deps, payment);
    if (ended.length > 0)
      log.info(
        { tokenIds: ended, userId: payment.userId, paymentId: payment.paymentId },
        'queue token ended: its user paid',
      );
  };
