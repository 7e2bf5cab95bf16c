import { conflict } from '@boxoffice/errors';
import { isoWithOffset, type HttpAnswer } from '@boxoffice/http';
import type { Payment } from '../domain/payment';

export const paymentView = (payment: Payment) => ({
  id: payment.id,
  userId: payment.userId,
  amount: payment.amount,
  ticketId: payment.ticketId,
  ticketIds: payment.ticketIds,
  paidAt: payment.paidAt ? isoWithOffset(payment.paidAt) : null,
});

export const paymentStatusView = (payment: Payment) => ({
  ...paymentView(payment),
  status: payment.status,
  failureCode: payment.failureCode,
});

/**
 * What the payer is told about a payment in its current state: 201 paid, 202 not known yet (poll Location), 409
 * failed and refunded.
 */
export function paymentAnswer(
  payment: Payment,
): HttpAnswer<ReturnType<typeof paymentView> | ReturnType<typeof paymentStatusView>> & { status: 201 | 202 } {
  const location = `/payments/${payment.id}`;
  if (payment.status === 'COMPLETED') return { status: 201, body: paymentView(payment), location };
  if (payment.status === 'FAILED') {
    throw conflict(
      payment.failureCode ?? 'PAYMENT_FAILED',
      payment.failureMessage ?? 'The payment failed; nothing was charged.',
      [{ location: 'state', param: 'payment', value: payment.id, error: 'Conflict', msg: 'Refunded.' }],
    );
  }
  return { status: 202, body: paymentStatusView(payment), location };
}
