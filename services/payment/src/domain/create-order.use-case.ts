import { randomUUID } from 'node:crypto';
import type { Pool, Transact } from '@boxoffice/db';
import { AppError, validationFailed } from '@boxoffice/errors';
import { catalogItems } from '../db/items-replica.repo';
import { insertOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import { priceOrder, type CatalogItem, type Order, type OrderLine } from './order';

export interface CreateOrderDeps {
  pool: Pool;
  ttlSeconds: number;
  /** Items the local replica does not know (yet), asked of the item service. */
  fetchItems(ids: number[]): Promise<CatalogItem[]>;
}

/**
 * Creates a pending order (SPEC §6) and announces it; the item service locks its stock on that event. The amount
 * is checked against Σ price × quantity from the items replica (the item service is asked only for items the
 * replica lacks), so a client cannot pick its own price. The order and its event commit in `transact`.
 */
export async function createOrder(
  deps: CreateOrderDeps,
  input: { userId: number; orderAmount: number; items: OrderLine[] },
  transact: Transact,
): Promise<Order> {
  const ids = input.items.map((line) => line.productId);
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (duplicates.length > 0) {
    throw validationFailed(
      'Each product may appear once; add up the quantities.',
      [...new Set(duplicates).values()].map((id) => ({
        location: 'body',
        param: 'items',
        value: id,
        error: 'Duplicate',
        msg: `Product ${id} appears more than once.`,
      })),
    );
  }

  const catalog = new Map((await catalogItems(deps.pool, ids)).map((item) => [item.id, item]));
  const unknown = ids.filter((id) => !catalog.has(id));
  if (unknown.length > 0) for (const item of await deps.fetchItems(unknown)) catalog.set(item.id, item);

  const { amount, missing } = priceOrder(input.items, catalog);
  if (missing.length > 0) {
    throw new AppError(
      404,
      'NOT_FOUND',
      missing.length === 1
        ? `Item with id: ${missing[0]} doesn't exist.`
        : `Items with ids: ${missing.join(', ')} don't exist.`,
      missing.map((id) => ({
        location: 'body',
        param: 'items.productId',
        value: id,
        error: 'NotFound',
        msg: `Item ${id} doesn't exist.`,
      })),
    );
  }
  if (amount !== input.orderAmount) {
    throw validationFailed(`orderAmount must equal the sum of price × quantity (${amount}).`, [
      {
        location: 'body',
        param: 'orderAmount',
        value: input.orderAmount,
        error: 'AmountMismatch',
        msg: `Expected ${amount}.`,
        expected: amount,
      },
    ]);
  }

  return transact(async (tx) => {
    const order = await insertOrder(tx, {
      id: randomUUID(),
      userId: input.userId,
      items: input.items,
      amount,
      ttlSeconds: deps.ttlSeconds,
    });
    await publishOrderChanged(tx, order);
    return order;
  });
}
