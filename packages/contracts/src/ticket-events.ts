import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/**
 * What the ticket service publishes. Every event carries the aggregate's state after the change (SPEC kernel
 * rule), so a reader keeps a replica with `applyToReplica` and never needs the ticket database.
 */

export const ConcertChangedPayload = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  performer: Type.String(),
  deleted: Type.Boolean(),
});
export type ConcertChangedPayload = Static<typeof ConcertChangedPayload>;
export const ConcertChanged = defineEvent({
  type: 'concert.changed',
  version: 1,
  topic: TOPICS.concerts,
  aggregateType: 'concert',
  payload: ConcertChangedPayload,
});

export const ShowtimeChangedPayload = Type.Object({
  id: Type.Integer(),
  concertId: Type.Integer(),
  startsAt: Type.String({ format: 'date-time' }),
  venue: Type.String(),
  seatCount: Type.Integer(),
  deleted: Type.Boolean(),
});
export type ShowtimeChangedPayload = Static<typeof ShowtimeChangedPayload>;
export const ShowtimeChanged = defineEvent({
  type: 'showtime.changed',
  version: 1,
  topic: TOPICS.showtimes,
  aggregateType: 'showtime',
  payload: ShowtimeChangedPayload,
});

export const SeatStatus = Type.Union([Type.Literal('AVAILABLE'), Type.Literal('HELD'), Type.Literal('SOLD')]);

/** A seat's state; `ticketId` names the hold or sale that occupies it (null while AVAILABLE). */
export const SeatChangedPayload = Type.Object({
  id: Type.Integer(),
  showtimeId: Type.Integer(),
  seatNo: Type.String(),
  price: Type.Integer(),
  status: SeatStatus,
  ticketId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});
export type SeatChangedPayload = Static<typeof SeatChangedPayload>;
export const SeatChanged = defineEvent({
  type: 'seat.changed',
  version: 1,
  topic: TOPICS.seats,
  aggregateType: 'seat',
  payload: SeatChangedPayload,
});

export const TicketStatus = Type.Union([Type.Literal('HELD'), Type.Literal('SOLD'), Type.Literal('EXPIRED')]);

/**
 * A ticket is one hold of one seat by one user. HELD → SOLD (payment completed in time) or HELD → EXPIRED
 * (released by the sweeper at `heldUntil`; the seat.changed to AVAILABLE commits with it).
 */
export const TicketChangedPayload = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  showtimeId: Type.Integer(),
  seatId: Type.Integer(),
  seatNo: Type.String(),
  price: Type.Integer(),
  status: TicketStatus,
  heldUntil: Type.String({ format: 'date-time' }),
  paymentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});
export type TicketChangedPayload = Static<typeof TicketChangedPayload>;
export const TicketChanged = defineEvent({
  type: 'ticket.changed',
  version: 1,
  topic: TOPICS.tickets,
  aggregateType: 'ticket',
  payload: TicketChangedPayload,
});

/**
 * A completed payment that could not buy its ticket (the hold expired first, or the seat went to another
 * payment): the payment service refunds on this.
 */
export const TicketSaleRefusedPayload = Type.Object({
  ticketId: Type.String(),
  paymentId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  reason: Type.String(),
});
export type TicketSaleRefusedPayload = Static<typeof TicketSaleRefusedPayload>;
export const TicketSaleRefused = defineEvent({
  type: 'ticket.sale-refused',
  version: 1,
  topic: TOPICS.tickets,
  aggregateType: 'ticket',
  payload: TicketSaleRefusedPayload,
});

export const EventChangedPayload = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  date: Type.String({ format: 'date-time' }),
  availability: Type.Integer({ minimum: 0 }),
  deleted: Type.Boolean(),
});
export type EventChangedPayload = Static<typeof EventChangedPayload>;
export const GaEventChanged = defineEvent({
  type: 'event.changed',
  version: 1,
  topic: TOPICS.gaEvents,
  aggregateType: 'event',
  payload: EventChangedPayload,
});

export const ReservationChangedPayload = Type.Object({
  id: Type.String({ format: 'uuid' }),
  eventId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  noOfTickets: Type.Integer({ minimum: 1 }),
  cancelled: Type.Boolean(),
});
export type ReservationChangedPayload = Static<typeof ReservationChangedPayload>;
export const ReservationChanged = defineEvent({
  type: 'reservation.changed',
  version: 1,
  topic: TOPICS.reservations,
  aggregateType: 'reservation',
  payload: ReservationChangedPayload,
});
