import type { TokenView } from './queue-token';
import { estimateWait } from './wait-estimate';

/** A waiter is told of a move of at least this share of their place (of any move within the first 100 places)... */
const MOVE_WORTH_TELLING = 0.02;
/** ...at most once per this many ms per place ahead (capped): the far back of a long line hears less often. */
const MS_PER_PLACE = 2;
const LONGEST_QUIET_MS = 10_000;
/** An estimate that changed alone is told at least this often, so it never goes stale. */
const ESTIMATE_AT_LEAST_MS = 30_000;

/**
 * Whether a client should hear about `next` after having been told `sent`. A status, room status or estimate kind
 * is always news. A new place is news when it moved by 2% of itself and the client has not been told anything
 * for 2 ms per place ahead (at most 10 s): 10,000 waiters each told of every admission would be 10,000 writes an
 * admission, while the head of the line still hears every step.
 */
export function worthTelling(sent: TokenView, next: TokenView, sentAtMs: number, nowMs: number): boolean {
  if (sent.status !== next.status || sent.roomStatus !== next.roomStatus) return true;
  const [before, after] = [estimateWait(sent), estimateWait(next)];
  if (before.waitEstimate !== after.waitEstimate) return true;
  const quietMs = nowMs - sentAtMs;
  const moved = Math.abs(sent.waitingNo - next.waitingNo);
  if (
    moved >= Math.max(1, Math.floor(sent.waitingNo * MOVE_WORTH_TELLING)) &&
    quietMs >= Math.min(LONGEST_QUIET_MS, sent.waitingNo * MS_PER_PLACE)
  )
    return true;
  const changed = moved > 0 || before.estimatedWaitSeconds !== after.estimatedWaitSeconds;
  return changed && quietMs >= ESTIMATE_AT_LEAST_MS;
}
