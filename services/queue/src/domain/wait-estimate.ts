import type { RoomStatus } from './room';
import type { TokenStatus } from './queue-token';

/**
 * OBSERVED: estimated from the pace the room's line has actually moved at lately. NOT_KNOWN_YET: the line has not
 * moved enough to tell (the sale has not opened, it just opened, the room is suspended, or nobody was admitted
 * for a while). NO_WAIT: the token is not waiting (ACTIVE, or ended).
 */
export type WaitEstimate = 'OBSERVED' | 'NOT_KNOWN_YET' | 'NO_WAIT';

/**
 * The wait of a user with `waitingNo` users ahead: they are admitted with the (waitingNo + 1)-th admission from
 * now, at the observed pace. As the line moves, waitingNo falls and the estimate with it, so successive answers
 * agree with each other while the pace holds.
 */
export function estimateWait(view: {
  status: TokenStatus;
  waitingNo: number;
  roomStatus: RoomStatus;
  observedPerMinute: number | null;
}): { estimatedWaitSeconds: number | null; waitEstimate: WaitEstimate } {
  if (view.status !== 'WAITING') return { estimatedWaitSeconds: 0, waitEstimate: 'NO_WAIT' };
  if (view.roomStatus !== 'OPEN' || !view.observedPerMinute)
    return { estimatedWaitSeconds: null, waitEstimate: 'NOT_KNOWN_YET' };
  return {
    estimatedWaitSeconds: Math.round(((view.waitingNo + 1) * 60) / view.observedPerMinute),
    waitEstimate: 'OBSERVED',
  };
}
