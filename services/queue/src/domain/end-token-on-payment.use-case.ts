import type { QueueLine } from './queue-token';

/**
 * A user who paid is done with the waiting room: their ACTIVE token ends now and frees the slot for the next
 * in line. A WAITING token is left alone (the payment was for something else, e.g. a shopping item).
 */
export async function endTokenOnPayment(
  deps: { line: QueueLine; admitNow: () => void },
  payment: { userId: number; paidAt: string },
  nowMs = Date.now(),
): Promise<string | undefined> {
  const ended = await deps.line.endActiveTokenOfPayer({
    userId: payment.userId,
    paidAtMs: Date.parse(payment.paidAt),
    nowMs,
  });
  if (ended) deps.admitNow();
  return ended;
}
