import { randomUUID } from 'node:crypto';
import {
  hashRequestBody,
  hmacSha256Digest,
  refuseOtherBody,
  withTransaction,
  type IdempotencyRequest,
  type Pool,
} from '@boxoffice/db';
import { AppError, assertBodyNamesCaller, conflict, notFound } from '@boxoffice/errors';
import { claimKeyForPayment, findPaymentKey, type PaymentKey } from '../db/idempotency.repo';
import { balanceOf, debit } from '../db/ledger.repo';
import { findLivePaymentOfTickets, findPayment, insertPending } from '../db/payments.repo';
import { holdExpired, type Payment, type TicketInfo, type TicketPort } from './payment';
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
 * Pays some of the payer's held tickets with points (SPEC §6): one ticket (the seed's `ticket_id`) or several at
 * once (`ticket_ids`, multi-seat checkout), in one ledger debit of the sum of their prices.
 *
 * 1. Ask the ticket service for each ticket: their prices make the amount (never the client's number); a ticket
 *    that is not the payer's, of a concert whose waiting room the payer's token is not of, already sold or past
 *    its hold is refused before anything is charged. A `price` the client sent must equal that amount.
 * 2. One transaction: a PENDING payment with one live line per ticket (at most one live payment per ticket) + the
 *    USE ledger row. Not enough points → 400 and nothing kept.
 * 3. The ticket service's idempotent confirm (keyed by the payment id), all tickets or none. Sold → COMPLETED;
 *    refused → FAILED and refunded; unknown → still PENDING, and the reconciler asks again until it knows.
 * So a seat is SOLD only to a payment that holds the points, and points stay taken only for SOLD seats.
 * Returns the payment as it now is.
 *
 * With an Idempotency-Key the key is bound to the payment in step 2; a retry (or a concurrent twin) gets that
 * payment in its current state, so it never pays twice and learns the final outcome once there is one.
 */
const alreadyPaid = (param: string, ticketId: string, paymentId: string) =>
  conflict('ALREADY_PAID', 'This ticket is already paid.', [
    { location: 'body', param, value: ticketId, error: 'Conflict', msg: `Paid by payment ${paymentId}.` },
  ]);

const priceMismatch = (given: number, amount: number) =>
  conflict('PRICE_MISMATCH', `The price is ${amount}, not ${given}; nothing was charged.`, [
    { location: 'body', param: 'price', value: given, error: 'Conflict', msg: `The tickets cost ${amount}.` },
  ]);

export interface PayTicketsInput {
  userId: number;
  ticketIds: string[];
  /** The body's field the tickets came in, for error details: `ticket_id` or `ticket_ids`. */
  param: 'ticket_id' | 'ticket_ids';
  /** The payer as seed 000's body names them (`user_id`): refused with 403 when it is not the caller. */
  bodyUserId?: number | string;
  /** The price the client expects to pay (seed 000 sends it): refused with 409 when it is not the amount. */
  price?: number;
  /** Refuses (throws) a payer whose waiting-room token is not of the room that guards this concert. */
  admitsConcert?: (concertId: number) => Promise<void>;
}

export async function payTicket(
  deps: PayTicketDeps,
  input: PayTicketsInput,
  key?: PaymentIdempotency,
): Promise<Payment> {
  assertBodyNamesCaller(input.userId, input.bodyUserId, 'user_id');
  const idempotency = key?.request;
  const hash = idempotency && hashRequestBody(hmacSha256Digest(deps.idempotencySecret), idempotency.body);
  if (key?.stored) {
    refuseOtherBody(key.stored, hash!, key.request.key);
    if (key.stored.paymentId) return paymentOfTwin(deps.pool, key.stored.paymentId, deps.leaseMs);
  }

  const ticketIds = [...new Set(input.ticketIds)];
  const tickets = await Promise.all(ticketIds.map((id) => deps.tickets.find(id)));
  tickets.forEach((ticket, i) => {
    // Another user's ticket answers exactly like a missing one: a 403 would confirm the id exists (SPEC §0, issue 9).
    if (!ticket || ticket.userId !== input.userId)
      throw notFound(`Ticket with ticket id: ${ticketIds[i]} doesn't exist.`);
  });
  const held = tickets as TicketInfo[];
  if (input.admitsConcert) {
    const concerts = new Set(held.flatMap((ticket) => (ticket.concertId === undefined ? [] : [ticket.concertId])));
    for (const concertId of concerts) await input.admitsConcert(concertId);
  }
  for (const ticket of held) {
    if (ticket.status === 'SOLD') {
      // Sold to one of the caller's payments: the same 409 as a twin that loses on the payment row, whichever of
      // the two a late duplicate meets first (a retry that wants the payment back sends its Idempotency-Key).
      const mine = ticket.paymentId ? await findPayment(deps.pool, ticket.paymentId) : undefined;
      if (mine && mine.userId === input.userId) {
        // a twin with this request's key may have paid it since the key was read: that payment is this answer
        const twin = idempotency && (await findPaymentKey(deps.pool, idempotency));
        if (twin?.paymentId) {
          refuseOtherBody(twin, hash!, idempotency!.key);
          return paymentOfTwin(deps.pool, twin.paymentId, deps.leaseMs);
        }
        throw alreadyPaid(input.param, ticket.id, mine.id);
      }
      throw conflict('ALREADY_SOLD', 'This ticket is already sold.');
    }
    if (ticket.status === 'CANCELLED')
      throw conflict('TICKET_CANCELLED', 'This ticket was cancelled and refunded; hold the seat again to buy it.');
    if (ticket.status !== 'HELD' || Date.parse(ticket.heldUntil) <= Date.now()) throw holdExpired(input.param);
  }
  const amount = held.reduce((sum, ticket) => sum + ticket.price, 0);
  if (input.price !== undefined && input.price !== amount) throw priceMismatch(input.price, amount);

  const paymentId = randomUUID();
  let payment: Payment;
  try {
    payment = await withTransaction(deps.pool, async (tx) => {
      if (idempotency && !(await claimKeyForPayment(tx, idempotency, hash!, paymentId))) throw new KeyTaken();
      const created = await insertPending(tx, {
        id: paymentId,
        userId: input.userId,
        tickets: held.map((ticket) => ({ id: ticket.id, price: ticket.price })),
        leaseMs: deps.leaseMs,
      });
      const taken = await debit(tx, input.userId, amount, { paymentId });
      if (!taken) throw notEnoughPoints(await balanceOf(tx, input.userId), amount);
      return created;
    });
  } catch (error) {
    if (error instanceof KeyTaken) {
      const stored = (await findPaymentKey(deps.pool, idempotency!))!;
      refuseOtherBody(stored, hash!, idempotency!.key);
      return paymentOfTwin(deps.pool, stored.paymentId!, deps.leaseMs);
    }
    if ((error as { code?: string }).code === '23505') {
      const live = await findLivePaymentOfTickets(deps.pool, ticketIds);
      const taken = live?.ticketIds.find((id) => ticketIds.includes(id)) ?? ticketIds[0]!;
      if (live?.status === 'COMPLETED') throw alreadyPaid(input.param, taken, live.id);
      throw conflict('PAYMENT_IN_PROGRESS', 'A payment for this ticket is already in progress.', [
        {
          location: 'body',
          param: input.param,
          value: taken,
          error: 'Conflict',
          msg: `Payment ${live?.id ?? 'unknown'} is in progress.`,
        },
      ]);
    }
    throw error;
  }

  const outcome = await deps.tickets.confirm(payment.ticketIds, payment.id, input.userId);
  return settlePayment(deps, payment, outcome);
}
