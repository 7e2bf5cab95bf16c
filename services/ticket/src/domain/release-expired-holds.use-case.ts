import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { expireDueHolds, freeSeatsOf } from '../db/seating.repo';
import { publishPurchaseFinishedIfDone, publishTicketChanged } from '../events/ticket-events';
import type { SeatLocks, Ticket } from './seating';

/**
 * Expires the holds past their deadline and frees their seats, with one ticket.changed (EXPIRED) per hold, all in
 * one transaction; a buyer whose last live hold on a concert this was, after buying some of its seats, is done
 * (ticket.purchase-finished). Returns how many were released.
 */
export async function releaseExpiredHolds(deps: { pool: Pool; locks: SeatLocks }, batchSize = 500): Promise<number> {
  const released: Ticket[] = await withTransaction(deps.pool, async (tx) => {
    const expired = await expireDueHolds(tx, batchSize);
    if (expired.length === 0) return [];
    await freeSeatsOf(
      tx,
      expired.map((ticket) => ticket.id),
    );
    for (const ticket of expired) await publishTicketChanged(tx, ticket);
    await publishPurchaseFinishedIfDone(tx, expired);
    return expired;
  });
  // Only after the commit: until then the seat is still held and the lock must keep answering 409.
  await Promise.all(
    released.map((ticket) => deps.locks.release(ticket.showtimeId, ticket.seatId, ticket.id).catch(() => undefined)),
  );
  return released.length;
}
