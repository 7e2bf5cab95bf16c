import { ErrorBody, isoWithOffset, type App } from '@boxoffice/http';
import { createConcert, createShowtime } from '../domain/catalogue.use-case';
import {
  ConcertParams,
  ConcertView,
  CreateConcertBody,
  CreateShowtimeBody,
  ShowtimeView,
} from '../schemas/seating.schemas';

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
const security = [{ userToken: [] }];

/** Admin: concerts and showtimes with their seat maps. */
export async function adminRoutes(app: App): Promise<void> {
  app.post(
    '/admin/concerts',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Create a concert (admin)',
        security,
        body: CreateConcertBody,
        response: { 201: ConcertView, ...errors },
      },
    },
    async (request, reply) => {
      const concert = await createConcert(app.pg, request.body);
      reply.code(201).header('location', `/concerts/${concert.id}`);
      return { id: concert.id, name: concert.name, performer: concert.performer };
    },
  );

  app.post(
    '/admin/concerts/:concert_id/showtimes',
    {
      preHandler: app.requireAdmin,
      schema: {
        summary: 'Create a showtime with its seat map and prices (admin)',
        security,
        params: ConcertParams,
        body: CreateShowtimeBody,
        response: { 201: ShowtimeView, ...errors },
      },
    },
    async (request, reply) => {
      const showtime = await createShowtime(app.pg, {
        concertId: request.params.concert_id,
        startsAt: request.body.starts_at,
        venue: request.body.venue,
        seats: request.body.seats.map((seat) => ({ seatNo: seat.seat_no, price: seat.price })),
      });
      reply.code(201).header('location', `/concerts/${showtime.concertId}/${showtime.id}`);
      return {
        id: showtime.id,
        concertId: showtime.concertId,
        startsAt: isoWithOffset(showtime.startsAt),
        venue: showtime.venue,
        availableSeats: showtime.availableSeats,
      };
    },
  );
}
