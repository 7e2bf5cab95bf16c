import type { Answer } from '../api/http';
import type { Payment } from '../api/payment';
import { ApiProblem, asProblem } from '../api/problem';
import type { IssuedToken } from '../api/queue';

/**
 * Paying several held seats: one `POST /payments` per ticket, sent together. The buyer's ACTIVE place lasts until
 * their last hold is paid (ticket.purchase-finished, docs/ticket-holds.md), so every payment normally gets
 * through; a ticket refused because the place ended anyway (its ACTIVE time ran out) is paid again after re-joining
 * the line. Each ticket keeps one Idempotency-Key for all its attempts, so a retry can never pay twice. (The API
 * also pays them all in one payment, `ticket_ids`; this page does not use it yet.)
 */
export interface CheckoutDeps {
  pay(ticketId: string, idempotencyKey: string): Promise<Answer<Payment>>;
  paymentStatus(paymentId: string): Promise<Answer<Payment>>;
  /** POST /tokens: a new place (or the live one), stored as the current queue token. */
  rejoin(): Promise<IssuedToken>;
  keyFor(ticketId: string): string;
  sleep(ms: number): Promise<void>;
}

export type TicketOutcome =
  | { ticketId: string; state: 'paid'; payment: Payment }
  | { ticketId: string; state: 'confirming'; paymentId: string }
  | { ticketId: string; state: 'failed'; problem: ApiProblem }
  | { ticketId: string; state: 'needs-place' };

export interface CheckoutResult {
  outcomes: TicketOutcome[];
  /** Set when re-joining put the buyer in line: the rest is paid once admitted again. */
  waiting?: IssuedToken;
}

const placeEnded = (problem: ApiProblem) => problem.kind === 'queue-ended' || problem.kind === 'waiting';
const CONFIRM_POLLS = 10;

async function payOne(deps: CheckoutDeps, ticketId: string): Promise<TicketOutcome> {
  try {
    const answer = await deps.pay(ticketId, deps.keyFor(ticketId));
    if (answer.status === 201) return { ticketId, state: 'paid', payment: answer.body };
    // 202: the ticket service did not answer in time; the payment service settles it and we look again
    for (let poll = 0; poll < CONFIRM_POLLS; poll++) {
      await deps.sleep(1_000);
      const status = await deps.paymentStatus(answer.body.id).catch(() => undefined);
      if (status?.body.status === 'COMPLETED') return { ticketId, state: 'paid', payment: status.body };
      if (status?.body.status === 'FAILED')
        return {
          ticketId,
          state: 'failed',
          problem: new ApiProblem('conflict', 409, 'The seat could not be sold; your points were refunded.'),
        };
    }
    return { ticketId, state: 'confirming', paymentId: answer.body.id };
  } catch (error) {
    const problem = asProblem(error);
    return placeEnded(problem) ? { ticketId, state: 'needs-place' } : { ticketId, state: 'failed', problem };
  }
}

export async function payHolds(ticketIds: string[], deps: CheckoutDeps): Promise<CheckoutResult> {
  const settled = new Map<string, TicketOutcome>();
  const result = (waiting?: IssuedToken) => ({ outcomes: ticketIds.map((id) => settled.get(id)!), waiting });
  let due = ticketIds;
  let freshPlace = false;
  // A round either pays at least one ticket or is the last: a fresh ACTIVE place that is still refused stops it.
  for (let round = 0; round <= ticketIds.length && due.length > 0; round++) {
    const outcomes = await Promise.all(due.map((ticketId) => payOne(deps, ticketId)));
    outcomes.forEach((outcome) => settled.set(outcome.ticketId, outcome));
    due = outcomes.filter((outcome) => outcome.state === 'needs-place').map((outcome) => outcome.ticketId);
    if (due.length === 0 || (freshPlace && due.length === outcomes.length)) break;
    const place = await deps.rejoin();
    if (place.status !== 'ACTIVE') return result(place);
    freshPlace = true;
  }
  return result();
}
