import { badRequest, notFound } from '@boxoffice/errors';

/** A general-admission event (SPEC §5 "events"): counted stock, sold by reservations. Not a Kafka event. */
export interface GaEvent {
  id: string;
  name: string;
  description: string;
  date: Date;
  availability: number;
  stock: number;
  deleted: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Reservation {
  id: string;
  gaEventId: string;
  userId: number;
  noOfTickets: number;
  cancelled: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

// The messages are the original brief's, word for word: clients may match on them.
export const gaEventNotFound = (id: string) => notFound(`Event with event id: ${id} doesn't exist.`);
export const reservationNotFound = (id: string) => notFound(`Reservation with reservation id: ${id} doesn't exist.`);
export const reservationLimitReached = (max: number, eventId: string) =>
  badRequest(
    'RESERVATION_LIMIT_REACHED',
    `You already have ${max} live reservations for this event; change or cancel one instead of adding another.`,
    [
      {
        location: 'body',
        param: 'event_id',
        value: eventId,
        error: 'LimitReached',
        msg: `At most ${max} live reservations per user and event.`,
      },
    ],
  );

export const ticketsNotAvailable = (requested: number) =>
  badRequest('TICKETS_NOT_AVAILABLE', 'Requested number of tickets are not available.', [
    {
      location: 'body',
      param: 'no_of_tickets',
      value: requested,
      error: 'NotAvailable',
      msg: 'Requested number of tickets are not available.',
    },
  ]);
