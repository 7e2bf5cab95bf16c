import type { Pool } from '@boxoffice/db';
import { claimDuePayments } from '../db/payments.repo';
import type { TicketPort } from './payment';
import { settlePayment } from './settle-payment.use-case';

/**
 * One reconciler pass: PENDING payments whose confirm outcome is unknown are confirmed again (the ticket side is
 * idempotent per payment id) until the ticket service gives a definite answer. Safe with several instances:
 * claims are disjoint (SKIP LOCKED) and leased. Returns how many were settled definitely.
 */
export async function reconcilePayments(
  deps: { pool: Pool; tickets: TicketPort; leaseMs: number; maxBackoffMs: number },
  batchSize = 50,
): Promise<number> {
  const due = await claimDuePayments(deps.pool, batchSize, deps.leaseMs);
  const settled = await Promise.all(
    due.map(async (payment) => {
      const outcome = await deps.tickets.confirm(payment.ticketIds, payment.id, payment.userId);
      const after = await settlePayment(deps, payment, outcome);
      return after.status !== 'PENDING';
    }),
  );
  return settled.filter(Boolean).length;
}
