import type { Pool, Queryable } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { AppError, conflict } from '@boxoffice/errors';
import { findTicket, markSeatSold, sellTicketRow } from '../db/seating.repo';
import { publishTicketChanged, publishTicketSaleRefused } from '../events/ticket-events';
import { ticketNotFound, type SeatLocks, type Ticket } from './seating';

export interface Sale {
  ticketId: string;
  paymentId: string;
  userId: number;
}

/** A completed payment as its event tells it: the sale, and what it paid (refunded if the ticket is unknown). */
export interface CompletedPayment extends Sale {
  amount: number;
}

const SOLD_LOCK_MS = 24 * 3600 * 1000;

/**
 * Sells a held ticket for a completed payment, inside the caller's transaction. The sale is one conditional
 * UPDATE (still HELD, before its deadline, by this user), so a hold the sweeper expired first is never sold.
 * The same payment again answers the same sold ticket, also once its buyer has cancelled it (a late or redelivered
 * payment.completed must not refuse, and so refund a second time, a sale that happened and was refunded).
 */
async function confirmSaleIn(tx: Queryable, sale: Sale): Promise<Ticket> {
  const sold = await sellTicketRow(tx, sale.ticketId, sale.userId, sale.paymentId).catch((error: { code?: string }) => {
    if (error.code === '23505')
      throw conflict('PAYMENT_ALREADY_USED', 'This payment has already bought another ticket.');
    throw error;
  });
  if (sold) {
    await markSeatSold(tx, sold.seatId, sold.id);
    await publishTicketChanged(tx, sold);
    return sold;
  }
  const current = await findTicket(tx, sale.ticketId);
  if (!current) throw ticketNotFound(sale.ticketId);
  if ((current.status === 'SOLD' || current.status === 'CANCELLED') && current.paymentId === sale.paymentId)
    return current;
  if (current.status === 'SOLD') throw conflict('ALREADY_SOLD', 'This ticket was sold to another payment.');
  if (current.userId !== sale.userId) throw conflict('HELD_BY_ANOTHER_USER', 'This ticket is held by another user.');
  throw conflict('HOLD_EXPIRED', 'The hold expired before the payment completed; the seat was released.');
}

export async function confirmSale(deps: { pool: Pool; locks: SeatLocks }, sale: Sale): Promise<Ticket> {
  const ticket = await withTransaction(deps.pool, (tx) => confirmSaleIn(tx, sale));
  if (ticket.status !== 'SOLD') return ticket; // sold and cancelled since: its seat is back on sale
  await deps.locks
    .mirror(ticket.showtimeId, ticket.seatId, ticket.id, ticket.id, new Date(Date.now() + SOLD_LOCK_MS))
    .catch(() => undefined);
  return ticket;
}

/**
 * The payment.completed consumer's side: the same sale, and when it cannot happen (hold expired, sold to
 * another payment) a ticket.sale-refused event so the payment service can refund. A savepoint keeps the
 * consumer's transaction (and its inbox row) usable after a refused UPDATE.
 */
export async function applyCompletedPayment(tx: Queryable, sale: CompletedPayment): Promise<Ticket | undefined> {
  await tx.query('SAVEPOINT sale');
  try {
    const ticket = await confirmSaleIn(tx, sale);
    await tx.query('RELEASE SAVEPOINT sale');
    return ticket;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT sale');
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const amount = (await findTicket(tx, sale.ticketId))?.price ?? sale.amount;
    await publishTicketSaleRefused(tx, { ...sale, amount, reason: error.code });
    return undefined;
  }
}
