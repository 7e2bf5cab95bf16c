import { AppError, conflict, notFound } from '@boxoffice/errors';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
/** HELD → SOLD (paid in time), EXPIRED (its deadline passed) or RELEASED (its holder gave it back); SOLD →
 * CANCELLED (its buyer or an admin cancelled it; refunded). */
export type TicketStatus = 'HELD' | 'SOLD' | 'EXPIRED' | 'RELEASED' | 'CANCELLED';

export interface Concert {
  id: number;
  name: string;
  performer: string;
  revision: number;
}

export interface Showtime {
  id: number;
  concertId: number;
  startsAt: Date;
  venue: string;
  /** Holds are refused before it (the admin sets it); null: on sale from creation. */
  salesOpenAt: Date | null;
  revision: number;
  /** Set when an admin cancelled the showtime: no longer listed nor holdable. */
  cancelledAt?: Date | null;
}

export interface Seat {
  id: number;
  showtimeId: number;
  seatNo: string;
  price: number;
  status: SeatStatus;
  ticketId: string | null;
  revision: number;
}

export interface Ticket {
  id: string;
  userId: number;
  showtimeId: number;
  seatId: number;
  seatNo: string;
  price: number;
  status: TicketStatus;
  heldUntil: Date;
  reservedAt: Date;
  paymentId: string | null;
  revision: number;
  concertName: string;
  concertId: number;
  venue: string;
}

/**
 * The fast path in front of PostgreSQL: one atomic lock per seat. It only ever refuses early; a lock is never a
 * hold by itself (the committed PostgreSQL row is), and losing every lock (a Redis restart) loses no hold.
 */
export interface SeatLocks {
  /** 'won': this caller may try PostgreSQL; 'taken': someone holds or is taking the seat; 'unavailable': no Redis. */
  tryLock(showtimeId: number, seatId: number, owner: string, leaseMs: number): Promise<'won' | 'taken' | 'unavailable'>;
  /** After the commit: the lock lives until the hold's deadline (only if still ours). */
  extendTo(showtimeId: number, seatId: number, owner: string, until: Date): Promise<void>;
  /** Makes the lock mirror PostgreSQL's occupant: `owner` replaced by `occupant` until `until`. */
  mirror(showtimeId: number, seatId: number, owner: string, occupant: string, until: Date): Promise<void>;
  /** Drops the lock if `owner` (a ticket id or a pending attempt) still has it. */
  release(showtimeId: number, seatId: number, owner: string): Promise<void>;
}

export const seatTaken = (seatId: number) =>
  new AppError(409, 'SEAT_NOT_AVAILABLE', 'This seat is already held or sold.', [
    { location: 'body', param: 'seat_id', value: seatId, error: 'Conflict', msg: 'Held by someone else or sold.' },
  ]);

export const seatNotFound = (showtimeId: number, seatId: number) =>
  notFound(`Seat with seat id: ${seatId} doesn't exist in showtime ${showtimeId}.`);
export const concertNotFound = (id: number) => notFound(`Concert with concert id: ${id} doesn't exist.`);
export const showtimeNotFound = (id: number) => notFound(`Showtime with showtime id: ${id} doesn't exist.`);
export const showtimeCancelled = (showtimeId: number) =>
  new AppError(409, 'SHOWTIME_CANCELLED', 'This showtime was cancelled; its seats cannot be held.', [
    { location: 'body', param: 'showtime_id', value: showtimeId, error: 'Conflict', msg: 'Cancelled showtime.' },
  ]);

export const ticketNotFound = (id: string) => notFound(`Ticket with ticket id: ${id} doesn't exist.`);

// A showtime's timestamps in answers: ISO-8601 with an offset (SPEC §0), as the views write them.
const iso = (date: Date) => date.toISOString().replace(/Z$/, '+00:00');

/**
 * A showtime takes holds from its sales opening until it starts. Paying a hold made in time is not re-checked
 * here: the hold's own deadline (SEAT_HOLD_TTL) bounds it.
 */
export function assertBookable(showtime: Pick<Showtime, 'id' | 'startsAt' | 'salesOpenAt'>, now: Date): void {
  if (showtime.startsAt.getTime() <= now.getTime()) {
    throw conflict('SHOWTIME_STARTED', `This showtime started at ${iso(showtime.startsAt)}; it is no longer on sale.`, [
      {
        location: 'body',
        param: 'showtime_id',
        value: showtime.id,
        error: 'Conflict',
        msg: 'The showtime has started.',
      },
    ]);
  }
  if (showtime.salesOpenAt && showtime.salesOpenAt.getTime() > now.getTime()) {
    throw conflict('SALES_NOT_OPEN', `Sales open at ${iso(showtime.salesOpenAt)}.`, [
      {
        location: 'body',
        param: 'showtime_id',
        value: showtime.id,
        error: 'Conflict',
        msg: 'Sales have not opened yet.',
        salesOpenAt: iso(showtime.salesOpenAt),
      },
    ]);
  }
}

export const priceMismatch = (given: number, actual: number) =>
  conflict('PRICE_MISMATCH', `The seat's price is ${actual}, not ${given}.`, [
    { location: 'body', param: 'price', value: given, error: 'Conflict', msg: `The price is ${actual}.`, actual },
  ]);

export const ticketSoldNotReleasable = (id: string) =>
  conflict(
    'TICKET_SOLD',
    `Ticket ${id} is sold, so there is no hold to release; cancel it with POST /tickets/${id}/cancel.`,
    [{ location: 'path', param: 'ticket_id', value: id, error: 'Conflict', msg: 'The ticket is sold.' }],
  );

/** A ticket that exists but holds nothing any more (EXPIRED or RELEASED): as missing as a hold can be. */
export const holdNotFound = (id: string, status: TicketStatus) =>
  notFound(`Hold with ticket id: ${id} doesn't exist (the ticket is ${status}).`);
