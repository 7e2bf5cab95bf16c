import { TicketChanged, TicketSaleRefused } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { Ticket } from '../domain/seating';

// What the ticket service publishes: its tickets (docs/decisions.md §11 says why nothing else). Call each helper
// in the transaction that made the change.

export const publishTicketChanged = (db: Queryable, ticket: Ticket) =>
  appendEvent(db, 'ticket', TicketChanged, {
    aggregateId: ticket.id,
    aggregateVersion: ticket.revision,
    payload: {
      id: ticket.id,
      userId: ticket.userId,
      showtimeId: ticket.showtimeId,
      seatId: ticket.seatId,
      seatNo: ticket.seatNo,
      price: ticket.price,
      status: ticket.status,
      heldUntil: ticket.heldUntil.toISOString(),
      paymentId: ticket.paymentId,
    },
  });

export const publishTicketSaleRefused = (
  db: Queryable,
  refusal: { ticketId: string; paymentId: string; userId: number; reason: string; amount: number },
) =>
  appendEvent(db, 'ticket', TicketSaleRefused, {
    aggregateId: refusal.ticketId,
    aggregateVersion: 0,
    payload: {
      ticketId: refusal.ticketId,
      paymentId: refusal.paymentId,
      userId: refusal.userId,
      reason: refusal.reason,
      amount: refusal.amount,
    },
  });
