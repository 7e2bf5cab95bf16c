import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { findTicket, freeSeatsOf, releaseTicketRow } from '../db/seating.repo';
import { publishPurchaseFinishedIfDone, publishTicketChanged } from '../events/ticket-events';
import { holdNotFound, ticketNotFound, ticketSoldNotReleasable, type SeatLocks, type Ticket } from './seating';

/**
 * The holder gives a hold back before its deadline: the ticket RELEASED, its seat AVAILABLE and one ticket.changed,
 * in one transaction (with ticket.purchase-finished when that was the buyer's last hold and they bought seats); then the Redis lock is dropped, so the next hold of the seat wins at once. Someone else's
 * ticket is missing (404), one that holds nothing any more (EXPIRED, RELEASED) too, so a second release is a 404;
 * a sold ticket is a 409: it is cancelled, not released.
 */
export async function releaseHold(
  deps: { pool: Pool; locks: SeatLocks },
  input: { userId: number; ticketId: string },
): Promise<Ticket> {
  const released = await withTransaction(deps.pool, async (tx) => {
    const ticket = await releaseTicketRow(tx, input.ticketId, input.userId);
    if (!ticket) return undefined;
    await freeSeatsOf(tx, [ticket.id]);
    await publishTicketChanged(tx, ticket);
    // releasing the last hold after buying other seats ends the checkout, as a sale or an expiry would
    await publishPurchaseFinishedIfDone(tx, [ticket]);
    return ticket;
  });
  if (!released) {
    const current = await findTicket(deps.pool, input.ticketId);
    if (!current || current.userId !== input.userId) throw ticketNotFound(input.ticketId);
    if (current.status === 'SOLD') throw ticketSoldNotReleasable(input.ticketId);
    throw holdNotFound(input.ticketId, current.status);
  }
  // Only after the commit: until then the seat is still held and the lock must keep answering 409. With Redis
  // unreachable the lock outlives the release until the hold's old deadline (the sweeper's release has the same gap).
  await deps.locks.release(released.showtimeId, released.seatId, released.id).catch(() => undefined);
  return released;
}
