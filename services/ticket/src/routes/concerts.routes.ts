import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Digest } from '@boxoffice/db';
import { IdempotencyHeaders, replyIdempotently, routeGroup, type App } from '@boxoffice/http';
import { browseConcerts, browseSeats, browseShowtimes, knownShowtimes, ticketsOf } from '../domain/catalogue.use-case';
import { ticketOf } from '../domain/tickets.use-case';
import { holdSeat } from '../domain/hold-seat.use-case';
import { releaseHold } from '../domain/release-hold.use-case';
import {
  ConcertParams,
  ConcertView,
  HoldBody,
  SeatView,
  ShowtimeParams,
  ShowtimeView,
  TicketParams,
  TicketView,
} from '../schemas/seating.schemas';
import { showtimeView, ticketView } from './views';

const errors = [400, 401, 403, 404, 409, 422, 503] as const;
const security = [{ queueToken: [] }];

/**
 * Concert browsing and seat holds: an ACTIVE waiting-room token is the ticket in (SPEC §5), and for a concert's
 * own routes a token of the room that guards that concert (docs/waiting-room.md).
 */
export async function concertsRoutes(
  app: App,
  options: { ttlSeconds: number; leaseMs: number; maxHoldsPerUser: number },
): Promise<void> {
  const asActiveHolder = routeGroup({ preHandler: app.requireActiveQueueToken, security, errors });
  // a concert's own routes: the token must also be of the waiting room that guards that concert
  const showtimeOf = knownShowtimes(app.pg);
  const asConcertHolder = routeGroup({
    preHandler: app.requireActiveQueueTokenFor((request) => (request.params as { concert_id: number }).concert_id),
    security,
    errors,
  });
  const asSeatHolder = routeGroup({
    preHandler: app.requireActiveQueueTokenFor((request) =>
      showtimeOf((request.body as { showtime_id: number }).showtime_id).then((showtime) => showtime?.concertId),
    ),
    security,
    errors,
  });

  const holdDeps = {
    pool: app.pg,
    locks: app.seatLocks,
    ttlSeconds: options.ttlSeconds,
    leaseMs: options.leaseMs,
    maxHoldsPerUser: options.maxHoldsPerUser,
    showtimeOf,
  };
  const store = { pool: app.pg, digest: sha256Digest };

  app.get('/concerts', asActiveHolder('All concerts', { response: { 200: Type.Array(ConcertView) } }), async () =>
    (await browseConcerts(app.pg)).map(({ id, name, performer }) => ({ id, name, performer })),
  );

  app.get(
    '/concerts/:concert_id',
    asConcertHolder("A concert's bookable showtimes (not started yet) with their free seats", {
      params: ConcertParams,
      response: { 200: Type.Array(ShowtimeView) },
    }),
    async (request) => (await browseShowtimes(app.pg, request.params.concert_id)).map(showtimeView),
  );

  app.get(
    '/concerts/:concert_id/:showtime_id',
    asConcertHolder("A showtime's seats", { params: ShowtimeParams, response: { 200: Type.Array(SeatView) } }),
    async (request) =>
      (await browseSeats(app.pg, request.params.concert_id, request.params.showtime_id)).map(
        ({ id, seatNo, price, status }) => ({ id, seatNo, price, status }),
      ),
  );

  app.post(
    '/tickets',
    asSeatHolder(
      'Hold a seat for the token holder until SEAT_HOLD_TTL; pay within it or it is released. Refused (409) once the showtime has started or before its sales open',
      {
        headers: IdempotencyHeaders,
        body: HoldBody,
        response: { 201: TicketView },
      },
    ),
    async (request, reply) => {
      const userId = request.queueToken.userId;
      const { showtime_id: showtimeId, seat_id: seatId, user_id: bodyUserId, price } = request.body;
      return replyIdempotently(request, reply, {
        store,
        userId,
        run: (transact) => holdSeat(holdDeps, { userId, showtimeId, seatId, bodyUserId, price }, transact),
        answer: (ticket) => ({ status: 201, body: ticketView(ticket), location: `/tickets/${ticket.id}` }),
      });
    },
  );

  // A paid user's queue token has left ACTIVE, and a user may come with USER-TOKEN alone: either identifies them.
  const identifyTicketOwner = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers['user-token'] !== undefined) {
      await app.requireUser(request, reply);
      return;
    }
    await app.identifyQueueTokenHolder(request);
  };

  const asTicketOwner = routeGroup({
    preHandler: identifyTicketOwner,
    security: [{ userToken: [] }, { queueToken: [] }],
    errors,
  });

  app.get(
    '/tickets',
    asTicketOwner("The caller's tickets, newest first", { response: { 200: Type.Array(TicketView) } }),
    async (request) => {
      const userId = request.user?.id ?? request.queueToken.userId;
      return (await ticketsOf(app.pg, userId)).map(ticketView);
    },
  );

  app.get(
    '/tickets/:ticket_id',
    asTicketOwner("One of the caller's tickets", { params: TicketParams, response: { 200: TicketView } }),
    async (request) => {
      const userId = request.user?.id ?? request.queueToken.userId;
      return ticketView(await ticketOf(app.pg, userId, request.params.ticket_id));
    },
  );

  app.delete(
    '/tickets/:ticket_id',
    asTicketOwner(
      "Release a hold of the caller at once (204): the seat is AVAILABLE again. A sold ticket is 409 (cancel it instead); a ticket that holds nothing any more, or is not the caller's, is 404",
      { params: TicketParams, response: { 204: Type.Null() } },
    ),
    async (request, reply) => {
      const userId = request.user?.id ?? request.queueToken.userId;
      await releaseHold({ pool: app.pg, locks: app.seatLocks }, { userId, ticketId: request.params.ticket_id });
      reply.code(204).send(null);
    },
  );
}
