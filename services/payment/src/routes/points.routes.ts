import { ErrorBody, isoWithOffset, type App } from '@boxoffice/http';
import { movePoints, pointHistory, walletBalance } from '../domain/points.use-case';
import type { Idempotency } from '../domain/idempotency';
import { IdempotencyHeaders } from '../schemas/common.schemas';
import { Balance, MovePointsBody, PointHistory } from '../schemas/points.schemas';

const errors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 422: ErrorBody, 503: ErrorBody };
const security = [{ userToken: [] }];

export async function pointsRoutes(app: App, options: { idempotency: Idempotency }): Promise<void> {
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
    async (request, reply) => {
      const userId = request.user.id;
      const key = request.headers['idempotency-key'];
      const answer = await movePoints(
        options.idempotency,
        userId,
        request.body,
        key ? { scope: 'POST /points', userId, key, body: request.body } : undefined,
      );
      reply.code(answer.status);
      return answer.body as { balance: number };
    },
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
