import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/** A payment went through. The queue service ends the payer's ACTIVE waiting-room token on it. */
export const PaymentCompletedPayload = Type.Object({
  paymentId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  ticketId: Type.String(),
  amount: Type.Integer(),
  paidAt: Type.String({ format: 'date-time' }),
});
export type PaymentCompletedPayload = Static<typeof PaymentCompletedPayload>;

export const PaymentCompleted = defineEvent('payment.completed', TOPICS.payments, 'payment', PaymentCompletedPayload);
