import { randomUUID } from 'node:crypto';
import { forbidden } from '@boxoffice/errors';
import type { QueueLine, QueuePolicy, TokenView } from './queue-token';
import type { TokenSigner } from './token-signer';

export interface JoinDeps {
  line: QueueLine;
  signer: TokenSigner;
  policy: QueuePolicy;
}

/**
 * Puts the caller in the line. The token is the caller's own: asking for another user's is refused. A caller who
 * already holds a live token (WAITING or ACTIVE) gets that one back and keeps their place.
 */
export async function joinQueue(
  deps: JoinDeps,
  callerId: number,
  requestedUserId: number,
  nowMs = Date.now(),
): Promise<{ created: boolean; token: TokenView }> {
  if (requestedUserId !== callerId) {
    throw forbidden('A queue token can only be issued to yourself.', [
      {
        location: 'body',
        param: 'userId',
        value: requestedUserId,
        error: 'NotYours',
        msg: 'Must be the id of the USER-TOKEN holder.',
      },
    ]);
  }
  const tokenId = randomUUID();
  // whole seconds: the JWT's exp is in seconds, and the line must agree with it exactly
  const tokenExpiresAtMs = Math.floor((nowMs + deps.policy.tokenLifetimeMs) / 1000) * 1000;
  const jwt = await deps.signer.sign({ tokenId, userId: callerId, issuedAtMs: nowMs, expiresAtMs: tokenExpiresAtMs });
  return deps.line.join({ tokenId, userId: callerId, jwt, tokenExpiresAtMs, nowMs });
}
