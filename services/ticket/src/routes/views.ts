import { isoWithOffset } from '@boxoffice/http';
import type { GaEvent, Reservation } from '../domain/ga-events';
import type { Showtime, Ticket } from '../domain/seating';

export const gaEventView = (gaEvent: GaEvent) => ({
  id: gaEvent.id,
  name: gaEvent.name,
  description: gaEvent.description,
  date: isoWithOffset(gaEvent.date).replace('.000+', '+'), // whole seconds as given: 2047-10-21T09:00:00+00:00
  availability: gaEvent.availability,
  created_at: isoWithOffset(gaEvent.createdAt),
  updated_at: isoWithOffset(gaEvent.updatedAt),
});

export const reservationView = (reservation: Reservation) => ({
  id: reservation.id,
  event_id: reservation.gaEventId,
  no_of_tickets: reservation.noOfTickets,
  cancelled: reservation.cancelled,
  created_at: isoWithOffset(reservation.createdAt),
  updated_at: isoWithOffset(reservation.updatedAt),
});

export const ticketView = (ticket: Ticket) => ({
  id: ticket.id,
  concertName: ticket.concertName,
  seatNo: ticket.seatNo,
  price: ticket.price,
  status: ticket.status,
  heldUntil: isoWithOffset(ticket.heldUntil),
  reservedAt: isoWithOffset(ticket.reservedAt),
  venue: ticket.venue,
  showtimeId: ticket.showtimeId,
  seatId: ticket.seatId,
});

export const internalTicketView = (ticket: Ticket) => ({
  id: ticket.id,
  userId: ticket.userId,
  showtimeId: ticket.showtimeId,
  concertId: ticket.concertId,
  seatId: ticket.seatId,
  seatNo: ticket.seatNo,
  price: ticket.price,
  status: ticket.status,
  heldUntil: isoWithOffset(ticket.heldUntil),
  paymentId: ticket.paymentId,
});

export const showtimeView = (showtime: Showtime & { availableSeats: number }) => ({
  id: showtime.id,
  concertId: showtime.concertId,
  startsAt: isoWithOffset(showtime.startsAt),
  venue: showtime.venue,
  salesOpenAt: showtime.salesOpenAt && isoWithOffset(showtime.salesOpenAt),
  availableSeats: showtime.availableSeats,
});
