import type { Transact } from '@boxoffice/db';
import { AppError, conflict } from '@boxoffice/errors';
import { cancelSoldTickets, freeSeatsOfEnded, lockTicketWithShow } from '../db/cancellations.repo';
import { publishTicketChanged } from '../events/ticket-events';
import { ticketNotFound, type SeatLocks, type Ticket } from './seating';

export interface CancelDeps {
  locks: SeatLocks;
  /** TICKET_CANCEL_CUTOFF_HOURS: a buyer may cancel until this long before the show. */
  cutoffHours: number;
}

/** The last moment a buyer may cancel a ticket of a show starting at `startsAt`. */
export const cancellationClosesAt = (startsAt: Date, cutoffHours: number): Date =>
  new Date(startsAt.getTime() - cutoffHours * 3_600_000);

const cancellationClosed = (closedAt: Date, cutoffHours: number) =>
  new AppError(
    409,
    'CANCELLATION_CLOSED',
    `Cancellations closed at ${closedAt.toISOString().replace('.000Z', 'Z')}, ${cutoffHours} h before the show.`,
    [{ location: 'path', param: 'ticket_id', error: 'Conflict', msg: 'Past the cancellation cut-off.' }],
  );

const notSold = (ticket: Ticket) =>
  ticket.status === 'HELD'
    ? conflict('TICKET_NOT_SOLD', 'This ticket is only held, not paid: release it with DELETE /tickets/{id}.')
    : conflict('TICKET_NOT_SOLD', 'This hold has ended unpaid; there is nothing to cancel.');

/**
 * The buyer cancels a sold ticket before the cut-off. In one transaction: the ticket is CANCELLED, its seat
 * AVAILABLE, and ticket.changed (CANCELLED, with its paymentId and price) goes to the outbox: the payment service
 * refunds on it (the saga, docs/ticket-holds.md). Cancelling a CANCELLED ticket again answers it unchanged.
 * Someone else's ticket is reported missing, like one that does not exist.
 */
export async function cancelTicket(
  deps: CancelDeps,
  input: { userId: number; ticketId: string },
  transact: Transact,
  now: Date = new Date(),
): Promise<Ticket> {
  // the transaction returns the ticket itself: with an Idempotency-Key, what it returns is the answer stored
  let cancelledNow = false;
  const ticket = await transact(async (tx) => {
    const found = await lockTicketWithShow(tx, input.ticketId);
    if (!found || found.ticket.userId !== input.userId) throw ticketNotFound(input.ticketId);
    if (found.ticket.status === 'CANCELLED') return found.ticket;
    if (found.ticket.status !== 'SOLD') throw notSold(found.ticket);
    const closesAt = cancellationClosesAt(found.startsAt, deps.cutoffHours);
    if (now >= closesAt) throw cancellationClosed(closesAt, deps.cutoffHours);
    const [cancelled] = await cancelSoldTickets(tx, [found.ticket.id]);
    await freeSeatsOfEnded(tx, [cancelled!.id]);
    await publishTicketChanged(tx, cancelled!);
    cancelledNow = true;
    return cancelled!;
  });
  // after the commit: the lock mirrored the sale, and the seat may be held again at once
  if (cancelledNow) await deps.locks.release(ticket.showtimeId, ticket.seatId, ticket.id).catch(() => undefined);
  return ticket;
}
