import { QueueTokenChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvents } from '@boxoffice/events';
import { isoWithOffset } from '@boxoffice/http';
import type { TokenState } from '../domain/queue-token';

const iso = (ms: number | null) => (ms === null ? null : isoWithOffset(new Date(ms)));

/** Tokens' new states, published through the outbox in this order; call it in the transaction that records them. */
export function publishTokensChanged(db: Queryable, states: TokenState[]) {
  return appendEvents(
    db,
    'queue',
    QueueTokenChanged,
    states.map((state) => ({
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
    })),
  );
}
