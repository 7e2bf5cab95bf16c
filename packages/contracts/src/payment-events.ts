import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/**
 * A ticket payment went through: every ticket it names is SOLD to it. `ticketId` is its first ticket (the only one
 * before multi-seat checkout); `ticketIds` all of them (absent in events written before it existed).
 */
export const PaymentCompletedPayload = Type.Object({
  paymentId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  ticketId: Type.String(),
  ticketIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1 })),
  amount: Type.Integer(),
  paidAt: Type.String({ format: 'date-time' }),
});
export type PaymentCompletedPayload = Static<typeof PaymentCompletedPayload>;

export const PaymentCompleted = defineEvent('payment.completed', TOPICS.payments, 'payment', PaymentCompletedPayload);
