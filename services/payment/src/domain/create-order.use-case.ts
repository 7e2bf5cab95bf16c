import { randomUUID } from 'node:crypto';
import type { Pool, Transact } from '@boxoffice/db';
import { AppError, assertBodyNamesCaller, validationFailed } from '@boxoffice/errors';
import { catalogItems, itemIdsByCode } from '../db/items-replica.repo';
import { insertOrder } from '../db/orders.repo';
import { publishOrderChanged } from '../events/order-events';
import { priceOrder, wholeAmount, type CatalogItem, type Order, type OrderLine } from './order';

/** A line as asked for: a product by id, or by its public code (seed 003's "P001"). */
export interface RequestedLine {
  productId: number | string;
  quantity: number;
}

const notFoundProducts = (missing: (number | string)[]) =>
  new AppError(
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

/**
 * Product codes → item ids, from the items replica (item.changed carries the codes). A code the replica does not
 * know is a 404 like an unknown id: the item service is asked by id only.
 */
async function resolveCodes(deps: CreateOrderDeps, lines: RequestedLine[]): Promise<OrderLine[]> {
  const codes = lines.flatMap((line) => (typeof line.productId === 'string' ? [line.productId] : []));
  if (codes.length === 0) return lines as OrderLine[];
  const ids = await itemIdsByCode(deps.pool, codes);
  const unknown = codes.filter((code) => !ids.has(code));
  if (unknown.length > 0) throw notFoundProducts(unknown);
  return lines.map((line) => ({
    productId: typeof line.productId === 'string' ? ids.get(line.productId)! : line.productId,
    quantity: line.quantity,
  }));
}

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
  input: { userId: number; bodyUserId?: number | string; orderAmount: number; items: RequestedLine[] },
  transact: Transact,
): Promise<Order> {
  // seed 003 names the payer in the body; the USER-TOKEN decides who it is, and the two must agree
  assertBodyNamesCaller(input.userId, input.bodyUserId, 'userId');
  const orderAmount = wholeAmount('orderAmount', input.orderAmount);
  const lines = await resolveCodes(deps, input.items);
  const ids = lines.map((line) => line.productId);
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

  const { amount, missing } = priceOrder(lines, catalog);
  if (missing.length > 0) throw notFoundProducts(missing);
  if (amount !== orderAmount) {
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
      items: lines,
      amount,
      ttlSeconds: deps.ttlSeconds,
    });
    await publishOrderChanged(tx, order);
    return order;
  });
}
