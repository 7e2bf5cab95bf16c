import type { Pool, Queryable, Transact } from '@boxoffice/db';
import { withTransaction } from '@boxoffice/db';
import { AppError, validationFailed } from '@boxoffice/errors';
import {
  cancelReservationRow,
  findGaEvent,
  findReservation,
  insertReservation,
  listReservations,
  liveReservationsOfUserLocked,
  returnToStock,
  setReservationTickets,
  takeFromStock,
} from '../db/ga-events.repo';
import {
  gaEventNotFound,
  reservationLimitReached,
  reservationNotFound,
  ticketsNotAvailable,
  type Reservation,
} from './ga-events';

function checkCap(noOfTickets: number, cap: number): void {
  if (noOfTickets > cap) {
    throw validationFailed(`no_of_tickets: Must be <= ${cap}.`, [
      { location: 'body', param: 'no_of_tickets', value: noOfTickets, error: 'RangeError', msg: `Must be <= ${cap}.` },
    ]);
  }
}

/** Takes tickets from stock, telling "no such GA event" (404) from "not enough left" (400). */
async function take(tx: Queryable, gaEventId: string, count: number): Promise<void> {
  if (await takeFromStock(tx, gaEventId, count)) return;
  if (!(await findGaEvent(tx, gaEventId))) throw gaEventNotFound(gaEventId);
  throw ticketsNotAvailable(count);
}

/**
 * A reservation and the stock it takes commit together, in `transact`. The stock check is the conditional UPDATE
 * itself, so under any concurrency availability + live reserved tickets stays equal to the stock the GA event started
 * with. One user holds at most `maxPerUser` live reservations of one GA event (a bot cannot split the stock into many).
 */
export function reserveTickets(
  input: { userId: number; gaEventId: string; noOfTickets: number; cap: number; maxPerUser: number },
  transact: Transact,
): Promise<Reservation> {
  checkCap(input.noOfTickets, input.cap);
  return transact(async (tx) => {
    if ((await liveReservationsOfUserLocked(tx, input.userId, input.gaEventId)) >= input.maxPerUser)
      throw reservationLimitReached(input.maxPerUser, input.gaEventId);
    await take(tx, input.gaEventId, input.noOfTickets);
    return insertReservation(tx, input);
  });
}

export async function getReservation(pool: Pool, userId: number, id: string): Promise<Reservation> {
  // Someone else's reservation is reported as missing: its existence is not the caller's business.
  const reservation = await findReservation(pool, id, userId);
  if (!reservation) throw reservationNotFound(id);
  return reservation;
}

export const listUserReservations = (pool: Pool, userId: number) => listReservations(pool, userId);

/** Moves the difference between the old and the new count, in either direction, with the reservation locked. */
export function changeReservation(
  pool: Pool,
  input: { userId: number; id: string; noOfTickets: number; cap: number },
): Promise<Reservation> {
  checkCap(input.noOfTickets, input.cap);
  return withTransaction(pool, async (tx) => {
    const current = await findReservation(tx, input.id, input.userId, { forUpdate: true });
    if (!current) throw reservationNotFound(input.id);
    if (current.cancelled)
      throw new AppError(409, 'RESERVATION_CANCELLED', 'This reservation is cancelled; make a new one.');
    const delta = input.noOfTickets - current.noOfTickets;
    if (delta === 0) return current;
    if (delta > 0) await take(tx, current.gaEventId, delta);
    else await returnToStock(tx, current.gaEventId, -delta);
    return setReservationTickets(tx, current.id, input.noOfTickets);
  });
}

/** Cancelling twice is harmless: the second time changes nothing and still answers 204. */
export function cancelReservation(pool: Pool, userId: number, id: string): Promise<void> {
  return withTransaction(pool, async (tx) => {
    const current = await findReservation(tx, id, userId, { forUpdate: true });
    if (!current) throw reservationNotFound(id);
    if (current.cancelled) return;
    await cancelReservationRow(tx, id);
    await returnToStock(tx, current.gaEventId, current.noOfTickets);
  });
}
