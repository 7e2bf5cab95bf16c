import type { QueueLine } from './queue-token';

/**
 * A user who paid is done with the waiting room: their ACTIVE tokens end now and free the slots for the next in
 * line. A WAITING token is left alone (the payment was for something else, e.g. a shopping item).
 */
export async function endTokenOnPayment(
  deps: { line: QueueLine; admitNow: () => void },
  payment: { userId: number; paidAt: string },
  nowMs = Date.now(),
): Promise<string[]> {
  const ended = await deps.line.endActiveTokensOfPayer({
    userId: payment.userId,
    paidAtMs: Date.parse(payment.paidAt),
    nowMs,
  });
  if (ended.length > 0) deps.admitNow();
  return ended;
}
