import type { IdempotencyStore } from '@boxoffice/db';
import { ErrorBody, IdempotencyHeaders, isoWithOffset, replyIdempotently, type App } from '@boxoffice/http';
import { movePoints, pointHistory, walletBalance } from '../domain/points.use-case';
import { Balance, MovePointsBody, PointHistory } from '../schemas/points.schemas';

const errors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 422: ErrorBody, 503: ErrorBody };
const security = [{ userToken: [] }];

export async function pointsRoutes(app: App, options: { idempotency: IdempotencyStore }): Promise<void> {
  app.post(
    '/points',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Charge or use points; using more than the balance is refused (400)',
        security,
        headers: IdempotencyHeaders,
        body: MovePointsBody,
        response: { 200: Balance, ...errors },
      },
    },
    async (request, reply) =>
      replyIdempotently(request, reply, {
        store: options.idempotency,
        userId: request.user.id,
        run: (transact) => movePoints(request.user.id, request.body, transact),
        answer: (balance) => ({ status: 200, body: { balance } }),
      }),
  );

  app.get(
    '/points',
    {
      preHandler: app.requireUser,
      schema: { summary: "The caller's balance", security, response: { 200: Balance, ...errors } },
    },
    async (request) => ({ balance: await walletBalance(app.pg, request.user.id) }),
  );

  app.get(
    '/point_history',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "The caller's ledger, newest first (CHARGE, USE, REFUND)",
        security,
        response: { 200: PointHistory, ...errors },
      },
    },
    async (request) =>
      (await pointHistory(app.pg, request.user.id)).map((row) => ({
        transactionId: row.id,
        userId: row.userId,
        amount: row.amount,
        pointType: row.pointType,
        createdAt: isoWithOffset(row.createdAt),
      })),
  );
}
