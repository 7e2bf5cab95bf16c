import { QueueTokenChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import { isoWithOffset } from '@boxoffice/http';
import type { TokenState } from '../domain/queue-token';

const iso = (ms: number | null) => (ms === null ? null : isoWithOffset(new Date(ms)));

/** A token's new state, published through the outbox; call it in the transaction that records the state. */
export function publishTokenChanged(db: Queryable, state: TokenState) {
  return appendEvent(db, 'queue', QueueTokenChanged, {
    aggregateId: state.tokenId,
    aggregateVersion: state.revision,
    payload: {
      tokenId: state.tokenId,
      userId: state.userId,
      roomId: state.roomId,
      status: state.status,
      reason: state.reason,
      issuedAt: iso(state.issuedAtMs)!,
      activatedAt: iso(state.activatedAtMs),
      activeExpiresAt: iso(state.activeExpiresAtMs),
      expiredAt: iso(state.expiredAtMs),
      tokenExpiresAt: iso(state.tokenExpiresAtMs)!,
    },
  });
}
