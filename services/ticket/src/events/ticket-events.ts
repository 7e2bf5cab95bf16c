import {
  ConcertChanged,
  GaEventChanged,
  ReservationChanged,
  SeatChanged,
  ShowtimeChanged,
  TicketChanged,
  TicketSaleRefused,
} from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import type { Concert, Seat, Showtime, Ticket } from '../domain/seating';
import type { GaEvent, Reservation } from '../domain/ga-events';

// Each helper publishes an aggregate's new state; call it in the transaction that made the change.

export const publishConcertChanged = (db: Queryable, concert: Concert) =>
  appendEvent(db, 'ticket', ConcertChanged, {
    aggregateId: concert.id,
    aggregateVersion: concert.revision,
    payload: { id: concert.id, name: concert.name, performer: concert.performer, deleted: false },
  });

export const publishShowtimeChanged = (db: Queryable, showtime: Showtime, seatCount: number) =>
  appendEvent(db, 'ticket', ShowtimeChanged, {
    aggregateId: showtime.id,
    aggregateVersion: showtime.revision,
    payload: {
      id: showtime.id,
      concertId: showtime.concertId,
      startsAt: showtime.startsAt.toISOString(),
      venue: showtime.venue,
      seatCount,
      deleted: false,
    },
  });

export const publishSeatChanged = (db: Queryable, seat: Seat) =>
  appendEvent(db, 'ticket', SeatChanged, {
    aggregateId: seat.id,
    aggregateVersion: seat.revision,
    payload: {
      id: seat.id,
      showtimeId: seat.showtimeId,
      seatNo: seat.seatNo,
      price: seat.price,
      status: seat.status,
      ticketId: seat.ticketId,
    },
  });

export const publishTicketChanged = (db: Queryable, ticket: Ticket) =>
  appendEvent(db, 'ticket', TicketChanged, {
    aggregateId: ticket.id,
    aggregateVersion: ticket.revision,
    payload: {
      id: ticket.id,
      userId: ticket.userId,
      showtimeId: ticket.showtimeId,
      seatId: ticket.seatId,
      seatNo: ticket.seatNo,
      price: ticket.price,
      status: ticket.status,
      heldUntil: ticket.heldUntil.toISOString(),
      paymentId: ticket.paymentId,
    },
  });

export const publishTicketSaleRefused = (
  db: Queryable,
  refusal: { ticketId: string; paymentId: string; userId: number; reason: string },
) =>
  appendEvent(db, 'ticket', TicketSaleRefused, {
    aggregateId: refusal.ticketId,
    aggregateVersion: 0,
    payload: refusal,
  });

export const publishGaEventChanged = (db: Queryable, event: GaEvent) =>
  appendEvent(db, 'ticket', GaEventChanged, {
    aggregateId: event.id,
    aggregateVersion: event.revision,
    payload: {
      id: event.id,
      name: event.name,
      description: event.description,
      date: event.date.toISOString(),
      availability: event.availability,
      deleted: event.deleted,
    },
  });

export const publishReservationChanged = (db: Queryable, reservation: Reservation) =>
  appendEvent(db, 'ticket', ReservationChanged, {
    aggregateId: reservation.id,
    aggregateVersion: reservation.revision,
    payload: {
      id: reservation.id,
      eventId: reservation.eventId,
      userId: reservation.userId,
      noOfTickets: reservation.noOfTickets,
      cancelled: reservation.cancelled,
    },
  });
