import { call } from './http';

/** The ticket service (SPEC §5): concerts, seats and holds; the admin routes that build them. */
export interface Concert {
  id: number;
  name: string;
  performer: string;
}

export interface Showtime {
  id: number;
  concertId: number;
  startsAt: string;
  venue: string;
  /** Holds are refused before it; null: on sale. */
  salesOpenAt: string | null;
  availableSeats: number;
}

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';

export interface Seat {
  id: number;
  seatNo: string;
  price: number;
  status: SeatStatus;
}

export interface Ticket {
  id: string;
  concertName: string;
  seatNo: string;
  price: number;
  status: 'HELD' | 'SOLD' | 'EXPIRED' | 'RELEASED' | 'CANCELLED';
  heldUntil: string;
  reservedAt: string;
  venue: string;
  showtimeId: number;
  seatId: number;
}

export interface NewShowtime {
  starts_at: string;
  venue: string;
  seats: { seat_no: string; price: number }[];
}

export const ticketApi = {
  concerts: () => call<Concert[]>('GET', '/concerts', { credential: 'queue' }),
  showtimes: (concertId: number) => call<Showtime[]>('GET', `/concerts/${concertId}`, { credential: 'queue' }),
  seats: (concertId: number, showtimeId: number) =>
    call<Seat[]>('GET', `/concerts/${concertId}/${showtimeId}`, { credential: 'queue' }),
  hold: (showtimeId: number, seatId: number, idempotencyKey: string) =>
    call<Ticket>('POST', '/tickets', {
      credential: 'queue',
      body: { showtime_id: showtimeId, seat_id: seatId },
      idempotencyKey,
    }),
  myTickets: () => call<Ticket[]>('GET', '/tickets'),
  /** Gives a hold back at once (204): the seat is AVAILABLE again. */
  release: (ticketId: string) => call<undefined>('DELETE', `/tickets/${encodeURIComponent(ticketId)}`),
  /** Cancels a sold ticket; the payment service refunds its price (a saga step, so a moment later). */
  cancel: (ticketId: string, idempotencyKey: string) =>
    call<Ticket>('POST', `/tickets/${encodeURIComponent(ticketId)}/cancel`, { idempotencyKey }),
  createConcert: (name: string, performer: string) =>
    call<Concert>('POST', '/admin/concerts', { body: { name, performer } }),
  createShowtime: (concertId: number, showtime: NewShowtime) =>
    call<Showtime>('POST', `/admin/concerts/${concertId}/showtimes`, { body: showtime }),
};
