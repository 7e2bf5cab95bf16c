import { call } from './http';

/** The queue service (SPEC §4): the waiting room. */
export type QueueStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';

export interface QueueStanding {
  uuid: string;
  waitingNo: number;
  status: QueueStatus;
  /** From the pace the line has moved at lately; null while that is not known yet (see waitEstimate). */
  estimatedWaitSeconds?: number | null;
  waitEstimate?: 'OBSERVED' | 'NOT_KNOWN_YET' | 'NO_WAIT';
  expiresAt: string;
  /** The waiting room (`default`, or a concert's); GET /tokens/stream pushes the same body (docs/waiting-room.md). */
  roomId?: string;
  roomStatus?: 'CREATED' | 'PRE_QUEUE' | 'OPEN' | 'SUSPENDED' | 'CLOSED';
}

export interface IssuedToken extends QueueStanding {
  token: string;
}

export const queueApi = {
  /** Joins the line, or gets the caller's live token back (same place). */
  join: (userId: number) => call<IssuedToken>('POST', '/tokens', { body: { userId } }),
  standing: () => call<QueueStanding>('GET', '/tokens', { credential: 'queue' }),
};

/**
 * Follows the caller's standing until stopped. Today it polls GET /tokens (polling is also how a WAITING user
 * shows they are still there); the waiting-room issue's SSE stream can replace the loop behind this signature.
 */
export function watchStanding(
  onStanding: (standing: QueueStanding) => void,
  onProblem: (error: unknown) => void,
  { intervalMs = 2_000 }: { intervalMs?: number } = {},
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    let delay = intervalMs;
    try {
      const answer = await queueApi.standing();
      if (stopped) return;
      onStanding(answer.body);
      if (answer.body.status !== 'WAITING') return; // nothing more will change by itself
    } catch (error) {
      if (stopped) return;
      onProblem(error);
      const retry = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retry === undefined) return;
      delay = Math.max(intervalMs, retry * 1000);
    }
    timer = setTimeout(tick, delay);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
