import type { Queryable } from '@boxoffice/db';
import type { Order, OrderHistoryEntry, OrderLine, OrderStatus, PaymentMethod } from '../domain/order';

interface Row {
  id: string;
  user_id: number;
  status: OrderStatus;
  items: OrderLine[];
  amount: number;
  payment_method: PaymentMethod | null;
  reason: string | null;
  stock_status: string | null;
  revision: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, user_id, status, items, amount, payment_method, reason, stock_status, revision, expires_at, created_at, updated_at';

const toOrder = (row: Row): Order => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  items: row.items,
  amount: row.amount,
  paymentMethod: row.payment_method,
  reason: row.reason,
  stockStatus: row.stock_status,
  revision: row.revision,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

async function addHistory(db: Queryable, orderId: string, status: OrderStatus, reason: string | null): Promise<void> {
  await db.query('INSERT INTO order_history (order_id, status, reason) VALUES ($1, $2, $3)', [orderId, status, reason]);
}

export async function insertOrder(
  db: Queryable,
  order: { id: string; userId: number; items: OrderLine[]; amount: number; ttlSeconds: number },
): Promise<Order> {
  const { rows } = await db.query<Row>(
    `INSERT INTO orders (id, user_id, status, items, amount, expires_at)
     VALUES ($1, $2, 'pending', $3, $4, now() + make_interval(secs => $5))
     RETURNING ${COLUMNS}`,
    [order.id, order.userId, JSON.stringify(order.items), order.amount, order.ttlSeconds],
  );
  await addHistory(db, order.id, 'pending', null);
  return toOrder(rows[0]!);
}

export async function findOrder(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Order | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM orders WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] && toOrder(rows[0]);
}

/** Moves an order to `status` (the caller checked the transition under FOR UPDATE) and records it. */
export async function moveOrder(
  db: Queryable,
  id: string,
  status: OrderStatus,
  changes: { reason?: string | null; paymentMethod?: PaymentMethod | null } = {},
): Promise<Order> {
  const { rows } = await db.query<Row>(
    `UPDATE orders SET status = $2, reason = $3, payment_method = COALESCE($4, payment_method), revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status, changes.reason ?? null, changes.paymentMethod ?? null],
  );
  await addHistory(db, id, status, changes.reason ?? null);
  return toOrder(rows[0]!);
}

export async function setStockStatus(db: Queryable, id: string, stockStatus: string): Promise<void> {
  await db.query('UPDATE orders SET stock_status = $2, updated_at = now() WHERE id = $1', [id, stockStatus]);
}

export async function historyOfOrder(db: Queryable, id: string): Promise<OrderHistoryEntry[]> {
  const { rows } = await db.query<{ status: OrderStatus; reason: string | null; at: Date }>(
    'SELECT status, reason, at FROM order_history WHERE order_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

/**
 * Claims overdue open orders for cancellation, in the caller's transaction. SKIP LOCKED: several instances
 * cancel disjoint batches, and an order being paid right now (locked by the payment) is left for the next pass.
 * An order whose card charge is still settling is left alone: the settlement decides it.
 */
export async function claimOverdueOrders(db: Queryable, limit: number): Promise<Order[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM orders o
     WHERE status IN ('pending', 'stock_locked') AND expires_at <= now()
       AND NOT EXISTS (SELECT 1 FROM card_charges c WHERE c.order_id = o.id AND c.status = 'processing')
     ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map(toOrder);
}
