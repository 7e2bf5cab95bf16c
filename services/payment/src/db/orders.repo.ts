import { pageOf, type Queryable } from '@boxoffice/db';
import type { Order, OrderHistoryEntry, OrderLine, OrderStatus, PaymentMethod, PaymentStatus } from '../domain/order';

interface Row {
  id: string;
  user_id: number;
  status: OrderStatus;
  items: OrderLine[];
  amount: number;
  payment_method: PaymentMethod | null;
  payment_status: PaymentStatus | null;
  reason: string | null;
  stock_status: string | null;
  revision: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, user_id, status, items, amount, payment_method, payment_status, reason, stock_status, revision, expires_at, created_at, updated_at';

const toOrder = (row: Row): Order => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  items: row.items,
  amount: row.amount,
  paymentMethod: row.payment_method,
  paymentStatus: row.payment_status,
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
  changes: { reason?: string | null; paymentMethod?: PaymentMethod | null; paymentStatus?: PaymentStatus | null } = {},
): Promise<Order> {
  const { rows } = await db.query<Row>(
    `UPDATE orders SET status = $2, reason = $3, payment_method = COALESCE($4, payment_method),
       payment_status = COALESCE($5, payment_status), revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status, changes.reason ?? null, changes.paymentMethod ?? null, changes.paymentStatus ?? null],
  );
  await addHistory(db, id, status, changes.reason ?? null);
  return toOrder(rows[0]!);
}

/** Records where the order's money is, without a new status (a payment held or given back); a new revision. */
export async function setPayment(
  db: Queryable,
  id: string,
  payment: { paymentMethod: PaymentMethod; paymentStatus: PaymentStatus },
): Promise<Order> {
  const { rows } = await db.query<Row>(
    `UPDATE orders SET payment_method = $2, payment_status = $3, revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, payment.paymentMethod, payment.paymentStatus],
  );
  return toOrder(rows[0]!);
}

/** The caller's orders, newest first, with how many they have in all. */
export async function ordersOfUser(
  db: Queryable,
  userId: number,
  page: { offset: number; limit: number },
): Promise<{ total: number; orders: Order[] }> {
  const { total, rows } = await pageOf<Row>(
    db,
    { columns: COLUMNS, from: 'orders WHERE user_id = $1', orderBy: 'created_at DESC, id DESC', params: [userId] },
    page,
  );
  return { total, orders: rows.map(toOrder) };
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
 * Claims open orders that must end, in the caller's transaction, each with why: unpaid past their TTL
 * (`ORDER_TTL`), or with a card charge whose settlement did not come within `settlementSeconds`
 * (`CARD_SETTLEMENT_TIMEOUT`, issue 19 item 7). An order whose card charge is still settling within that
 * deadline is left to the settlement, even past its TTL. SKIP LOCKED: several instances cancel disjoint batches,
 * and an order being paid right now (locked by the payment) is left for the next pass.
 */
export async function claimOverdueOrders(
  db: Queryable,
  limit: number,
  settlementSeconds: number,
): Promise<{ order: Order; reason: 'ORDER_TTL' | 'CARD_SETTLEMENT_TIMEOUT' }[]> {
  const { rows } = await db.query<Row & { settling: boolean }>(
    `SELECT ${COLUMNS}, settling FROM orders o,
       LATERAL (SELECT EXISTS (SELECT 1 FROM card_charges c WHERE c.order_id = o.id AND c.status = 'processing') AS settling) s
     WHERE status IN ('pending', 'stock_locked')
       AND ((expires_at <= now() AND NOT settling)
         OR EXISTS (SELECT 1 FROM card_charges c WHERE c.order_id = o.id AND c.status = 'processing'
                    AND c.created_at <= now() - make_interval(secs => $2)))
     ORDER BY expires_at LIMIT $1 FOR UPDATE OF o SKIP LOCKED`,
    [limit, settlementSeconds],
  );
  return rows.map(({ settling, ...row }) => ({
    order: toOrder(row),
    reason: settling ? ('CARD_SETTLEMENT_TIMEOUT' as const) : ('ORDER_TTL' as const),
  }));
}
