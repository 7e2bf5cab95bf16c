import { withTransaction, type Pool } from '@boxoffice/db';
import { credit } from '../db/ledger.repo';
import { deferPayment, findPayment, markCompleted, markFailed } from '../db/payments.repo';
import { publishPaymentCompleted } from '../events/payment-events';
import { refusalMessage, retryDelayMs, type ConfirmOutcome, type Payment } from './payment';

/**
 * Applies the ticket service's answer to a PENDING payment. Definite answers end it exactly once (the UPDATE is
 * conditional on PENDING, so the request and a reconciler racing on the same payment cannot both act):
 * sold → COMPLETED + payment.completed; refused → FAILED + one REFUND ledger row. Unknown → still PENDING,
 * asked again after a backoff. Returns the payment as it now is.
 */
export async function settlePayment(
  deps: { pool: Pool; maxBackoffMs: number },
  payment: Payment,
  outcome: ConfirmOutcome,
): Promise<Payment> {
  if (outcome.kind === 'unknown') {
    await deferPayment(deps.pool, payment.id, outcome.reason, retryDelayMs(payment.attempts, deps.maxBackoffMs));
    return (await findPayment(deps.pool, payment.id)) ?? payment;
  }
  const settled = await withTransaction(deps.pool, async (tx) => {
    if (outcome.kind === 'sold') {
      const completed = await markCompleted(tx, payment.id);
      if (completed) await publishPaymentCompleted(tx, completed);
      return completed;
    }
    const failed = await markFailed(tx, payment.id, outcome.code, refusalMessage(outcome.code, outcome.message));
    if (failed && failed.amount > 0) await credit(tx, failed.userId, failed.amount, 'REFUND', { paymentId: failed.id });
    return failed;
  });
  return settled ?? (await findPayment(deps.pool, payment.id)) ?? payment;
}
