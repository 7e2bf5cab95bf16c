import { isoWithOffset, routeGroup, type App } from '@boxoffice/http';
import { createConcert, createShowtime } from '../domain/catalogue.use-case';
import { cancelShowtime } from '../domain/cancel-showtime.use-case';
import {
  ConcertParams,
  ConcertView,
  CreateConcertBody,
  CreateShowtimeBody,
  ShowtimeCancellationView,
  ShowtimeIdParams,
  ShowtimeView,
} from '../schemas/seating.schemas';
import { showtimeView } from './views';

/** Admin: concerts and showtimes with their seat maps, and cancelling a showtime. */
export async function adminRoutes(app: App): Promise<void> {
  const asAdmin = routeGroup({
    preHandler: app.requireAdmin,
    security: [{ userToken: [] }],
    errors: [401, 403, 404, 409, 422],
  });

  app.post(
    '/admin/concerts',
    asAdmin('Create a concert (admin)', { body: CreateConcertBody, response: { 201: ConcertView } }),
    async (request, reply) => {
      const concert = await createConcert(app.pg, request.body);
      reply.code(201).header('location', `/concerts/${concert.id}`);
      return { id: concert.id, name: concert.name, performer: concert.performer };
    },
  );

  app.post(
    '/admin/concerts/:concert_id/showtimes',
    asAdmin('Create a showtime with its seat map, prices and optional sales opening time (admin)', {
      params: ConcertParams,
      body: CreateShowtimeBody,
      response: { 201: ShowtimeView },
    }),
    async (request, reply) => {
      const showtime = await createShowtime(app.pg, {
        concertId: request.params.concert_id,
        startsAt: request.body.starts_at,
        venue: request.body.venue,
        salesOpenAt: request.body.sales_open_at ?? null,
        seats: request.body.seats.map((seat) => ({ seatNo: seat.seat_no, price: seat.price })),
      });
      reply.code(201).header('location', `/concerts/${showtime.concertId}/${showtime.id}`);
      return showtimeView(showtime);
    },
  );

  app.post(
    '/admin/showtimes/:showtime_id/cancel',
    asAdmin(
      'Cancel a showtime (admin): no longer listed nor holdable, every sold ticket cancelled and refunded, live ' +
        'holds released; calling again finishes an interrupted cancel and otherwise changes nothing',
      { params: ShowtimeIdParams, response: { 200: ShowtimeCancellationView } },
    ),
    async (request) => {
      const cancelled = await cancelShowtime({ pool: app.pg, locks: app.seatLocks }, request.params.showtime_id);
      return { ...cancelled, cancelledAt: isoWithOffset(cancelled.cancelledAt) };
    },
  );
}
