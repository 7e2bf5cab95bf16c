export type QueueTokenStatus = 'WAITING' | 'ACTIVE' | 'EXPIRED';

/** What this instance believes about one token, and until when it may go on believing it. */
export interface KnownState {
  status: QueueTokenStatus;
  waitingNo: number;
  /** Reuse this answer until then. */
  until: number;
  /** An ACTIVE token stops being ACTIVE at this time even if no event says so yet. */
  activeUntil: number;
  /** The token's revision this state is from (0: asked of the queue service, which does not say). */
  revision: number;
}

/** A token's new state, as broadcast to every instance by the one that applied its event to the replica. */
export interface TokenChange {
  tokenId: string;
  status: QueueTokenStatus;
  activeExpiresAt: string | null;
  tokenExpiresAt: string;
  revision: number;
}

export interface CacheTimes {
  /** How long a status is reused while token changes may be missed. */
  statusCacheMs: number;
  /** How long an ACTIVE status is reused while every token change is heard. */
  activeCacheMs: number;
}

/** How long an ACTIVE state may be reused: long only while changes are heard, and never past its ACTIVE time. */
export const activeFor = (times: CacheTimes, now: number, activeUntil: number, longCache: boolean): number =>
  Math.min(activeUntil, now + (longCache ? times.activeCacheMs : times.statusCacheMs));
