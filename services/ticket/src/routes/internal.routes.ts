import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { routeGroup, type App } from '@boxoffice/http';
import { unauthorized } from '@boxoffice/errors';
import { confirmSale } from '../domain/confirm-sale.use-case';
import { findTicketForPayment } from '../domain/tickets.use-case';
import {
  ConfirmBody,
  ConfirmPaymentBody,
  InternalTicketView,
  InternalTokenHeaders,
  PaymentParams,
  SoldTicketsView,
  TicketParams,
} from '../schemas/seating.schemas';
import { internalTicketView } from './views';

const errors = [401, 404, 409, 422] as const;

/** Service-to-service routes for the payment service. The public gateway never routes /internal. */
export async function internalRoutes(app: App, options: { internalToken: string }): Promise<void> {
  const expected = Buffer.from(options.internalToken);
  const requireInternal = async (request: FastifyRequest) => {
    const given = Buffer.from(String(request.headers['x-internal-token'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw unauthorized('A valid x-internal-token header is required.');
  };

  const asPeer = routeGroup({ preHandler: requireInternal, errors });

  app.get(
    '/internal/tickets/:ticket_id',
    asPeer('A ticket as the payment service needs it', {
      hide: true,
      headers: InternalTokenHeaders,
      params: TicketParams,
      response: { 200: InternalTicketView },
    }),
    async (request) => internalTicketView(await findTicketForPayment(app.pg, request.params.ticket_id)),
  );

  app.post(
    '/internal/tickets/:ticket_id/confirm',
    asPeer('Sell a held ticket for a completed payment (idempotent per paymentId)', {
      hide: true,
      headers: InternalTokenHeaders,
      params: TicketParams,
      body: ConfirmBody,
      response: { 200: InternalTicketView },
    }),
    async (request) => {
      const [sold] = await confirmSale(
        { pool: app.pg, locks: app.seatLocks },
        { ticketIds: [request.params.ticket_id], paymentId: request.body.paymentId, userId: request.body.userId },
      );
      return internalTicketView(sold!);
    },
  );

  app.post(
    '/internal/payments/:payment_id/confirm',
    asPeer("Sell a payment's held tickets, all or none (idempotent per payment id)", {
      hide: true,
      headers: InternalTokenHeaders,
      params: PaymentParams,
      body: ConfirmPaymentBody,
      response: { 200: SoldTicketsView },
    }),
    async (request) => {
      const sold = await confirmSale(
        { pool: app.pg, locks: app.seatLocks },
        { ticketIds: request.body.ticketIds, paymentId: request.params.payment_id, userId: request.body.userId },
      );
      return { tickets: sold.map(internalTicketView) };
    },
  );
}
