import { randomUUID } from 'node:crypto';
import {
  hashRequestBody,
  hmacSha256Digest,
  refuseOtherBody,
  withTransaction,
  type IdempotencyRequest,
  type Pool,
} from '@boxoffice/db';
import { AppError, conflict, notFound } from '@boxoffice/errors';
import { claimKeyForPayment, findPaymentKey, type PaymentKey } from '../db/idempotency.repo';
import { balanceOf, debit } from '../db/ledger.repo';
import { findLivePaymentOfTicket, findPayment, insertPending } from '../db/payments.repo';
import { holdExpired, type Payment, type TicketPort } from './payment';
import { notEnoughPoints } from './points.use-case';
import { settlePayment } from './settle-payment.use-case';

export interface PayTicketDeps {
  pool: Pool;
  tickets: TicketPort;
  idempotencySecret: string;
  /** The request's lease on its new PENDING payment: longer than one confirm call, so the reconciler waits for it. */
  leaseMs: number;
  maxBackoffMs: number;
}

class KeyTaken extends Error {}

/** A payment another request (same Idempotency-Key) started: wait a moment for its outcome, then give it as it is. */
async function paymentOfTwin(pool: Pool, paymentId: string, waitMs: number): Promise<Payment> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const payment = await findPayment(pool, paymentId);
    if (!payment)
      throw new AppError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry.');
    if (payment.status !== 'PENDING' || Date.now() >= deadline) return payment;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The Idempotency-Key of a payment request, with what was stored for it when the request came in (read once). */
export interface PaymentIdempotency {
  request: IdempotencyRequest;
  stored: PaymentKey | undefined;
}

/**
 * Pays a held ticket with points (SPEC §6).
 *
 * 1. Ask the ticket service for the ticket: its price is the amount (never the client's number); a ticket that
 *    is not the payer's, of a concert whose waiting room the payer's token is not of, already sold or past its
 *    hold is refused before anything is charged.
 * 2. One transaction: a PENDING payment (at most one live payment per ticket) + the USE ledger row. Not enough
 *    points → 400 and nothing kept.
 * 3. The ticket service's idempotent confirm (keyed by the payment id). Sold → COMPLETED; refused → FAILED and
 *    refunded; unknown → still PENDING, and the reconciler asks again until it knows.
 * So a seat is SOLD only to a payment that holds the points, and points stay taken only for a SOLD seat.
 * Returns the payment as it now is.
 *
 * With an Idempotency-Key the key is bound to the payment in step 2; a retry (or a concurrent twin) gets that
 * payment in its current state, so it never pays twice and learns the final outcome once there is one.
 */
const alreadyPaid = (ticketId: string, paymentId: string) =>
  conflict('ALREADY_PAID', 'This ticket is already paid.', [
    { location: 'body', param: 'ticket_id', value: ticketId, error: 'Conflict', msg: `Paid by payment ${paymentId}.` },
  ]);

export async function payTicket(
  deps: PayTicketDeps,
  input: {
    userId: number;
    ticketId: string;
    /** Refuses (throws) a payer whose waiting-room token is not of the room that guards this concert. */
    admitsConcert?: (concertId: number) => Promise<void>;
  },
  key?: PaymentIdempotency,
): Promise<Payment> {
  const idempotency = key?.request;
  const hash = idempotency && hashRequestBody(hmacSha256Digest(deps.idempotencySecret), idempotency.body);
  if (key?.stored) {
    refuseOtherBody(key.stored, hash!, key.request.key);
    if (key.stored.paymentId) return paymentOfTwin(deps.pool, key.stored.paymentId, deps.leaseMs);
  }

  const ticket = await deps.tickets.find(input.ticketId);
  // Another user's ticket answers exactly like a missing one: a 403 would confirm the id exists (SPEC §0, issue 9).
  if (!ticket || ticket.userId !== input.userId)
    throw notFound(`Ticket with ticket id: ${input.ticketId} doesn't exist.`);
  if (input.admitsConcert && ticket.concertId !== undefined) await input.admitsConcert(ticket.concertId);
  if (ticket.status === 'SOLD') {
    // Sold to one of the caller's payments: the same 409 as a twin that loses on the payment row, whichever of the
    // two a late duplicate meets first (a retry that wants the payment back sends its Idempotency-Key).
    const mine = ticket.paymentId ? await findPayment(deps.pool, ticket.paymentId) : undefined;
    if (mine && mine.userId === input.userId) {
      // a twin with this request's key may have paid it since the key was read: that payment is this request's answer
      const twin = idempotency && (await findPaymentKey(deps.pool, idempotency));
      if (twin?.paymentId) {
        refuseOtherBody(twin, hash!, idempotency!.key);
        return paymentOfTwin(deps.pool, twin.paymentId, deps.leaseMs);
      }
      throw alreadyPaid(input.ticketId, mine.id);
    }
    throw conflict('ALREADY_SOLD', 'This ticket is already sold.');
  }
  if (ticket.status === 'CANCELLED')
    throw conflict('TICKET_CANCELLED', 'This ticket was cancelled and refunded; hold the seat again to buy it.');
  if (ticket.status === 'EXPIRED' || Date.parse(ticket.heldUntil) <= Date.now()) throw holdExpired();

  const paymentId = randomUUID();
  let payment: Payment;
  try {
    payment = await withTransaction(deps.pool, async (tx) => {
      if (idempotency && !(await claimKeyForPayment(tx, idempotency, hash!, paymentId))) throw new KeyTaken();
      const created = await insertPending(tx, {
        id: paymentId,
        userId: input.userId,
        ticketId: ticket.id,
        amount: ticket.price,
        leaseMs: deps.leaseMs,
      });
      const taken = await debit(tx, input.userId, ticket.price, { paymentId });
      if (!taken) throw notEnoughPoints(await balanceOf(tx, input.userId), ticket.price);
      return created;
    });
  } catch (error) {
    if (error instanceof KeyTaken) {
      const stored = (await findPaymentKey(deps.pool, idempotency!))!;
      refuseOtherBody(stored, hash!, idempotency!.key);
      return paymentOfTwin(deps.pool, stored.paymentId!, deps.leaseMs);
    }
    if ((error as { code?: string }).code === '23505') {
      const live = await findLivePaymentOfTicket(deps.pool, input.ticketId);
      if (live?.status === 'COMPLETED') throw alreadyPaid(input.ticketId, live.id);
      throw conflict('PAYMENT_IN_PROGRESS', 'A payment for this ticket is already in progress.', [
        {
          location: 'body',
          param: 'ticket_id',
          value: input.ticketId,
          error: 'Conflict',
          msg: `Payment ${live?.id ?? 'unknown'} is in progress.`,
        },
      ]);
    }
    throw error;
  }

  const outcome = await deps.tickets.confirm(ticket.id, payment.id, input.userId);
  return settlePayment(deps, payment, outcome);
}
