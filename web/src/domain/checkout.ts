import type { Answer } from '../api/http';
import type { Payment } from '../api/payment';
import { ApiProblem, asProblem } from '../api/problem';
import type { IssuedToken } from '../api/queue';

/**
 * Paying the held seats: one `POST /payments` with `ticket_ids`, so they are all sold or none
 * (docs/payments.md "Several tickets in one payment"). The buyer's ACTIVE place lasts while they hold anything
 * unpaid, so it normally gets through; when the place ended anyway (its ACTIVE time ran out) the buyer joins the
 * line again and the same payment is sent once more with the same Idempotency-Key, so it can never be paid twice.
 */
export interface CheckoutDeps {
  pay(ticketIds: string[], idempotencyKey: string): Promise<Answer<Payment>>;
  paymentStatus(paymentId: string): Promise<Answer<Payment>>;
  /** POST /tokens: a new place (or the live one), stored as the current queue token. */
  rejoin(): Promise<IssuedToken>;
  /** One key per set of tickets, for every attempt at paying that set. */
  keyFor(ticketIds: string[]): string;
  sleep(ms: number): Promise<void>;
}

export type CheckoutResult =
  | { state: 'paid'; payment: Payment }
  | { state: 'confirming'; paymentId: string }
  | { state: 'failed'; problem: ApiProblem }
  /** Re-joining put the buyer in line: the seats are paid once admitted again. */
  | { state: 'waiting'; place: IssuedToken };

const placeEnded = (problem: ApiProblem) => problem.kind === 'queue-ended' || problem.kind === 'waiting';
const CONFIRM_POLLS = 10;

async function settle(deps: CheckoutDeps, answer: Answer<Payment>): Promise<CheckoutResult> {
  if (answer.status === 201) return { state: 'paid', payment: answer.body };
  // 202: the ticket service did not answer in time; the payment service settles it and we look again
  for (let poll = 0; poll < CONFIRM_POLLS; poll++) {
    await deps.sleep(1_000);
    const status = await deps.paymentStatus(answer.body.id).catch(() => undefined);
    if (status?.body.status === 'COMPLETED') return { state: 'paid', payment: status.body };
    if (status?.body.status === 'FAILED')
      return {
        state: 'failed',
        problem: new ApiProblem('conflict', 409, 'The seats could not be sold; your points were refunded.'),
      };
  }
  return { state: 'confirming', paymentId: answer.body.id };
}

export async function payHolds(ticketIds: string[], deps: CheckoutDeps): Promise<CheckoutResult> {
  const key = deps.keyFor(ticketIds);
  try {
    return await settle(deps, await deps.pay(ticketIds, key));
  } catch (error) {
    const problem = asProblem(error);
    if (!placeEnded(problem)) return { state: 'failed', problem };
  }
  const place = await deps.rejoin();
  if (place.status !== 'ACTIVE') return { state: 'waiting', place };
  try {
    return await settle(deps, await deps.pay(ticketIds, key));
  } catch (error) {
    // even a fresh ACTIVE place refused: stop here rather than loop
    return { state: 'failed', problem: asProblem(error) };
  }
}
