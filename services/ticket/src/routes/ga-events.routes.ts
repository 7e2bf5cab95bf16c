import { Type } from '@sinclair/typebox';
import { sha256Digest } from '@boxoffice/db';
import { IdempotencyHeaders, replyIdempotently, routeGroup, type App } from '@boxoffice/http';
import { createGaEvent, deleteGaEvent, getGaEvent, listGaEvents, updateGaEvent } from '../domain/ga-events.use-case';
import {
  cancelReservation,
  changeReservation,
  getReservation,
  listUserReservations,
  reserveTickets,
} from '../domain/reservations.use-case';
import {
  CreateGaEventBody,
  CreateReservationBody,
  GaEventIdParams,
  GaEventView,
  ReservationIdParams,
  ReservationView,
  UpdateGaEventBody,
  UpdateReservationBody,
} from '../schemas/ga-events.schemas';
import { gaEventView, reservationView } from './views';

const errors = [400, 401, 403, 404, 409, 422] as const;
const security = [{ userToken: [] }];

/** General-admission events with counted stock, and reservations against them (SPEC §5). */
export async function gaEventsRoutes(
  app: App,
  options: { reservationMaxTickets: number; maxReservationsPerUser: number },
): Promise<void> {
  const asAdmin = routeGroup({ preHandler: app.requireAdmin, security, errors });
  const asUser = routeGroup({ preHandler: app.requireUser, security, errors });

  const cap = options.reservationMaxTickets;
  const store = { pool: app.pg, digest: sha256Digest };

  app.post(
    '/events',
    asAdmin('Create an event (admin)', { body: CreateGaEventBody, response: { 201: GaEventView } }),
    async (request, reply) => {
      const gaEvent = await createGaEvent(app.pg, request.body);
      reply.code(201).header('location', `/events/${gaEvent.id}`);
      return gaEventView(gaEvent);
    },
  );

  app.get('/events', asUser('All events', { response: { 200: Type.Array(GaEventView) } }), async () =>
    (await listGaEvents(app.pg)).map(gaEventView),
  );

  app.get(
    '/events/:id',
    asUser('One event', { params: GaEventIdParams, response: { 200: GaEventView } }),
    async (request) => gaEventView(await getGaEvent(app.pg, request.params.id)),
  );

  app.patch(
    '/events/:id',
    asAdmin('Change name, description or date (admin)', {
      params: GaEventIdParams,
      body: UpdateGaEventBody,
      response: { 200: GaEventView },
    }),
    async (request) => gaEventView(await updateGaEvent(app.pg, request.params.id, request.body)),
  );

  app.delete(
    '/events/:id',
    asAdmin('Delete an event and cancel its reservations (admin)', {
      params: GaEventIdParams,
      response: { 204: Type.Null() },
    }),
    async (request, reply) => {
      await deleteGaEvent(app.pg, request.params.id);
      reply.code(204).send(null);
    },
  );

  app.post(
    '/reservations',
    asUser('Reserve tickets of an event', {
      headers: IdempotencyHeaders,
      body: CreateReservationBody,
      response: { 201: ReservationView },
    }),
    async (request, reply) => {
      const userId = request.user.id;
      const { event_id: gaEventId, no_of_tickets: noOfTickets } = request.body;
      return replyIdempotently(request, reply, {
        store,
        userId,
        run: (transact) =>
          reserveTickets({ userId, gaEventId, noOfTickets, cap, maxPerUser: options.maxReservationsPerUser }, transact),
        answer: (reservation) => ({
          status: 201,
          body: reservationView(reservation),
          location: `/reservations/${reservation.id}`,
        }),
      });
    },
  );

  app.get(
    '/reservations',
    asUser("The caller's reservations, newest first", { response: { 200: Type.Array(ReservationView) } }),
    async (request) => (await listUserReservations(app.pg, request.user.id)).map(reservationView),
  );

  app.get(
    '/reservations/:id',
    asUser("One of the caller's reservations", { params: ReservationIdParams, response: { 200: ReservationView } }),
    async (request) => reservationView(await getReservation(app.pg, request.user.id, request.params.id)),
  );

  app.patch(
    '/reservations/:id',
    asUser('Change the number of tickets', {
      params: ReservationIdParams,
      body: UpdateReservationBody,
      response: { 200: ReservationView },
    }),
    async (request) =>
      reservationView(
        await changeReservation(app.pg, {
          userId: request.user.id,
          id: request.params.id,
          noOfTickets: request.body.no_of_tickets,
          cap,
        }),
      ),
  );

  app.delete(
    '/reservations/:id',
    asUser('Cancel; the tickets return to stock', { params: ReservationIdParams, response: { 204: Type.Null() } }),
    async (request, reply) => {
      await cancelReservation(app.pg, request.user.id, request.params.id);
      reply.code(204).send(null);
    },
  );
}
