import { OrderChanged, TOPICS, type OrderChangedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { followOrder } from '../domain/stock-locks.use-case';

/** order.changed → the order's stock is locked, committed or released (the order saga, docs/payments.md). */
export function consumeOrders(app: App) {
  return app.events.consume({
    groupId: 'item.orders',
    topics: [TOPICS.orders],
    handlers: {
      [OrderChanged.type]: async (event, db) => {
        await followOrder(db, event.payload as OrderChangedPayload);
      },
    },
  });
}
