import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/**
 * What the ticket service publishes: its tickets. A ticket.changed carries the ticket's state after the change
 * (SPEC kernel rule), so a reader keeps a replica with `applyToReplica` and never needs the ticket database; its
 * showtimeId, seatId and status also say what became of the seat. (docs/decisions.md §11: why no other ticket
 * aggregate is published.)
 */

export const TicketStatus = Type.Union([
  Type.Literal('HELD'),
  Type.Literal('SOLD'),
  Type.Literal('EXPIRED'),
  Type.Literal('CANCELLED'),
]);

/**
 * A ticket is one hold of one seat by one user. HELD → SOLD (payment completed in time) or HELD → EXPIRED
 * (released by the sweeper at `heldUntil`, or by an admin cancelling the showtime; the seat is AVAILABLE again in
 * the same transaction). SOLD → CANCELLED (its buyer cancelled before the cut-off, or an admin cancelled the
 * showtime): the seat is AVAILABLE again, and the payment service refunds `price` to the buyer of `paymentId`,
 * once per (paymentId, id).
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
