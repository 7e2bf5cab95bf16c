import { StockLockChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { StockLock } from '../domain/stock-lock';

/** Every change to an order's stock lock, as its new state; call it in the transaction that made the change. */
export function publishStockLockChanged(db: Queryable, lock: StockLock) {
  return appendEvent(db, 'item', StockLockChanged, {
    aggregateId: lock.orderId,
    aggregateVersion: lock.revision,
    payload: { orderId: lock.orderId, status: lock.status, items: lock.items, reason: lock.reason },
  });
}
