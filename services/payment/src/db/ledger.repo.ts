import type { Queryable } from '@boxoffice/db';

export type PointType = 'CHARGE' | 'USE' | 'REFUND';

export interface PointTransaction {
  id: string;
  userId: number;
  pointType: PointType;
  amount: number;
  paymentId: string | null;
  orderId: string | null;
  /** The ticket a REFUND gave back, when it refunded one ticket of a payment. */
  ticketId: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  user_id: number;
  point_type: PointType;
  amount: number;
  payment_id: string | null;
  order_id: string | null;
  ticket_id: string | null;
  created_at: Date;
}

const toTransaction = (row: Row): PointTransaction => ({
  id: row.id,
  userId: row.user_id,
  pointType: row.point_type,
  amount: row.amount,
  paymentId: row.payment_id,
  orderId: row.order_id,
  ticketId: row.ticket_id,
  createdAt: row.created_at,
});

const RETURNED = 'id, user_id, point_type, amount, payment_id, order_id, ticket_id, created_at';

export interface LedgerRefs {
  paymentId?: string | null;
  orderId?: string | null;
}

async function record(
  db: Queryable,
  userId: number,
  type: PointType,
  amount: number,
  refs: LedgerRefs,
): Promise<PointTransaction> {
  const { rows } = await db.query<Row>(
    `INSERT INTO point_transactions (user_id, point_type, amount, payment_id, order_id) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${RETURNED}`,
    [userId, type, amount, refs.paymentId ?? null, refs.orderId ?? null],
  );
  return toTransaction(rows[0]!);
}

/** Adds points (CHARGE or REFUND): the wallet row and the ledger row in the caller's transaction. */
export async function credit(
  db: Queryable,
  userId: number,
  amount: number,
  type: 'CHARGE' | 'REFUND',
  refs: LedgerRefs = {},
): Promise<{ balance: number; transaction: PointTransaction }> {
  return { balance: await addToWallet(db, userId, amount), transaction: await record(db, userId, type, amount, refs) };
}

async function addToWallet(db: Queryable, userId: number, amount: number): Promise<number> {
  const { rows } = await db.query<{ balance: number }>(
    `INSERT INTO wallets (user_id, balance) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance, updated_at = now()
     RETURNING balance`,
    [userId, amount],
  );
  return rows[0]!.balance;
}

/**
 * The refund of one ticket of a payment, at most once per (payment, ticket) whichever path asks
 * (point_transactions_one_ticket_refund_idx): the ledger row first, and the wallet only when that row is new.
 * undefined: already refunded, nothing changed (a duplicate is a no-op, never an error that would block a
 * consumer).
 */
export async function creditTicketRefund(
  db: Queryable,
  refund: { userId: number; amount: number; paymentId: string; ticketId: string },
): Promise<{ balance: number; transaction: PointTransaction } | undefined> {
  const { rows } = await db.query<Row>(
    `INSERT INTO point_transactions (user_id, point_type, amount, payment_id, ticket_id)
     VALUES ($1, 'REFUND', $2, $3, $4)
     ON CONFLICT (payment_id, ticket_id) WHERE point_type = 'REFUND' AND ticket_id IS NOT NULL DO NOTHING
     RETURNING ${RETURNED}`,
    [refund.userId, refund.amount, refund.paymentId, refund.ticketId],
  );
  if (!rows[0]) return undefined;
  return { balance: await addToWallet(db, refund.userId, refund.amount), transaction: toTransaction(rows[0]) };
}

/**
 * Takes points if the balance covers them, else returns undefined and changes nothing. The conditional UPDATE
 * waits for the wallet's row lock and re-reads the balance after it, so concurrent debits never overdraw.
 */
export async function debit(
  db: Queryable,
  userId: number,
  amount: number,
  refs: LedgerRefs = {},
): Promise<{ balance: number; transaction: PointTransaction | null } | undefined> {
  const { rows } = await db.query<{ balance: number }>(
    'UPDATE wallets SET balance = balance - $2, updated_at = now() WHERE user_id = $1 AND balance >= $2 RETURNING balance',
    [userId, amount],
  );
  if (!rows[0]) {
    if (amount === 0) return { balance: await balanceOf(db, userId), transaction: null };
    return undefined;
  }
  return { balance: rows[0].balance, transaction: amount > 0 ? await record(db, userId, 'USE', amount, refs) : null };
}

export async function balanceOf(db: Queryable, userId: number): Promise<number> {
  const { rows } = await db.query<{ balance: number }>('SELECT balance FROM wallets WHERE user_id = $1', [userId]);
  return rows[0]?.balance ?? 0;
}

export async function historyOf(db: Queryable, userId: number): Promise<PointTransaction[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${RETURNED} FROM point_transactions
     WHERE user_id = $1 ORDER BY created_at DESC, id`,
    [userId],
  );
  return rows.map(toTransaction);
}
