import type { OrderLine, OrderStatus, PaymentStatus } from '@boxoffice/contracts';
import { validationFailed } from '@boxoffice/errors';

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

/**
 * An amount in whole won, the smallest unit of the currency (KRW has no minor unit; a point is one won). Seed 003
 * sends decimals: 4500.0 is 4500; 100.50 names no whole amount and is refused (422 AmountMismatch).
 */
export function wholeAmount(param: string, value: number): number {
  if (Number.isInteger(value)) return value;
  throw validationFailed(`${param} must be a whole number of won: the currency has no minor unit.`, [
    {
      location: 'body',
      param,
      value,
      error: 'AmountMismatch',
      msg: 'Amounts are in whole won (no fraction).',
    },
  ]);
}

/** Seed 003's payment methods: credit_card is the card; paypal is not offered (422). */
export function paymentMethodOf(method: 'points' | 'card' | 'credit_card' | 'paypal'): PaymentMethod {
  if (method === 'points' || method === 'card') return method;
  if (method === 'credit_card') return 'card';
  throw validationFailed('PayPal is not offered: pay by card ("card" or "credit_card") or by "points".', [
    {
      location: 'body',
      param: 'paymentMethod',
      value: method,
      error: 'PAYMENT_METHOD_UNSUPPORTED',
      msg: 'Use card, credit_card or points.',
    },
  ]);
}
