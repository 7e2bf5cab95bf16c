import {
  AlarmChanged,
  ItemChanged,
  ItemViewed,
  TOPICS,
  type AlarmChangedPayload,
  type ItemChangedPayload,
  type ItemViewedPayload,
} from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { applyAlarm, applyItem, insertView } from '../db/visits.repo';

/** The views stream and the item and alarm replicas behind /visit: one consumer group each. */
export function consumeVisitSources(app: App) {
  const views = app.events.consume({
    groupId: 'user.item-views',
    topics: [TOPICS.itemViews],
    handlers: {
      [ItemViewed.type]: async (event, db) => {
        const view = event.payload as ItemViewedPayload;
        await insertView(db, { eventId: event.id, userId: view.userId, itemId: view.itemId, viewedAt: view.viewedAt });
      },
    },
  });
  const items = app.events.consume({
    groupId: 'user.items-replica',
    topics: [TOPICS.items],
    handlers: {
      [ItemChanged.type]: async (event, db) => {
        await applyItem(db, event.payload as ItemChangedPayload, event.aggregateVersion);
      },
    },
  });
  const alarms = app.events.consume({
    groupId: 'user.alarms-replica',
    topics: [TOPICS.alarms],
    handlers: {
      [AlarmChanged.type]: async (event, db) => {
        await applyAlarm(db, event.payload as AlarmChangedPayload, event.aggregateVersion);
      },
    },
  });
  return { views, items, alarms };
}
