import {
  ItemChanged,
  StockLockChanged,
  type ItemChangedPayload,
  type StockLockChangedPayload,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { applyItem } from '../db/items-replica.repo';
import { applyStockLock } from '../domain/apply-stock-lock.use-case';

/** item.changed → the items replica that prices new orders. */
export function consumeItems(app: App): void {
  app.events.consume({
    groupId: 'payment.items',
    topics: [ItemChanged.topic],
    handlers: {
      [ItemChanged.type]: async (event, db) => {
        const item = event.payload as ItemChangedPayload;
        await applyItem(db, item, event.aggregateVersion);
      },
    },
  });
}

/** stock-lock.changed → the order moves on (stock_locked or rejected). */
export function consumeStockLocks(app: App): void {
  app.events.consume({
    groupId: 'payment.stock-locks',
    topics: [StockLockChanged.topic],
    handlers: {
      [StockLockChanged.type]: async (event, db) => applyStockLock(db, event.payload as StockLockChangedPayload),
    },
  });
}
