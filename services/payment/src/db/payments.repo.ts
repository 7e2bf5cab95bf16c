import type { Queryable } from '@boxoffice/db';
import type { Payment, PaymentStatus } from '../domain/payment';

interface Row {
  id: string;
  user_id: number;
  ticket_id: string;
  ticket_ids: string[] | null;
  amount: number;
  status: PaymentStatus;
  failure_code: string | null;
  failure_message: string | null;
  attempts: number;
  revision: number;
  created_at: Date;
  paid_at: Date | null;
}

// every ticket the payment buys, from its lines (a subquery, so RETURNING of an UPDATE gives them too)
const COLUMNS = `id, user_id, ticket_id, amount, status, failure_code, failure_message, attempts, revision, created_at,
  paid_at, (SELECT array_agg(pt.ticket_id ORDER BY pt.ticket_id) FROM payment_tickets pt WHERE pt.payment_id = payments.id)
  AS ticket_ids`;

const toPayment = (row: Row): Payment => ({
  id: row.id,
  userId: row.user_id,
  ticketId: row.ticket_id,
  ticketIds: row.ticket_ids ?? [row.ticket_id],
  amount: row.amount,
  status: row.status,
  failureCode: row.failure_code,
  failureMessage: row.failure_message,
  attempts: row.attempts,
  revision: row.revision,
  createdAt: row.created_at,
  paidAt: row.paid_at,
});

/**
 * A new PENDING payment of the given tickets (amount = Σ their prices), leased to the request that creates it for
 * `leaseMs` (the reconciler leaves it alone meanwhile), with one live line per ticket. Throws 23505 when one of the
 * tickets already has a live (PENDING or COMPLETED) payment.
 */
export async function insertPending(
  db: Queryable,
  payment: { id: string; userId: number; tickets: { id: string; price: number }[]; leaseMs: number },
): Promise<Payment> {
  const amount = payment.tickets.reduce((sum, ticket) => sum + ticket.price, 0);
  await db.query(
    `INSERT INTO payments (id, user_id, ticket_id, amount, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, 'PENDING', now() + make_interval(secs => $5::double precision / 1000))`,
    [payment.id, payment.userId, payment.tickets[0]!.id, amount, payment.leaseMs],
  );
  await db.query(
    `INSERT INTO payment_tickets (payment_id, ticket_id, price)
     SELECT $1, ticket_id, price FROM unnest($2::uuid[], $3::bigint[]) AS t(ticket_id, price)`,
    [payment.id, payment.tickets.map((ticket) => ticket.id), payment.tickets.map((ticket) => ticket.price)],
  );
  return (await findPayment(db, payment.id))!;
}

export async function findPayment(db: Queryable, id: string): Promise<Payment | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [id]);
  return rows[0] && toPayment(rows[0]);
}

/** What the payment charged for one of its tickets; undefined when the ticket is not one of the payment's. */
export async function paidPriceOf(db: Queryable, paymentId: string, ticketId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ price: string }>(
    'SELECT price FROM payment_tickets WHERE payment_id = $1 AND ticket_id = $2',
    [paymentId, ticketId],
  );
  return rows[0] && Number(rows[0].price);
}

/** The live (PENDING or COMPLETED) payment of any of these tickets, if one has one. */
export async function findLivePaymentOfTickets(db: Queryable, ticketIds: string[]): Promise<Payment | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM payments WHERE id IN (
       SELECT payment_id FROM payment_tickets WHERE ticket_id = ANY($1::uuid[]) AND live) LIMIT 1`,
    [ticketIds],
  );
  return rows[0] && toPayment(rows[0]);
}

export async function completedPaymentsOf(db: Queryable, userId: number): Promise<Payment[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM payments WHERE user_id = $1 AND status = 'COMPLETED' ORDER BY paid_at DESC, id`,
    [userId],
  );
  return rows.map(toPayment);
}

/** PENDING → COMPLETED; undefined when it was no longer PENDING (someone else resolved it first). */
export async function markCompleted(db: Queryable, id: string): Promise<Payment | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE payments SET status = 'COMPLETED', paid_at = now(), resolved_at = now(), revision = revision + 1, last_error = NULL
     WHERE id = $1 AND status = 'PENDING' RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] && toPayment(rows[0]);
}

/** PENDING → FAILED, its tickets free to be paid again; undefined when it was no longer PENDING. */
export async function markFailed(
  db: Queryable,
  id: string,
  code: string,
  message: string,
): Promise<Payment | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE payments SET status = 'FAILED', failure_code = $2, failure_message = $3, resolved_at = now(), revision = revision + 1
     WHERE id = $1 AND status = 'PENDING' RETURNING ${COLUMNS}`,
    [id, code, message],
  );
  if (rows[0]) await db.query('UPDATE payment_tickets SET live = false WHERE payment_id = $1', [id]);
  return rows[0] && toPayment(rows[0]);
}

/** The outcome stayed unknown: try again after `delayMs`. */
export async function deferPayment(db: Queryable, id: string, reason: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE payments SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1 AND status = 'PENDING'`,
    [id, reason.slice(0, 500), delayMs],
  );
}

/**
 * Claims due PENDING payments for one reconciler pass. SKIP LOCKED lets several instances claim disjoint
 * batches at once; the lease (next_attempt_at moved forward) keeps the others off while this one asks.
 */
export async function claimDuePayments(db: Queryable, limit: number, leaseMs: number): Promise<Payment[]> {
  const { rows } = await db.query<Row>(
    `UPDATE payments SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (
       SELECT id FROM payments WHERE status = 'PENDING' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [limit, leaseMs],
  );
  return rows.map(toPayment);
}
