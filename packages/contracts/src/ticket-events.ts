import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { literals } from './literals';
import { TOPICS } from './topics';

/**
 * What the ticket service publishes: its tickets. A ticket.changed carries the ticket's state after the change
 * (SPEC kernel rule), so a reader keeps a replica with `applyToReplica` and never needs the ticket database; its
 * showtimeId, seatId and status also say what became of the seat. (docs/decisions.md §11: why no other ticket
 * aggregate is published.)
 */

export const TicketStatus = Type.Union(literals('HELD', 'SOLD', 'EXPIRED', 'RELEASED', 'CANCELLED'));

/**
 * A ticket is one hold of one seat by one user. HELD → SOLD (payment completed in time), HELD → EXPIRED (released
 * by the sweeper at `heldUntil`, or by an admin cancelling the showtime) or HELD → RELEASED (given back by its
 * holder, DELETE /tickets/{id}; `heldUntil` is then the moment of release). EXPIRED and RELEASED free the seat
 * (AVAILABLE) in the same transaction. SOLD → CANCELLED (its buyer cancelled before the cut-off, or an admin
 * cancelled the showtime): the seat is AVAILABLE again, and the payment service refunds `price` to the buyer of
 * `paymentId`, once per (paymentId, id). RELEASED and CANCELLED are values added later: a reader that lists the
 * statuses treats one it does not know as not live.
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
export const TicketChanged = defineEvent('ticket.changed', TOPICS.tickets, 'ticket', TicketChangedPayload);

/**
 * A completed payment that could not buy its ticket (the hold expired first, or the seat went to another
 * payment): the payment service refunds `amount` (the ticket's price) on this, once per (paymentId, ticketId) —
 * the same key as a cancellation's refund, so a ticket never gets two.
 */
export const TicketSaleRefusedPayload = Type.Object({
  ticketId: Type.String(),
  paymentId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  reason: Type.String(),
  /** The ticket's price: what this ticket cost the payment. */
  amount: Type.Integer(),
});
export type TicketSaleRefusedPayload = Static<typeof TicketSaleRefusedPayload>;
export const TicketSaleRefused = defineEvent('ticket.sale-refused', TOPICS.tickets, 'ticket', TicketSaleRefusedPayload);

/**
 * A buyer is done with a concert's checkout: the last of their live holds on it has ended (sold, released or
 * expired) and they bought at least one of its seats. The queue service ends the buyer's ACTIVE token in the
 * concert's room on it (docs/ticket-holds.md "When the queue token ends"), so a buyer paying several holds one by
 * one keeps the token until the last one. `lastSoldAt` is the newest of the buyer's sales on the concert: a token
 * issued after it (a later visit) is left alone.
 */
export const TicketPurchaseFinishedPayload = Type.Object({
  userId: Type.Integer(),
  concertId: Type.Integer(),
  lastSoldAt: Type.String({ format: 'date-time' }),
});
export type TicketPurchaseFinishedPayload = Static<typeof TicketPurchaseFinishedPayload>;
export const TicketPurchaseFinished = defineEvent(
  'ticket.purchase-finished',
  TOPICS.tickets,
  'ticket',
  TicketPurchaseFinishedPayload,
);
