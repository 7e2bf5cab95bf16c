import { AppError } from '@boxoffice/errors';

export type PaymentStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

export interface Payment {
  id: string;
  userId: number;
  ticketId: string;
  amount: number;
  status: PaymentStatus;
  failureCode: string | null;
  failureMessage: string | null;
  attempts: number;
  revision: number;
  createdAt: Date;
  paidAt: Date | null;
}

/** What the ticket service knows of a ticket (GET /internal/tickets/:id). */
export interface TicketInfo {
  id: string;
  userId: number;
  /** The concert it is a seat of: the payer's waiting-room token must be of that concert's room. */
  concertId?: number;
  price: number;
  status: 'HELD' | 'SOLD' | 'EXPIRED' | 'CANCELLED';
  heldUntil: string;
  paymentId: string | null;
}

/**
 * The answer of the ticket service's idempotent confirm. Only `sold` and `refused` are definite; anything else
 * (timeout, 5xx, refused connection, open breaker, an answer we do not understand) is `unknown`: the payment
 * stays PENDING and is asked again later, never refunded on a guess.
 */
export type ConfirmOutcome =
  { kind: 'sold' } | { kind: 'refused'; code: string; message: string } | { kind: 'unknown'; reason: string };

/** The ticket service as the payment use-cases need it. */
export interface TicketPort {
  /** undefined: no such ticket. Throws 503 when the ticket service cannot be asked. */
  find(ticketId: string): Promise<TicketInfo | undefined>;
  confirm(ticketId: string, paymentId: string, userId: number): Promise<ConfirmOutcome>;
}

/** Exponential backoff between confirm attempts of one PENDING payment. */
export const retryDelayMs = (attempts: number, maxMs: number) => Math.min(maxMs, 200 * 2 ** Math.min(attempts, 12));

export const refusalMessage = (code: string, message: string) =>
  code === 'HOLD_EXPIRED'
    ? 'The hold expired before the payment completed; nothing was charged (the points were refunded).'
    : `${message} Nothing was charged (the points were refunded).`;

export const holdExpired = () =>
  new AppError(409, 'HOLD_EXPIRED', 'The hold on this ticket has expired; nothing was charged.', [
    { location: 'body', param: 'ticket_id', error: 'Conflict', msg: 'The hold expired.' },
  ]);
