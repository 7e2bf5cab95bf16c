import type { OrderChangedPayload } from '@boxoffice/contracts';
import { withTransaction, type Pool, type Queryable } from '@boxoffice/db';
import { liveStock, returnStock, takeStockOrNothing } from '../db/items.repo';
import { findLock, insertLock, markRejected, moveLockTo } from '../db/stock-locks.repo';
import { publishItemChanged } from '../events/item-events';
import { publishStockLockChanged } from '../events/stock-lock-events';
import {
  MAX_INT,
  answerOf,
  normaliseLines,
  shortfallsOf,
  type LockAnswer,
  type OrderLine,
  type StockLock,
} from './stock-lock';

/**
 * Locks an order's stock, all lines or none, once per order. The lock row is written first: a concurrent or
 * repeated attempt on the same order waits for it and answers from it. Every item whose stock changed is
 * announced with its new state (item.changed), and the lock itself (stock-lock.changed), in this transaction.
 */
async function lockStock(tx: Queryable, orderId: string, lines: readonly OrderLine[]): Promise<StockLock> {
  const items = normaliseLines(lines);
  const lock = await insertLock(tx, { orderId, status: 'locked', items, tookStock: true });
  if (!lock) return (await findLock(tx, orderId))!;

  const coverable = items.every((line) => line.productId <= MAX_INT && line.quantity <= MAX_INT);
  const outcome = coverable
    ? await takeStockOrNothing(tx, items)
    : {
        stock: await liveStock(
          tx,
          items.filter((line) => line.productId <= MAX_INT).map((line) => line.productId),
        ),
      };
  if ('stock' in outcome) {
    const rejection = shortfallsOf(items, outcome.stock);
    // a racing commit may have refilled the line that failed before we looked: it still failed, so name it all
    const rejected = await markRejected(tx, orderId, {
      reason: rejection.reason,
      shortfalls:
        rejection.shortfalls.length > 0
          ? rejection.shortfalls
          : items.map((line) => ({
              productId: line.productId,
              requested: line.quantity,
              available: outcome.stock.get(line.productId) ?? null,
            })),
    });
    await publishStockLockChanged(tx, rejected);
    return rejected;
  }
  for (const item of outcome.taken) await publishItemChanged(tx, item);
  await publishStockLockChanged(tx, lock);
  return lock;
}

/** The order was paid: its locked stock is sold. Only a lock still `locked` moves, so this happens once. */
async function commitStock(tx: Queryable, orderId: string): Promise<StockLock | undefined> {
  const committed = await moveLockTo(tx, orderId, 'committed', null);
  if (committed) await publishStockLockChanged(tx, committed);
  return committed;
}

/**
 * The order ended unpaid, or was cancelled after payment (`from` includes committed): its stock goes back, once.
 * An order that was never locked gets a released tombstone (nothing given back), so a lock request arriving
 * after its end can never take stock that nobody would return.
 */
async function releaseStock(
  tx: Queryable,
  orderId: string,
  lines: readonly OrderLine[],
  reason: string | null,
  from: readonly StockLock['status'][],
): Promise<StockLock | undefined> {
  const tombstone = await insertLock(tx, {
    orderId,
    status: 'released',
    items: normaliseLines(lines),
    tookStock: false,
    reason,
  });
  if (tombstone) {
    await publishStockLockChanged(tx, tombstone);
    return tombstone;
  }
  const released = await moveLockTo(tx, orderId, 'released', reason, from);
  if (!released) return undefined;
  if (released.tookStock) for (const item of await returnStock(tx, released.items)) await publishItemChanged(tx, item);
  await publishStockLockChanged(tx, released);
  return released;
}

/**
 * The item service's part of the order saga, applied in the consumer's transaction: pending → lock; paid →
 * commit; payment_failed → release; cancelled → release, also a committed lock (a paid order the shopper
 * cancelled: refunded by the payment service, its stock back on the shelf). Statuses it caused itself
 * (stock_locked, rejected) need nothing. Events of one order arrive in order (keyed by order id).
 */
export async function followOrder(tx: Queryable, order: OrderChangedPayload): Promise<void> {
  switch (order.status) {
    case 'pending':
      await lockStock(tx, order.orderId, order.items);
      return;
    case 'paid':
      await commitStock(tx, order.orderId);
      return;
    case 'payment_failed':
      await releaseStock(tx, order.orderId, order.items, order.reason, ['locked']);
      return;
    case 'cancelled':
      await releaseStock(tx, order.orderId, order.items, order.reason, ['locked', 'committed']);
      return;
    default:
      return;
  }
}

/** POST /api/inventory/lock: the same lock as the saga's, answered as the first attempt was. */
export async function requestLock(pool: Pool, orderId: string, lines: readonly OrderLine[]): Promise<LockAnswer> {
  return answerOf(await withTransaction(pool, (tx) => lockStock(tx, orderId, lines)));
}
