import { Type } from '@sinclair/typebox';
import { sha256Digest } from '@boxoffice/db';
import { ErrorBody, IdempotencyHeaders, replyIdempotently, type App } from '@boxoffice/http';
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

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const security = [{ userToken: [] }];

/** General-admission events with counted stock, and reservations against them (SPEC §5). */
export async function gaEventsRoutes(app: App, options: { reservationMaxTickets: number }): Promise<void> {
  const cap = options.reservationMaxTickets;
  const store = { pool: app.pg, digest: sha256Digest };

  app.post(
    '/events',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Create an event (admin)',
        security,
        body: CreateGaEventBody,
        response: { 201: GaEventView, ...errors },
      },
    },
    async (request, reply) => {
      const gaEvent = await createGaEvent(app.pg, request.body);
      reply.code(201).header('location', `/events/${gaEvent.id}`);
      return gaEventView(gaEvent);
    },
  );

  app.get(
    '/events',
    {
      preHandler: app.requireUser,
      schema: { summary: 'All events', security, response: { 200: Type.Array(GaEventView), ...errors } },
    },
    async () => (await listGaEvents(app.pg)).map(gaEventView),
  );

  app.get(
    '/events/:id',
    {
      preHandler: app.requireUser,
      schema: { summary: 'One event', security, params: GaEventIdParams, response: { 200: GaEventView, ...errors } },
    },
    async (request) => gaEventView(await getGaEvent(app.pg, request.params.id)),
  );

  app.patch(
    '/events/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Change name, description or date (admin)',
        security,
        params: GaEventIdParams,
        body: UpdateGaEventBody,
        response: { 200: GaEventView, ...errors },
      },
    },
    async (request) => gaEventView(await updateGaEvent(app.pg, request.params.id, request.body)),
  );

  app.delete(
    '/events/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Delete an event and cancel its reservations (admin)',
        security,
        params: GaEventIdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteGaEvent(app.pg, request.params.id);
      reply.code(204).send(null);
    },
  );

  app.post(
    '/reservations',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Reserve tickets of an event',
        security,
        headers: IdempotencyHeaders,
        body: CreateReservationBody,
        response: { 201: ReservationView, ...errors },
      },
    },
    async (request, reply) => {
      const userId = request.user.id;
      const { event_id: gaEventId, no_of_tickets: noOfTickets } = request.body;
      return replyIdempotently(request, reply, {
        store,
        userId,
        run: (transact) => reserveTickets({ userId, gaEventId, noOfTickets, cap }, transact),
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
    {
      preHandler: app.requireUser,
      schema: {
        summary: "The caller's reservations, newest first",
        security,
        response: { 200: Type.Array(ReservationView), ...errors },
      },
    },
    async (request) => (await listUserReservations(app.pg, request.user.id)).map(reservationView),
  );

  app.get(
    '/reservations/:id',
    {
      preHandler: app.requireUser,
      schema: {
        summary: "One of the caller's reservations",
        security,
        params: ReservationIdParams,
        response: { 200: ReservationView, ...errors },
      },
    },
    async (request) => reservationView(await getReservation(app.pg, request.user.id, request.params.id)),
  );

  app.patch(
    '/reservations/:id',
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Change the number of tickets',
        security,
        params: ReservationIdParams,
        body: UpdateReservationBody,
        response: { 200: ReservationView, ...errors },
      },
    },
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
    {
      preHandler: app.requireUser,
      schema: {
        summary: 'Cancel; the tickets return to stock',
        security,
        params: ReservationIdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await cancelReservation(app.pg, request.user.id, request.params.id);
      reply.code(204).send(null);
    },
  );
}
