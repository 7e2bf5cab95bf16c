import { ItemChanged, ItemViewed } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { Item } from '../domain/item';

/** Every change to an item is published as its new state; call it in the transaction that made the change. */
export function publishItemChanged(db: Queryable, item: Item) {
  return appendEvent(db, 'item', ItemChanged, {
    aggregateId: item.id,
    aggregateVersion: item.revision,
    payload: {
      id: item.id,
      name: item.name,
      broadcaster: item.broadcaster,
      category: item.category,
      price: item.price,
      stock: item.stock,
      deleted: item.deleted,
      code: item.code,
      broadcasts: item.broadcasts,
    },
  });
}

/** A view goes to the user service's recent-items list through the outbox, never by a call: user may be down. */
export function publishItemViewed(db: Queryable, view: { userId: number; itemId: number; at: Date }) {
  return appendEvent(db, 'item', ItemViewed, {
    aggregateId: view.userId,
    aggregateVersion: view.at.getTime(),
    payload: { userId: view.userId, itemId: view.itemId, viewedAt: view.at.toISOString() },
  });
}
