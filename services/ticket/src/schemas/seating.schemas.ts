import { Type } from '@sinclair/typebox';
import { BodyUserId, DateTime, Id4, Int4, StringEnum, Text, Uuid } from '@boxoffice/http';

const Id = Id4();
const TicketStatus = StringEnum(['HELD', 'SOLD', 'EXPIRED', 'RELEASED', 'CANCELLED'] as const);

export const ConcertView = Type.Object({ id: Type.Integer(), name: Type.String(), performer: Type.String() });

export const ShowtimeView = Type.Object({
  id: Type.Integer(),
  concertId: Type.Integer(),
  startsAt: Type.String(),
  venue: Type.String(),
  /** Holds are refused (409 SALES_NOT_OPEN) before it; null: on sale. */
  salesOpenAt: Type.Union([Type.String(), Type.Null()]),
  availableSeats: Type.Integer(),
});

export const SeatView = Type.Object({
  id: Type.Integer(),
  seatNo: Type.String(),
  price: Type.Integer(),
  status: StringEnum(['AVAILABLE', 'HELD', 'SOLD'] as const),
});

export const TicketView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  concertName: Type.String(),
  seatNo: Type.String(),
  price: Type.Integer(),
  status: TicketStatus,
  heldUntil: Type.String(),
  reservedAt: Type.String(),
  venue: Type.String(),
  showtimeId: Type.Integer(),
  seatId: Type.Integer(),
});

export const InternalTicketView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  showtimeId: Type.Integer(),
  /** The payment service checks the payer's waiting-room token against it. */
  concertId: Type.Integer(),
  seatId: Type.Integer(),
  seatNo: Type.String(),
  price: Type.Integer(),
  status: TicketStatus,
  heldUntil: Type.String(),
  paymentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

export const ShowtimeCancellationView = Type.Object({
  id: Type.Integer(),
  cancelledAt: Type.String(),
  /** Sold tickets this call cancelled; each buyer is refunded the ticket's price. */
  ticketsCancelled: Type.Integer(),
  /** Live holds this call ended. */
  holdsReleased: Type.Integer(),
});

export const ConcertParams = Type.Object({ concert_id: Id }, { additionalProperties: false });
export const ShowtimeParams = Type.Object({ concert_id: Id, showtime_id: Id }, { additionalProperties: false });
export const ShowtimeIdParams = Type.Object({ showtime_id: Id }, { additionalProperties: false });
export const TicketParams = Type.Object({ ticket_id: Uuid() }, { additionalProperties: false });

export const HoldBody = Type.Object(
  {
    showtime_id: Id,
    seat_id: Id,
    user_id: BodyUserId(),
    price: Type.Optional(
      Int4({ minimum: 0, description: "optional (seed 000): must be the seat's price, else 409 PRICE_MISMATCH" }),
    ),
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object({ paymentId: Uuid(), userId: Id4() }, { additionalProperties: false });

export const PaymentParams = Type.Object({ payment_id: Uuid() }, { additionalProperties: false });

/** The tickets one payment buys: at most as many as one buyer may hold in a showtime, times a few showtimes. */
export const ConfirmPaymentBody = Type.Object(
  { userId: Id4(), ticketIds: Type.Array(Uuid(), { minItems: 1, maxItems: 24, uniqueItems: true }) },
  { additionalProperties: false },
);

export const SoldTicketsView = Type.Object({ tickets: Type.Array(InternalTicketView) });

export const CreateConcertBody = Type.Object(
  { name: Text({ minLength: 1, maxLength: 200 }), performer: Text({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const CreateShowtimeBody = Type.Object(
  {
    starts_at: DateTime(),
    venue: Text({ minLength: 1, maxLength: 200 }),
    sales_open_at: Type.Optional(
      DateTime({ description: 'Holds are refused before it (409 SALES_NOT_OPEN); absent: on sale at once' }),
    ),
    seats: Type.Array(
      Type.Object(
        {
          seat_no: Text({ minLength: 1, maxLength: 20 }),
          price: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20_000, uniqueItems: false },
    ),
  },
  { additionalProperties: false },
);

export const InternalTokenHeaders = Type.Object({ 'x-internal-token': Type.Optional(Type.String({ maxLength: 500 })) });
