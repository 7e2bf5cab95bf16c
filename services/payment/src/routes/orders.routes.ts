import { ErrorBody, isoWithOffset, type App } from '@boxoffice/http';
import { latestChargeOfOrder } from '../db/card-charges.repo';
import { findOrder, historyOfOrder } from '../db/orders.repo';
import { createOrder, type CreateOrderDeps } from '../domain/create-order.use-case';
import { orderNotFound, payOrder, type PayOrderDeps } from '../domain/pay-order.use-case';
import { IdempotencyHeaders } from '../schemas/common.schemas';
import {
  CreateOrderBody,
  OrderCreated,
  OrderParams,
  OrderView,
  PaymentProcessed,
  PayOrderBody,
} from '../schemas/order.schemas';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 503: ErrorBody };
const security = [{ userToken: [] }];

export async function ordersRoutes(
  app: App,
  options: {
    create: Omit<CreateOrderDeps, 'fetchItems'>;
    fetchItems: (ids: number[], userToken: string) => ReturnType<CreateOrderDeps['fetchItems']>;
    pay: PayOrderDeps;
  },
): Promise<void> {
  app.post(
    '/api/orders/create',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Create a pending order; the item service locks its stock, then pay it with POST /api/payment/process',
        security,
        headers: IdempotencyHeaders,
        body: CreateOrderBody,
        response: { 201: OrderCreated, ...errors },
      },
    },
    async (request, reply) => {
      const userId = request.user.id;
      const key = request.headers['idempotency-key'];
      const token = String(request.headers['user-token']);
      const answer = await createOrder(
        { ...options.create, fetchItems: (ids) => options.fetchItems(ids, token) },
        { userId, orderAmount: request.body.orderAmount, items: request.body.items },
        key ? { scope: 'POST /api/orders/create', userId, key, body: request.body } : undefined,
      );
      if (answer.location) reply.header('location', answer.location);
      reply.code(answer.status);
      return answer.body as { code: 201; message: string; orderId: string; status: 'pending' };
    },
  );

  app.post(
    '/api/payment/process',
    {
      preHandler: app.requireUser,
      schema: {
        summary:
          'Pay a stock_locked order by points (200 completed) or card (202 processing; settled by the gateway callback)',
        security,
        headers: IdempotencyHeaders,
        body: PayOrderBody,
        response: { 200: PaymentProcessed, 202: PaymentProcessed, ...errors },
      },
    },
    async (request, reply) => {
      const userId = request.user.id;
      const key = request.headers['idempotency-key'];
      const answer = await payOrder(
        options.pay,
        {
          userId,
          orderId: request.body.orderId,
          paymentMethod: request.body.paymentMethod,
          paymentDetails: request.body.paymentDetails,
        },
        key ? { scope: 'POST /api/payment/process', userId, key, body: request.body } : undefined,
      );
      reply.code(answer.status);
      return answer.body as {
        code: number;
        message: string;
        orderId: string;
        paymentStatus: 'completed';
        transactionId: string;
      };
    },
  );

  app.get(
    '/api/orders/:orderId',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'One of your orders with its status history',
        security,
        params: OrderParams,
        response: { 200: OrderView, ...errors },
      },
    },
    async (request) => {
      const order = await findOrder(app.pg, request.params.orderId);
      if (!order || order.userId !== request.user.id) throw orderNotFound(request.params.orderId);
      const [history, charge] = await Promise.all([
        historyOfOrder(app.pg, order.id),
        latestChargeOfOrder(app.pg, order.id),
      ]);
      return {
        orderId: order.id,
        userId: order.userId,
        status: order.status,
        amount: order.amount,
        items: order.items,
        paymentMethod: order.paymentMethod,
        reason: order.reason,
        stockStatus: order.stockStatus,
        card: charge ? { last4: charge.cardLast4, status: charge.status, declineCode: charge.declineCode } : null,
        expiresAt: isoWithOffset(order.expiresAt),
        createdAt: isoWithOffset(order.createdAt),
        updatedAt: isoWithOffset(order.updatedAt),
        history: history.map((entry) => ({ status: entry.status, reason: entry.reason, at: isoWithOffset(entry.at) })),
      };
    },
  );
}
