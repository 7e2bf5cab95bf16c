import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import {
  cancelSoldTickets,
  endHolds,
  freeSeatsOfEnded,
  lockLiveTicketsOfShowtime,
  markShowtimeCancelled,
} from '../db/cancellations.repo';
import { publishPurchaseFinishedIfDone, publishTicketChanged } from '../events/ticket-events';
import { showtimeNotFound, type SeatLocks, type Ticket } from './seating';

export interface ShowtimeCancellation {
  id: number;
  cancelledAt: Date;
  /** Sold tickets this call cancelled (each refunded through its ticket.changed). */
  ticketsCancelled: number;
  /** Live holds this call ended. */
  holdsReleased: number;
}

/**
 * An admin cancels a whole showtime, with no cut-off. First the showtime is marked cancelled (from then on it is
 * not listed and holds are refused); then its live tickets in batches, each batch one transaction: SOLD →
 * CANCELLED (the payment service refunds each buyer on its ticket.changed, as for a buyer's own cancel), HELD →
 * EXPIRED, their seats AVAILABLE. A crash between batches leaves the showtime cancelled with some tickets still
 * live: calling again finishes the work, and a call on a finished one changes nothing.
 */
export async function cancelShowtime(
  deps: { pool: Pool; locks: SeatLocks },
  showtimeId: number,
  batchSize = 200,
): Promise<ShowtimeCancellation> {
  const showtime = await withTransaction(deps.pool, (tx) => markShowtimeCancelled(tx, showtimeId));
  if (!showtime) throw showtimeNotFound(showtimeId);
  const result: ShowtimeCancellation = { ...showtime, ticketsCancelled: 0, holdsReleased: 0 };
  for (;;) {
    const { cancelled, released } = await withTransaction(deps.pool, async (tx) => {
      const live = await lockLiveTicketsOfShowtime(tx, showtimeId, batchSize);
      if (live.length === 0) return { cancelled: [], released: [] };
      const ids = (status: 'HELD' | 'SOLD') => live.filter((ticket) => ticket.status === status).map((t) => t.id);
      const cancelled = await cancelSoldTickets(tx, ids('SOLD'));
      const released = await endHolds(tx, ids('HELD'));
      await freeSeatsOfEnded(
        tx,
        live.map((ticket) => ticket.id),
      );
      for (const ticket of [...cancelled, ...released]) await publishTicketChanged(tx, ticket);
      // a holder whose last hold on the concert this ended, and who bought other seats of it, is done buying
      await publishPurchaseFinishedIfDone(tx, released);
      return { cancelled, released };
    });
    const ended: Ticket[] = [...cancelled, ...released];
    if (ended.length === 0) return result;
    result.ticketsCancelled += cancelled.length;
    result.holdsReleased += released.length;
    await Promise.all(
      ended.map((ticket) => deps.locks.release(ticket.showtimeId, ticket.seatId, ticket.id).catch(() => undefined)),
    );
  }
}
