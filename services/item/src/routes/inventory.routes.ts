import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody, internalTokenMatches, type App } from '@boxoffice/http';
import { unauthorized } from '@boxoffice/errors';
import type { LockAnswer } from '../domain/stock-lock';
import { requestLock } from '../domain/stock-locks.use-case';
import { InternalTokenHeaders, LockBody, Locked, NotLocked } from '../schemas/inventory.schemas';

const REFUSALS: Record<string, { status: number; message: string; sentence: (orderId: string) => string }> = {
  INSUFFICIENT_STOCK: {
    status: 400,
    message: 'Insufficient inventory',
    sentence: (orderId) => `There is not enough stock for order ${orderId}; nothing was locked.`,
  },
  ITEM_NOT_FOUND: {
    status: 404,
    message: 'Item not found',
    sentence: (orderId) => `Order ${orderId} names an item that does not exist; nothing was locked.`,
  },
  ORDER_ENDED: {
    status: 409,
    message: 'Order already ended',
    sentence: (orderId) =>
      `Order ${orderId} was cancelled or failed before its stock was locked; it will not be locked.`,
  },
};

/** The seed's `{code, message, locked: false}` beside the SPEC §0 `errors` object, so both kinds of client read it. */
function notLocked(orderId: string, answer: Extract<LockAnswer, { locked: false }>) {
  const refusal = REFUSALS[answer.reason] ?? REFUSALS.INSUFFICIENT_STOCK!;
  return {
    status: refusal.status as 400 | 404 | 409,
    body: {
      code: refusal.status,
      message: refusal.message,
      locked: false as const,
      errors: {
        code: answer.reason,
        message: refusal.sentence(orderId),
        detail: answer.shortfalls.map((shortfall) => ({
          location: 'body',
          param: 'items',
          value: { productId: shortfall.productId, quantity: shortfall.requested },
          error: 'NotAvailable',
          msg:
            shortfall.available === null
              ? `Item with item id: ${shortfall.productId} doesn't exist.`
              : `Item ${shortfall.productId}: ${shortfall.requested} requested, ${shortfall.available} available.`,
          available: shortfall.available,
        })),
      },
    },
  };
}

export async function inventoryRoutes(app: App, options: { internalToken: string }): Promise<void> {
  /** Peers (the order saga) present the internal token; people must be admins. */
  const requireAdminOrInternal = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = request.headers['x-internal-token'];
    if (given === undefined) return app.requireAdmin(request, reply);
    if (!internalTokenMatches(given, options.internalToken)) throw unauthorized('The x-internal-token is not valid.');
  };

  app.post(
    '/api/inventory/lock',
    {
      preHandler: requireAdminOrInternal,
      schema: {
        summary: "Lock an order's stock, all lines or none; idempotent per orderId (admin or internal token)",
        security: [{ userToken: [] }],
        headers: InternalTokenHeaders,
        body: LockBody,
        response: {
          200: Locked,
          400: NotLocked,
          401: ErrorBody,
          403: ErrorBody,
          404: NotLocked,
          409: NotLocked,
          422: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const answer = await requestLock(app.pg, request.body.orderId, request.body.items);
      if (answer.locked) return { code: 200 as const, message: 'Inventory locked successfully', locked: true as const };
      const refused = notLocked(request.body.orderId, answer);
      return reply.code(refused.status).send(refused.body);
    },
  );
}
