import type { OrderLine, OrderStatus, PaymentStatus } from '@boxoffice/contracts';

export type { OrderLine, OrderStatus, PaymentStatus };
export type PaymentMethod = 'points' | 'card';

export interface Order {
  id: string;
  userId: number;
  status: OrderStatus;
  items: OrderLine[];
  amount: number;
  paymentMethod: PaymentMethod | null;
  paymentStatus: PaymentStatus | null;
  reason: string | null;
  stockStatus: string | null;
  revision: number;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderHistoryEntry {
  status: OrderStatus;
  reason: string | null;
  at: Date;
}

/**
 * The order saga's state machine. pending → stock_locked (item service locked) | rejected (it could not) |
 * payment_failed (card declined before the lock came) | cancelled (TTL, settlement deadline, shopper);
 * stock_locked → paid | payment_failed (card declined) | cancelled; paid → cancelled (the shopper, before
 * shipping: refunded). rejected, payment_failed and cancelled end it.
 */
const NEXT: Record<OrderStatus, OrderStatus[]> = {
  pending: ['stock_locked', 'rejected', 'payment_failed', 'cancelled'],
  stock_locked: ['paid', 'payment_failed', 'cancelled'],
  rejected: [],
  paid: ['cancelled'],
  payment_failed: [],
  cancelled: [],
};

export const canMove = (from: OrderStatus, to: OrderStatus) => NEXT[from].includes(to);

export interface CatalogItem {
  id: number;
  price: number;
  deleted: boolean;
}

/** Σ price × quantity; every line must name a known, not deleted item. */
export function priceOrder(
  lines: OrderLine[],
  catalog: Map<number, CatalogItem>,
): { amount: number; missing: number[] } {
  const missing = lines
    .filter((line) => !catalog.get(line.productId) || catalog.get(line.productId)!.deleted)
    .map((line) => line.productId);
  const amount = lines.reduce((sum, line) => sum + (catalog.get(line.productId)?.price ?? 0) * line.quantity, 0);
  return { amount, missing };
}
