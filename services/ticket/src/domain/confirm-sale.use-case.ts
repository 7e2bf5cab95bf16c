import type { Pool, Queryable } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { AppError, conflict } from '@boxoffice/errors';
import { findTicket, markSeatSold, sellTicketRow } from '../db/seating.repo';
import { publishPurchaseFinishedIfDone, publishTicketChanged, publishTicketSaleRefused } from '../events/ticket-events';
import { ticketNotFound, type SeatLocks, type Ticket } from './seating';

/** A payment buying some of its payer's holds: one ticket, or several at once (multi-seat checkout). */
export interface Sale {
  ticketIds: string[];
  paymentId: string;
  userId: number;
}

/** A completed payment as its event tells it: the sale, and what it paid (refunded if the ticket is unknown). */
export interface CompletedPayment extends Sale {
  amount: number;
}

const SOLD_LOCK_MS = 24 * 3600 * 1000;

/**
 * A ticket of the sale whose conditional UPDATE matched nothing: returned when this payment already bought it (a
 * retry), else the reason it cannot be sold is thrown.
 */
async function alreadySoldToThisPayment(tx: Queryable, ticketId: string, sale: Sale): Promise<Ticket> {
  const current = await findTicket(tx, ticketId);
  if (!current) throw ticketNotFound(ticketId);
  // sold to this payment, also once its buyer has cancelled it: a late or redelivered payment.completed must not
  // refuse (and so refund a second time) a sale that happened and was refunded
  if ((current.status === 'SOLD' || current.status === 'CANCELLED') && current.paymentId === sale.paymentId)
    return current;
  if (current.status === 'SOLD') throw conflict('ALREADY_SOLD', 'This ticket was sold to another payment.');
  if (current.userId !== sale.userId) throw conflict('HELD_BY_ANOTHER_USER', 'This ticket is held by another user.');
  if (current.status === 'RELEASED')
    throw conflict('HOLD_RELEASED', 'The hold was released by its holder before the payment completed.');
  throw conflict('HOLD_EXPIRED', 'The hold expired before the payment completed; the seat was released.');
}

/**
 * Sells the sale's held tickets for a completed payment, inside the caller's transaction: every one of them or
 * none (the first refusal throws, and the caller's transaction rolls the others back). Each sale is one
 * conditional UPDATE (still HELD, before its deadline, by this user), so a hold the sweeper expired first is never
 * sold. The same payment again answers the same sold tickets. Tickets are taken in id order, so two payments
 * sharing tickets lock them in the same order and never deadlock.
 */
async function confirmSaleIn(tx: Queryable, sale: Sale): Promise<Ticket[]> {
  const sold: Ticket[] = [];
  for (const ticketId of [...new Set(sale.ticketIds)].sort()) {
    const ticket = await sellTicketRow(tx, ticketId, sale.userId, sale.paymentId);
    if (ticket) {
      await markSeatSold(tx, ticket.seatId, ticket.id);
      await publishTicketChanged(tx, ticket);
      sold.push(ticket);
      continue;
    }
    sold.push(await alreadySoldToThisPayment(tx, ticketId, sale));
  }
  await publishPurchaseFinishedIfDone(tx, sold);
  return sold;
}

export async function confirmSale(deps: { pool: Pool; locks: SeatLocks }, sale: Sale): Promise<Ticket[]> {
  const tickets = await withTransaction(deps.pool, (tx) => confirmSaleIn(tx, sale));
  const until = new Date(Date.now() + SOLD_LOCK_MS);
  await Promise.all(
    // one sold and cancelled since has its seat back on sale: no lock for it
    tickets
      .filter((ticket) => ticket.status === 'SOLD')
      .map((ticket) =>
        deps.locks.mirror(ticket.showtimeId, ticket.seatId, ticket.id, ticket.id, until).catch(() => undefined),
      ),
  );
  return tickets;
}

/**
 * The payment.completed consumer's side: the same sale, and when it cannot happen (a hold expired, a ticket sold
 * to another payment) one ticket.sale-refused per ticket of the payment, so the payment service can refund. A
 * savepoint keeps the consumer's transaction (and its inbox row) usable after a refused UPDATE.
 */
export async function applyCompletedPayment(tx: Queryable, sale: CompletedPayment): Promise<Ticket[] | undefined> {
  await tx.query('SAVEPOINT sale');
  try {
    const tickets = await confirmSaleIn(tx, sale);
    await tx.query('RELEASE SAVEPOINT sale');
    return tickets;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT sale');
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    for (const ticketId of sale.ticketIds) {
      // what the ticket cost; one this service does not know is refunded what a one-ticket payment paid (the
      // payment service refunds its own line price when it has one)
      const price = (await findTicket(tx, ticketId))?.price ?? (sale.ticketIds.length === 1 ? sale.amount : 0);
      await publishTicketSaleRefused(tx, {
        ticketId,
        paymentId: sale.paymentId,
        userId: sale.userId,
        reason: error.code,
        amount: price,
      });
    }
    return undefined;
  }
}
