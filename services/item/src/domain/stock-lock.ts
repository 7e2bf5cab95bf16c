import type { OrderLine, StockLockStatus } from '@boxoffice/contracts';

export type { OrderLine, StockLockStatus };

/** Why a line could not be locked: an unknown (or deleted) item has `available: null`. */
export interface Shortfall {
  productId: number;
  requested: number;
  available: number | null;
}

/** One order's hold on stock (the item service's side of the order saga). */
export interface StockLock {
  orderId: string;
  status: StockLockStatus;
  items: OrderLine[];
  /** Whether this lock took stock: false for a rejection, and for a release that arrived before any lock. */
  tookStock: boolean;
  reason: string | null;
  shortfalls: Shortfall[];
  revision: number;
}

export const REASONS = {
  itemNotFound: 'ITEM_NOT_FOUND',
  insufficientStock: 'INSUFFICIENT_STOCK',
} as const;

/** Ids and stock are int4 columns: a product id or summed quantity above this can never be covered. */
export const MAX_INT = 2147483647;

/**
 * The lines with one entry per product (quantities summed), by ascending product id. Every transaction that
 * changes several items' stock takes their row locks in this order, so two of them can never deadlock.
 */
export function normaliseLines(lines: readonly OrderLine[]): OrderLine[] {
  const totals = new Map<number, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity }));
}

/** The lines the current stock cannot cover; an unknown item outranks a short one as the reason. */
export function shortfallsOf(
  lines: readonly OrderLine[],
  stock: ReadonlyMap<number, number>,
): { reason: string; shortfalls: Shortfall[] } {
  const shortfalls = lines
    .filter((line) => (stock.get(line.productId) ?? -1) < line.quantity)
    .map((line) => ({
      productId: line.productId,
      requested: line.quantity,
      available: stock.get(line.productId) ?? null,
    }));
  const unknown = shortfalls.some((shortfall) => shortfall.available === null);
  return { reason: unknown ? REASONS.itemNotFound : REASONS.insufficientStock, shortfalls };
}

export type LockAnswer =
  | { locked: true }
  | { locked: false; reason: string; shortfalls: Shortfall[] }
  | { locked: false; reason: 'ORDER_ENDED'; shortfalls: [] };

/**
 * What a lock request for this order is told, the first time and every time after: a lock that took stock
 * stays "locked" for the asker even once committed or released, a rejection stays a rejection, and an order
 * released before it was ever locked (cancelled while its event was in flight) is never locked at all.
 */
export function answerOf(lock: StockLock): LockAnswer {
  if (lock.tookStock) return { locked: true };
  if (lock.status === 'rejected')
    return { locked: false, reason: lock.reason ?? REASONS.insufficientStock, shortfalls: lock.shortfalls };
  return { locked: false, reason: 'ORDER_ENDED', shortfalls: [] };
}
