import type { QueueLine } from './queue-token';
import { DEFAULT_ROOM } from './room';

/**
 * A buyer who is done with a concert's checkout (the last of their holds on it sold, released or expired, and
 * something bought) is done with its waiting room: their ACTIVE token in the concert's room ends now and frees
 * the slot for the next in line. A buyer still holding seats keeps it, so paying several holds one by one works
 * whatever the timing. A WAITING token is left alone.
 */
export async function endTokenOnPurchase(
  deps: { line: QueueLine; roomOfConcert: (concertId: number) => Promise<string | undefined>; admitNow: () => void },
  purchase: { userId: number; concertId: number; lastSoldAt: string },
  nowMs = Date.now(),
): Promise<string[]> {
  const ended = await deps.line.endActiveTokensOfBuyer({
    userId: purchase.userId,
    boughtAtMs: Date.parse(purchase.lastSoldAt),
    roomId: (await deps.roomOfConcert(purchase.concertId)) ?? DEFAULT_ROOM,
    nowMs,
  });
  if (ended.length > 0) deps.admitNow();
  return ended;
}
