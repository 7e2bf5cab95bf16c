import { ItemChanged, TOPICS, type ItemChangedPayload } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { applyItem } from '../db/items-replica.repo';

/** Keeps items_replica in step with the item service: alarm lists show item details without calling it. */
export function consumeItems(app: App) {
  return app.events.consume({
    groupId: 'alarm.items-replica',
    topics: [TOPICS.items],
    handlers: {
      [ItemChanged.type]: async (event, db) => {
        await applyItem(db, event.payload as ItemChangedPayload, event.aggregateVersion);
      },
    },
  });
}
