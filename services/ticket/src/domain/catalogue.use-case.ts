import type { Pool } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { validationFailed } from '@boxoffice/errors';
import {
  findConcert,
  findShowtime,
  insertConcert,
  insertSeats,
  insertShowtime,
  listConcerts,
  listSeats,
  listShowtimesWithAvailability,
  listUserTickets,
} from '../db/seating.repo';
import { concertNotFound, showtimeNotFound, type Concert, type Seat, type Showtime, type Ticket } from './seating';

export const createConcert = (pool: Pool, input: { name: string; performer: string }): Promise<Concert> =>
  insertConcert(pool, input);

/** A showtime and its whole seat map commit together. */
export function createShowtime(
  pool: Pool,
  input: {
    concertId: number;
    startsAt: string;
    venue: string;
    salesOpenAt: string | null;
    seats: { seatNo: string; price: number }[];
  },
): Promise<Showtime & { availableSeats: number }> {
  const seen = new Set<string>();
  const duplicates = input.seats.filter((seat) => seen.size === seen.add(seat.seatNo).size).map((seat) => seat.seatNo);
  if (duplicates.length > 0) {
    throw validationFailed('Seat numbers must be unique within a showtime.', [
      {
        location: 'body',
        param: 'seats',
        value: duplicates.slice(0, 20),
        error: 'Duplicate',
        msg: 'Duplicate seat numbers.',
      },
    ]);
  }
  return withTransaction(pool, async (tx) => {
    if (!(await findConcert(tx, input.concertId))) throw concertNotFound(input.concertId);
    const showtime = await insertShowtime(tx, input);
    const seats = await insertSeats(tx, showtime.id, input.seats);
    return { ...showtime, availableSeats: seats.length };
  });
}

export const browseConcerts = (pool: Pool) => listConcerts(pool);

export async function browseShowtimes(
  pool: Pool,
  concertId: number,
): Promise<(Showtime & { availableSeats: number })[]> {
  if (!(await findConcert(pool, concertId))) throw concertNotFound(concertId);
  return listShowtimesWithAvailability(pool, concertId);
}

export async function browseSeats(pool: Pool, concertId: number, showtimeId: number): Promise<Seat[]> {
  const showtime = await findShowtime(pool, showtimeId);
  if (!showtime || showtime.concertId !== concertId) throw showtimeNotFound(showtimeId);
  return listSeats(pool, showtimeId);
}

export const ticketsOf = (pool: Pool, userId: number): Promise<Ticket[]> => listUserTickets(pool, userId);

/**
 * Showtimes, remembered: a showtime never moves to another concert and its times are set at creation only, and the
 * hold path asks on every request (the waiting room wants the concert, the time rules the times). undefined: no
 * such showtime (the hold answers 404 itself).
 */
export function knownShowtimes(pool: Pool): (showtimeId: number) => Promise<Showtime | undefined> {
  const known = new Map<number, Showtime>();
  return async (showtimeId) => {
    const remembered = known.get(showtimeId);
    if (remembered !== undefined) return remembered;
    const showtime = await findShowtime(pool, showtimeId);
    if (!showtime) return undefined;
    if (known.size >= 100_000) known.clear();
    known.set(showtimeId, showtime);
    return showtime;
  };
}
