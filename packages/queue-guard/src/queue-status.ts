import type { ResilientClient } from '@boxoffice/resilience';
import type { QueueTokenClaims } from './token-verifier';
import { activeFor, type CacheTimes, type KnownState, type QueueTokenStatus } from './token-state';

interface QueueStatusBody {
  status: QueueTokenStatus;
  waitingNo: number;
  expiresAt: string;
}

/**
 * The token's state asked of the queue service (through its breaker), for a token the replica does not show ACTIVE
 * yet. Its revision is unknown: the answer is reused briefly, and never preferred over a state an event brought.
 */
export async function stateFromQueueService(
  client: ResilientClient,
  times: CacheTimes,
  token: string,
  claims: QueueTokenClaims,
  now: number,
): Promise<KnownState> {
  const answer = await client.get<QueueStatusBody>('/tokens', {
    headers: { authorization: `Bearer ${token}` },
    cacheKey: `token-status:${claims.tokenId}`,
  });
  const briefly = now + times.statusCacheMs;
  if (answer.status !== 200) return { status: 'EXPIRED', waitingNo: 0, until: briefly, activeUntil: 0, revision: 0 };
  const { status, waitingNo, expiresAt } = answer.body;
  const activeUntil = status === 'ACTIVE' ? Date.parse(expiresAt) : 0;
  if (status === 'ACTIVE' && activeUntil <= now)
    return { status: 'EXPIRED', waitingNo: 0, until: briefly, activeUntil, revision: 0 };
  return {
    status,
    waitingNo,
    until: status === 'ACTIVE' ? activeFor(times, now, activeUntil, false) : briefly,
    activeUntil,
    revision: 0,
  };
}
