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
  paidAt: string | null;
  status?: 'PENDING' | 'COMPLETED' | 'FAILED';
}

export type OrderStatus = 'pending' | 'stock_locked' | 'rejected' | 'paid' | 'payment_failed' | 'cancelled';

export interface Order {
  orderId: string;
  status: OrderStatus;
  amount: number;
  items: { productId: number; quantity: number }[];
  paymentMethod: 'points' | 'card' | null;
  reason: string | null;
  expiresAt: string;
  createdAt: string;
  history: { status: string; reason: string | null; at: string }[];
}

export const paymentApi = {
  balance: () => call<{ balance: number }>('GET', '/points'),
  charge: (point: number) => call<{ balance: number }>('POST', '/points', { body: { point, pointType: 'CHARGE' } }),
  pointHistory: () => call<PointTransaction[]>('GET', '/point_history'),
  paymentHistory: () => call<Payment[]>('GET', '/payment_history'),
  /** One payment per held ticket today; 202 means the outcome is not known yet (poll paymentStatus). */
  payTicket: (ticketId: string, idempotencyKey: string) =>
    call<Payment>('POST', '/payments', { credential: 'queue', body: { ticket_id: ticketId }, idempotencyKey }),
  paymentStatus: (paymentId: string) => call<Payment>('GET', `/payments/${paymentId}`),
  createOrder: (items: { productId: number; quantity: number }[], orderAmount: number) =>
    call<{ orderId: string; status: 'pending' }>('POST', '/api/orders/create', { body: { orderAmount, items } }),
  order: (orderId: string) => call<Order>('GET', `/api/orders/${orderId}`),
  payOrderWithPoints: (orderId: string, idempotencyKey: string) =>
    call<{ orderId: string; paymentStatus: 'completed' | 'processing' }>('POST', '/api/payment/process', {
      body: { orderId, paymentMethod: 'points' },
      idempotencyKey,
    }),
};
