import type { IdempotencyStore } from '@boxoffice/db';
import { IdempotencyHeaders, isoWithOffset, replyIdempotently, routeGroup, type App } from '@boxoffice/http';
import { movePoints, pointHistory, walletBalance } from '../domain/points.use-case';
import { Balance, MovePointsBody, PointHistory } from '../schemas/points.schemas';

const errors = [400, 401, 403, 409, 422, 503] as const;
const security = [{ userToken: [] }];

export async function pointsRoutes(app: App, options: { idempotency: IdempotencyStore }): Promise<void> {
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });

  app.post(
    '/points',
    asUser(
      "Charge or use points; using more than the balance is refused (400). A user_id/userId in the body must be the caller's (else 403)",
      {
        headers: IdempotencyHeaders,
        body: MovePointsBody,
        response: { 200: Balance },
      },
    ),
    async (request, reply) =>
      replyIdempotently(request, reply, {
        store: options.idempotency,
        userId: request.user.id,
        run: (transact) => movePoints(request.user.id, request.body, transact),
        answer: (balance) => ({ status: 200, body: { balance } }),
      }),
  );

  app.get('/points', asUser("The caller's balance", { response: { 200: Balance } }), async (request) => ({
    balance: await walletBalance(app.pg, request.user.id),
  }));

  app.get(
    '/point_history',
    asUser("The caller's ledger, newest first (CHARGE, USE, REFUND)", { response: { 200: PointHistory } }),
    async (request) =>
      (await pointHistory(app.pg, request.user.id)).map((row) => ({
        transactionId: row.id,
        userId: row.userId,
        amount: row.amount,
        pointType: row.pointType,
        createdAt: isoWithOffset(row.createdAt),
        ...(row.ticketId ? { ticketId: row.ticketId } : {}),
      })),
  );
}
