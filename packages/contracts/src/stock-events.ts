import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { literals } from './literals';
import { OrderLine } from './order-events';
import { TOPICS } from './topics';

export const StockLockStatus = Type.Union(literals('locked', 'rejected', 'committed', 'released'));
export type StockLockStatus = Static<typeof StockLockStatus>;

/**
 * The state of one order's stock lock in the item service, after a change; aggregate id = order id,
 * `aggregateVersion` the lock's revision. The item service locks (all lines or none, idempotently per order) on
 * `order.changed` pending → `locked` or `rejected` (reason e.g. "INSUFFICIENT_STOCK", "ITEM_NOT_FOUND"); commits on
 * `paid` → `committed`; releases on `payment_failed`/`cancelled` → `released` (a lock never taken is released
 * with nothing to give back). The payment service moves the order on `locked`/`rejected`.
 */
export const StockLockChangedPayload = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  status: StockLockStatus,
  items: Type.Array(OrderLine),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type StockLockChangedPayload = Static<typeof StockLockChangedPayload>;

export const StockLockChanged = defineEvent(
  'stock-lock.changed',
  TOPICS.stockLocks,
  'stock-lock',
  StockLockChangedPayload,
);
