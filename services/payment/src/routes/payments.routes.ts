import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound, validationFailed } from '@boxoffice/errors';
import { IdempotencyHeaders, routeGroup, type App } from '@boxoffice/http';
import { findPaymentKey, type PaymentKey } from '../db/idempotency.repo';
import { completedPaymentsOf, findPayment } from '../db/payments.repo';
import { payTicket, type PayTicketDeps } from '../domain/pay-ticket.use-case';
import {
  PaymentHistory,
  PaymentIdParams,
  PaymentStatusView,
  PaymentView,
  PayTicketBody,
} from '../schemas/payment.schemas';
import { paymentAnswer, paymentStatusView, paymentView } from './payment-views';

const errors = [400, 401, 403, 404, 409, 422, 503] as const;

/** The body names its tickets in exactly one of two ways. */
function ticketsToPay(ticketId: string | undefined, ticketIds: string[] | undefined) {
  if (ticketId !== undefined && ticketIds === undefined) return { ticketIds: [ticketId], param: 'ticket_id' as const };
  if (ticketIds !== undefined && ticketId === undefined) return { ticketIds, param: 'ticket_ids' as const };
  throw validationFailed('Name the tickets to pay with either ticket_id (one) or ticket_ids (several), not both.', [
    {
      location: 'body',
      param: ticketId === undefined ? 'ticket_id' : 'ticket_ids',
      error: 'Required',
      msg: 'Exactly one of ticket_id and ticket_ids.',
    },
  ]);
}

export async function paymentsRoutes(app: App, options: { deps: PayTicketDeps }): Promise<void> {
  const scope = 'POST /payments';
  /** The key each request came with, as stored when it came in: read once, by the preHandler. */
  const keysRead = new WeakMap<FastifyRequest, PaymentKey | undefined>();
  // Paying ends the token's ACTIVE life, so a client retrying with the Idempotency-Key of a payment it already made
  // must still get that payment back; any other call needs an ACTIVE token.
  const activePayerOrReplay = async (request: FastifyRequest) => {
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && key.length > 0) {
      await app.identifyQueueTokenHolder(request);
      const stored = await findPaymentKey(app.pg, { scope, userId: request.queueToken.userId, key });
      keysRead.set(request, stored);
      if (stored) return;
    }
    await app.requireActiveQueueToken(request);
  };

  const asActivePayer = routeGroup({ preHandler: activePayerOrReplay, security: [{ queueToken: [] }], errors });

  app.post(
    '/payments',
    asActivePayer(
      'Pay held tickets with points, one (`ticket_id`) or several at once (`ticket_ids`, all or none): 201 paid, 202 outcome not known yet (poll Location), 409 hold expired (nothing charged)',
      { headers: IdempotencyHeaders, body: PayTicketBody, response: { 201: PaymentView, 202: PaymentStatusView } },
    ),
    async (request, reply) => {
      const userId = request.queueToken.userId;
      const key = request.headers['idempotency-key'];
      const { ticket_id: ticketId, ticket_ids: ticketIds, user_id: bodyUserId, price } = request.body;
      const payment = await payTicket(
        options.deps,
        {
          userId,
          ...ticketsToPay(ticketId, ticketIds),
          bodyUserId,
          price,
          admitsConcert: (concertId) => app.assertQueueTokenAdmits(request.queueToken, concertId),
        },
        key ? { request: { scope, userId, key, body: request.body }, stored: keysRead.get(request) } : undefined,
      );
      const answer = paymentAnswer(payment);
      if (answer.location) reply.header('location', answer.location);
      reply.code(answer.status);
      return answer.body;
    },
  );

  // After paying, the payer's queue token is no longer ACTIVE: any validly signed token, or USER-TOKEN, identifies them.
  const identifyPayer = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers['user-token'] !== undefined) return app.requireUser(request, reply);
    await app.identifyQueueTokenHolder(request);
  };
  const payerOf = (request: FastifyRequest) => request.user?.id ?? request.queueToken.userId;
  const security: { [label: string]: string[] }[] = [{ userToken: [] }, { queueToken: [] }];

  const asPayer = routeGroup({ preHandler: identifyPayer, security, errors });

  app.get(
    '/payments/:payment_id',
    asPayer('One of your payments, with its status (where a 202 tells you to look)', {
      params: PaymentIdParams,
      response: { 200: PaymentStatusView },
    }),
    async (request) => {
      const payment = await findPayment(app.pg, request.params.payment_id);
      if (!payment || payment.userId !== payerOf(request))
        throw notFound(`Payment with id: ${request.params.payment_id} doesn't exist.`);
      return paymentStatusView(payment);
    },
  );

  app.get(
    '/payment_history',
    asPayer('Your completed payments, newest first', { response: { 200: PaymentHistory } }),
    async (request) => (await completedPaymentsOf(app.pg, payerOf(request))).map(paymentView),
  );
}
