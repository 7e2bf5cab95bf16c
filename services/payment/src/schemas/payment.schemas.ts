import { Type } from '@sinclair/typebox';
import { StringEnum, Uuid } from '@boxoffice/http';

export const PayTicketBody = Type.Object({ ticket_id: Uuid() }, { additionalProperties: false });

export const PaymentIdParams = Type.Object({ payment_id: Uuid() }, { additionalProperties: false });

const paymentFields = {
  id: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  amount: Type.Integer(),
  ticketId: Type.String({ format: 'uuid' }),
  paidAt: Type.Union([Type.String(), Type.Null()]),
};

export const PaymentView = Type.Object(paymentFields);

export const PaymentStatusView = Type.Object({
  ...paymentFields,
  status: StringEnum(['PENDING', 'COMPLETED', 'FAILED'] as const),
  failureCode: Type.Union([Type.String(), Type.Null()]),
});

export const PaymentHistory = Type.Array(PaymentView);
