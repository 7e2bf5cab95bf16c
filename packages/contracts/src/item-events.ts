import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { TOPICS } from './topics';

/** One broadcast of an item on a home-shopping channel (issue 15: alarms fire before it starts). */
export const BroadcastSlot = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
});
export type BroadcastSlot = Static<typeof BroadcastSlot>;

/** The state of a shopping item after a change; `deleted` instead of a missing event, so replicas can apply it. */
export const ItemChangedPayload = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  broadcaster: Type.String(),
  category: Type.String(),
  price: Type.Integer(),
  stock: Type.Integer(),
  deleted: Type.Boolean(),
  /** The item's public product code (seed 003's "P001"), unique when set; optional: older events lack it. */
  code: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /**
   * Its broadcast slots that had not ended when the event was written, by start. A slot that ends later is not
   * announced again: readers drop slots whose `endsAt` has passed. Optional: older events lack it.
   */
  broadcasts: Type.Optional(Type.Array(BroadcastSlot)),
});
export type ItemChangedPayload = Static<typeof ItemChangedPayload>;

export const ItemChanged = defineEvent('item.changed', TOPICS.items, 'item', ItemChangedPayload);

/**
 * A user opened an item's detail. Not a state but a fact in a stream: the aggregate is the viewer (key = user
 * id, so one user's views keep their order) and `aggregateVersion` is the view's time in epoch milliseconds.
 */
export const ItemViewedPayload = Type.Object({
  userId: Type.Integer(),
  itemId: Type.Integer(),
  viewedAt: Type.String({ format: 'date-time' }),
});
export type ItemViewedPayload = Static<typeof ItemViewedPayload>;

export const ItemViewed = defineEvent('item.viewed', TOPICS.itemViews, 'viewer', ItemViewedPayload);
