import { isoWithOffset } from '@boxoffice/http';
import type { TokenView } from '../domain/queue-token';
import { estimateWait } from '../domain/wait-estimate';

const iso = (ms: number | null) => (ms === null ? null : isoWithOffset(new Date(ms)));

/** expiresAt: ACTIVE → when it stops being ACTIVE; WAITING → the JWT's own expiry; EXPIRED → when it ended. */
export function expiresAtOf(view: TokenView): string {
  const ms =
    view.status === 'ACTIVE'
      ? view.activeExpiresAtMs
      : view.status === 'EXPIRED'
        ? (view.expiredAtMs ?? view.activeExpiresAtMs)
        : null;
  return isoWithOffset(new Date(ms ?? view.tokenExpiresAtMs));
}

/** Where a token stands: the body of GET /tokens and of every event on GET /tokens/stream. */
export function standingBody(view: TokenView) {
  return {
    uuid: view.tokenId,
    waitingNo: view.waitingNo,
    status: view.status,
    ...estimateWait(view),
    expiresAt: expiresAtOf(view),
    roomId: view.roomId,
    roomStatus: view.roomStatus,
    concertId: view.concertId,
    saleStartsAt: iso(view.saleStartsAtMs),
  };
}
