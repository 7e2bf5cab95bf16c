import { Type } from '@sinclair/typebox';
import { Id4, Int8, StringEnum, Uuid } from '@boxoffice/http';

/** Most tickets one payment buys: a buyer's holds on a concert (6 per showtime) over a few showtimes. */
export const MAX_TICKETS_PER_PAYMENT = 24;

/**
 * Exactly one of `ticket_id` (the seed's one ticket) and `ticket_ids` (several holds in one payment). Seed 000
 * also sends `user_id` and `price`: accepted when they name the caller and the amount, refused otherwise.
 */
export const PayTicketBody = Type.Object(
  {
    ticket_id: Type.Optional(Uuid({ description: 'One held ticket to pay.' })),
    ticket_ids: Type.Optional(
      Type.Array(Uuid(), {
        minItems: 1,
        maxItems: MAX_TICKETS_PER_PAYMENT,
        uniqueItems: true,
        description: 'Several held tickets to pay in one payment: all become SOLD, or none.',
      }),
    ),
    user_id: Type.Optional(Id4({ description: "The payer: must be the token's user (403 otherwise)." })),
    price: Type.Optional(
      Int8({ minimum: 0, description: "The amount expected: must equal the tickets' total (409)." }),
    ),
  },
  { additionalProperties: false },
);

export const PaymentIdParams = Type.Object({ payment_id: Uuid() }, { additionalProperties: false });

const paymentFields = {
  id: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  amount: Type.Integer(),
  ticketId: Type.String({ format: 'uuid', description: 'The first ticket it buys.' }),
  ticketIds: Type.Array(Type.String({ format: 'uuid' }), { description: 'Every ticket it buys.' }),
  paidAt: Type.Union([Type.String(), Type.Null()]),
};

export const PaymentView = Type.Object(paymentFields);

export const PaymentStatusView = Type.Object({
  ...paymentFields,
  status: StringEnum(['PENDING', 'COMPLETED', 'FAILED'] as const),
  failureCode: Type.Union([Type.String(), Type.Null()]),
});

export const PaymentHistory = Type.Array(PaymentView);
