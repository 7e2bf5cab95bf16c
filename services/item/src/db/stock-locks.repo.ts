import type { Queryable } from '@boxoffice/db';
import type { OrderLine, Shortfall, StockLock, StockLockStatus } from '../domain/stock-lock';

const COLUMNS = `order_id AS "orderId", status, items, took_stock AS "tookStock", reason, shortfalls, revision`;

/**
 * Records the first attempt on an order; undefined when the order already has a lock. A concurrent attempt on
 * the same order waits here on the primary key until the first commits, then sees its row: one lock per order.
 */
export async function insertLock(
  db: Queryable,
  lock: { orderId: string; status: StockLockStatus; items: OrderLine[]; tookStock: boolean; reason?: string | null },
): Promise<StockLock | undefined> {
  const { rows } = await db.query<StockLock>(
    `INSERT INTO stock_locks (order_id, status, items, took_stock, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (order_id) DO NOTHING RETURNING ${COLUMNS}`,
    [lock.orderId, lock.status, JSON.stringify(lock.items), lock.tookStock, lock.reason ?? null],
  );
  return rows[0];
}

export async function findLock(db: Queryable, orderId: string): Promise<StockLock | undefined> {
  const { rows } = await db.query<StockLock>(`SELECT ${COLUMNS} FROM stock_locks WHERE order_id = $1`, [orderId]);
  return rows[0];
}

/** Turns a lock inserted in this same transaction into a rejection; nobody saw it locked, so no new revision. */
export async function markRejected(
  db: Queryable,
  orderId: string,
  rejection: { reason: string; shortfalls: Shortfall[] },
): Promise<StockLock> {
  const { rows } = await db.query<StockLock>(
    `UPDATE stock_locks SET status = 'rejected', took_stock = false, reason = $2, shortfalls = $3, updated_at = now()
     WHERE order_id = $1 RETURNING ${COLUMNS}`,
    [orderId, rejection.reason, JSON.stringify(rejection.shortfalls)],
  );
  return rows[0]!;
}

/**
 * Moves a lock from one of the `from` states to `status`; undefined when it is in none of them (never was, or
 * already moved): it moves once.
 */
export async function moveLockTo(
  db: Queryable,
  orderId: string,
  status: 'committed' | 'released',
  reason: string | null,
  from: readonly StockLockStatus[] = ['locked'],
): Promise<StockLock | undefined> {
  const { rows } = await db.query<StockLock>(
    `UPDATE stock_locks SET status = $2, reason = $3, revision = revision + 1, updated_at = now()
     WHERE order_id = $1 AND status = ANY($4::text[]) RETURNING ${COLUMNS}`,
    [orderId, status, reason, from],
  );
  return rows[0];
}
