import { call } from './http';

/** The payment service (SPEC §6): points, ticket payments and shopping orders. */
export interface PointTransaction {
  transactionId: string;
  userId: number;
  amount: number;
  pointType: 'CHARGE' | 'USE' | 'REFUND';
  createdAt: string;
}

export interface Payment {
  id: string;
  userId: number;
  amount: number;
  ticketId: string;
  /** Every ticket the payment buys. */
  ticketIds?: string[];
  paidAt: string | null;
  status?: 'PENDING' | 'COMPLETED' | 'FAILED';
}

export type OrderStatus = 'pending' | 'stock_locked' | 'rejected' | 'paid' | 'payment_failed' | 'cancelled';

/** One order as GET /api/orders lists it. */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  amount: number;
  items: { productId: number; quantity: number }[];
  paymentMethod: 'points' | 'card' | null;
  paymentStatus: 'processing' | 'completed' | 'failed' | 'refunded' | 'voided' | null;
  reason: string | null;
  expiresAt: string;
  createdAt: string;
}

export interface Order extends OrderSummary {
  history: { status: string; reason: string | null; at: string }[];
}

export const paymentApi = {
  balance: () => call<{ balance: number }>('GET', '/points'),
  charge: (point: number) => call<{ balance: number }>('POST', '/points', { body: { point, pointType: 'CHARGE' } }),
  pointHistory: () => call<PointTransaction[]>('GET', '/point_history'),
  paymentHistory: () => call<Payment[]>('GET', '/payment_history'),
  /** All the given holds in one payment (all sold or none); 202: the outcome is not known yet (poll paymentStatus). */
  payTickets: (ticketIds: string[], idempotencyKey: string) =>
    call<Payment>('POST', '/payments', { credential: 'queue', body: { ticket_ids: ticketIds }, idempotencyKey }),
  paymentStatus: (paymentId: string) => call<Payment>('GET', `/payments/${paymentId}`),
  createOrder: (items: { productId: number; quantity: number }[], orderAmount: number) =>
    call<{ orderId: string; status: 'pending' }>('POST', '/api/orders/create', { body: { orderAmount, items } }),
  order: (orderId: string) => call<Order>('GET', `/api/orders/${orderId}`),
  /** Newest first. */
  orders: (offset: number, limit: number) =>
    call<{ count: number; payload: OrderSummary[] }>('GET', '/api/orders', { query: { offset, limit } }),
  /** Before payment the stock is released; after it the order is refunded too. */
  cancelOrder: (orderId: string, idempotencyKey: string) =>
    call<OrderSummary>('POST', `/api/orders/${orderId}/cancel`, { idempotencyKey }),
  payOrderWithPoints: (orderId: string, idempotencyKey: string) =>
    call<{ orderId: string; paymentStatus: 'completed' | 'processing' }>('POST', '/api/payment/process', {
      body: { orderId, paymentMethod: 'points' },
      idempotencyKey,
    }),
};
