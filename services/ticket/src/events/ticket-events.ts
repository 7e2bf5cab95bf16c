import { TicketChanged, TicketPurchaseFinished, TicketSaleRefused } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent, appendEvents } from '@boxoffice/events';
import { finishedPurchasesOf } from '../db/checkout.repo';
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

/**
 * ticket.purchase-finished for each (buyer, concert) where the buyer has just ended their last live hold and has
 * bought something: the queue service ends their token there. Call it with the tickets a sale, a release or an
 * expiry ended, in the same transaction.
 */
export async function publishPurchaseFinishedIfDone(db: Queryable, ended: Pick<Ticket, 'userId' | 'concertId'>[]) {
  const pairs = new Map(ended.map((t) => [`${t.userId}:${t.concertId}`, { userId: t.userId, concertId: t.concertId }]));
  const finished = await finishedPurchasesOf(db, [...pairs.values()]);
  await appendEvents(
    db,
    'ticket',
    TicketPurchaseFinished,
    finished.map((done) => ({
      aggregateId: `${done.userId}:${done.concertId}`,
      aggregateVersion: done.lastSoldAt.getTime(),
      payload: { userId: done.userId, concertId: done.concertId, lastSoldAt: done.lastSoldAt.toISOString() },
    })),
  );
}
