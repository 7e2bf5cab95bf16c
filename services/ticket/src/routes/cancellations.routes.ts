import { sha256Digest } from '@boxoffice/db';
import { IdempotencyHeaders, replyIdempotently, routeGroup, type App } from '@boxoffice/http';
import { cancelTicket } from '../domain/cancel-ticket.use-case';
import { TicketParams, TicketView } from '../schemas/seating.schemas';
import { ticketView } from './views';

/**
 * A buyer cancels a sold ticket (docs/ticket-holds.md "Cancelling a sold ticket"). USER-TOKEN only: a buyer's
 * waiting-room token has usually ended once they paid.
 */
export async function cancellationsRoutes(app: App, options: { cutoffHours: number }): Promise<void> {
  const asBuyer = routeGroup({
    preHandler: app.requireUser,
    security: [{ userToken: [] }],
    errors: [401, 404, 409, 422, 503],
  });
  const deps = { locks: app.seatLocks, cutoffHours: options.cutoffHours };
  const store = { pool: app.pg, digest: sha256Digest };

  app.post(
    '/tickets/:ticket_id/cancel',
    asBuyer(
      'Cancel a sold ticket until TICKET_CANCEL_CUTOFF_HOURS before the show: the seat is back on sale and the ' +
        'price is refunded to the wallet; a cancelled ticket again answers it unchanged',
      { headers: IdempotencyHeaders, params: TicketParams, response: { 200: TicketView } },
    ),
    async (request, reply) => {
      const userId = request.user.id;
      return replyIdempotently(request, reply, {
        store,
        userId,
        run: (transact) => cancelTicket(deps, { userId, ticketId: request.params.ticket_id }, transact),
        answer: (ticket) => ({ status: 200, body: ticketView(ticket) }),
      });
    },
  );
}
