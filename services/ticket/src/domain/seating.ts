import { AppError, notFound } from '@boxoffice/errors';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
export type TicketStatus = 'HELD' | 'SOLD' | 'EXPIRED' | 'CANCELLED';

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
