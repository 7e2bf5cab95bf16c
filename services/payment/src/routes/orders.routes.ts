import type { IdempotencyStore } from '@boxoffice/db';
import type { Static } from '@sinclair/typebox';
import {
  IdempotencyHeaders,
  isoWithOffset,
  replyIdempotently,
  routeGroup,
  type App,
  type HttpAnswer,
} from '@boxoffice/http';
import { latestChargeOfOrder } from '../db/card-charges.repo';
import { findOrder, historyOfOrder, ordersOfUser } from '../db/orders.repo';
import { cancelOrder } from '../domain/cancel-order.use-case';
import type { Order } from '../domain/order';
import { createOrder, type CreateOrderDeps } from '../domain/create-order.use-case';
import { orderNotFound, payOrder, type OrderPayment, type PayOrderDeps } from '../domain/pay-order.use-case';
import {
  CreateOrderBody,
  OrderCreated,
  OrderList,
  OrderListQuery,
  OrderParams,
  OrderSummary,
  OrderView,
  PaymentFailed,
  PaymentProcessed,
  PayOrderBody,
} from '../schemas/order.schemas';

/**
 * SPEC §6: 200 when points paid a stock_locked order; 202 `processing` while the money waits for the stock lock
 * (paid at checkout) or the card gateway's settlement: GET /api/orders/{orderId} then says how it ended.
 */
function paymentProcessed(payment: OrderPayment): HttpAnswer<Static<typeof PaymentProcessed>> {
  const completed = payment.status === 'completed';
  return {
    status: completed ? 200 : 202,
    body: {
      code: completed ? 200 : 202,
      message: completed ? 'Payment successful' : 'Payment processing',
      orderId: payment.orderId,
      paymentStatus: payment.status,
      transactionId: payment.transactionId,
    },
    location: completed ? undefined : `/api/orders/${payment.orderId}`,
  };
}

/** An order as its owner sees it in a list (GET /api/orders) and, with its history, alone. */
export function orderSummary(order: Order) {
  return {
    orderId: order.id,
    userId: order.userId,
    status: order.status,
    amount: order.amount,
    items: order.items,
    paymentMethod: order.paymentMethod,
    paymentStatus: order.paymentStatus,
    reason: order.reason,
    stockStatus: order.stockStatus,
    expiresAt: isoWithOffset(order.expiresAt),
    createdAt: isoWithOffset(order.createdAt),
    updatedAt: isoWithOffset(order.updatedAt),
  };
}

const errors = [400, 401, 403, 404, 409, 422, 503] as const;
const security = [{ userToken: [] }];

export async function ordersRoutes(
  app: App,
  options: {
    idempotency: IdempotencyStore;
    create: Omit<CreateOrderDeps, 'fetchItems'>;
    fetchItems: (ids: number[], userToken: string) => ReturnType<CreateOrderDeps['fetchItems']>;
    pay: PayOrderDeps;
  },
): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });
  // its refusals carry seed 003's paymentStatus "failed" beside the SPEC error: documented per status below
  const asPayer = routeGroup({ preHandler: app.requireUser, security, errors: [] });

  app.post(
    '/api/orders/create',
    asUser('Create a pending order; the item service locks its stock, then pay it with POST /api/payment/process', {
      headers: IdempotencyHeaders,
      body: CreateOrderBody,
      response: { 201: OrderCreated },
    }),
    async (request, reply) => {
      const userId = request.user.id;
      const token = String(request.headers['user-token']);
      const deps = { ...options.create, fetchItems: (ids: number[]) => options.fetchItems(ids, token) };
      const { orderAmount, items, userId: bodyUserId } = request.body;
      return replyIdempotently(request, reply, {
        store: options.idempotency,
        userId,
        run: (transact) => createOrder(deps, { userId, bodyUserId, orderAmount, items }, transact),
        answer: (order) => ({
          status: 201,
          // a new order is pending until the item service answers its stock lock
          body: {
            code: 201,
            message: 'Order created successfully',
            orderId: order.id,
            status: order.status as 'pending',
          },
          location: `/api/orders/${order.id}`,
        }),
      });
    },
  );

  app.post(
    '/api/payment/process',
    {
      ...asPayer(
        'Pay an order, also while it is pending: points on a stock_locked order are 200 completed; otherwise 202 processing until the stock lock (or the card settlement) decides, as GET /api/orders/{orderId} shows',
        {
          headers: IdempotencyHeaders,
          body: PayOrderBody,
          response: {
            200: PaymentProcessed,
            202: PaymentProcessed,
            ...Object.fromEntries(errors.map((status) => [status, PaymentFailed])),
          },
        },
      ),
      preSerialization: async (_request, reply, payload: unknown) =>
        reply.statusCode >= 400 ? { ...(payload as object), paymentStatus: 'failed' } : payload,
    },
    async (request, reply) => {
      const userId = request.user.id;
      const { orderId, paymentMethod, paymentDetails, userId: bodyUserId, paymentAmount } = request.body;
      return replyIdempotently(request, reply, {
        store: options.idempotency,
        userId,
        run: (transact) =>
          payOrder(
            options.pay,
            { userId, orderId, paymentMethod, paymentDetails, bodyUserId, paymentAmount },
            transact,
          ),
        answer: paymentProcessed,
      });
    },
  );

  /** One order with its card (last 4 only) and its history of statuses. */
  async function orderView(order: Order) {
    const [history, charge] = await Promise.all([
      historyOfOrder(app.pg, order.id),
      latestChargeOfOrder(app.pg, order.id),
    ]);
    return {
      ...orderSummary(order),
      card: charge ? { last4: charge.cardLast4, status: charge.status, declineCode: charge.declineCode } : null,
      history: history.map((entry) => ({ status: entry.status, reason: entry.reason, at: isoWithOffset(entry.at) })),
    };
  }

  app.get(
    '/api/orders',
    asUser('Your orders, newest first (paginated: offset, limit ≤ 100, default 20); count is how many you have', {
      querystring: OrderListQuery,
      response: { 200: OrderList },
    }),
    async (request) => {
      const { offset = 0, limit = 20 } = request.query;
      const page = await ordersOfUser(app.pg, request.user.id, { offset, limit });
      return { count: page.total, payload: page.orders.map(orderSummary) };
    },
  );

  app.get(
    '/api/orders/:orderId',
    asUser('One of your orders with its status history', { params: OrderParams, response: { 200: OrderView } }),
    async (request) => {
      const order = await findOrder(app.pg, request.params.orderId);
      if (!order || order.userId !== request.user.id) throw orderNotFound(request.params.orderId);
      return orderView(order);
    },
  );

  app.post(
    '/api/orders/:orderId/cancel',
    asUser(
      'Cancel your order: before payment the stock is released; after payment (not shipped) it is refunded and released; the notification service tells you. Cancelling a cancelled order answers it as it is',
      { headers: IdempotencyHeaders, params: OrderParams, response: { 200: OrderSummary } },
    ),
    async (request, reply) => {
      const userId = request.user.id;
      const { orderId } = request.params;
      return replyIdempotently(request, reply, {
        store: options.idempotency,
        userId,
        run: (transact) => cancelOrder(options.pay, { userId, orderId }, transact),
        answer: (order) => ({ status: 200, body: orderSummary(order) }),
      });
    },
  );
}
