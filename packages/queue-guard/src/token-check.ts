import type { FastifyRequest } from 'fastify';
import { AppError, forbidden, unauthorized } from '@boxoffice/errors';
import { queueTokenOf, type QueueTokenClaims, type QueueTokenVerifier } from './token-verifier';
import type { KnownState, QueueTokenStatus } from './token-state';

export interface QueueTokenHolder {
  /** The token's uuid (the JWT's `jti`). */
  tokenId: string;
  userId: number;
  status: QueueTokenStatus;
  /** The waiting room it was issued in. */
  roomId: string;
  /** The concert that room guards; null for the default room. */
  concertId: number | null;
}

const holderOf = (claims: QueueTokenClaims, status: QueueTokenStatus): QueueTokenHolder => ({
  tokenId: claims.tokenId,
  userId: claims.userId,
  status,
  roomId: claims.roomId,
  concertId: claims.concertId,
});

type StateOf = (token: string, claims: QueueTokenClaims) => Promise<KnownState>;

const MISSING = 'A valid queue token is required (Authorization: Bearer <jwt> or QUEUE-TOKEN).';

async function verified(
  verifier: QueueTokenVerifier,
  request: FastifyRequest,
): Promise<{ token: string; claims: QueueTokenClaims }> {
  const token = queueTokenOf(request.headers);
  if (!token) throw unauthorized(MISSING);
  const claims = await verifier.verify(token);
  if (!claims) throw unauthorized('The queue token is invalid or has expired; join the queue again.');
  return { token, claims };
}

/** A valid queue token that is ACTIVE; 401 missing, forged or expired; 403 still WAITING. */
export async function activeHolder(
  verifier: QueueTokenVerifier,
  stateOf: StateOf,
  request: FastifyRequest,
): Promise<QueueTokenHolder> {
  const { token, claims } = await verified(verifier, request);
  const state = await stateOf(token, claims);
  if (state.status === 'EXPIRED') throw unauthorized('The queue token has expired; join the queue again.');
  if (state.status === 'WAITING') {
    throw forbidden(`You are still in the waiting line: ${state.waitingNo} ahead of you.`, [
      {
        location: 'header',
        param: 'authorization',
        error: 'WaitingInQueue',
        msg: 'The queue token is not admitted yet; poll GET /tokens on the queue service.',
        waitingNo: state.waitingNo,
      },
    ]);
  }
  return holderOf(claims, state.status);
}

/** A valid (signed, unexpired) queue token in any status; else 401. */
export async function anyHolder(
  verifier: QueueTokenVerifier,
  stateOf: StateOf,
  request: FastifyRequest,
): Promise<QueueTokenHolder> {
  const { token, claims } = await verified(verifier, request);
  let status: QueueTokenStatus;
  try {
    status = (await stateOf(token, claims)).status;
  } catch (error) {
    // The signature already proves who holds it; with the queue unreachable the status is not claimed higher than WAITING.
    if (!(error instanceof AppError) || error.status !== 503) throw error;
    status = 'WAITING';
  }
  return holderOf(claims, status);
}
