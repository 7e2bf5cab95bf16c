import { randomInt, randomUUID } from 'node:crypto';
import { AppError, conflict, forbidden, notFound, validationFailed } from '@boxoffice/errors';
import { DEFAULT_ROOM } from './room';
import type { RoomStore } from './rooms.use-case';
import type { QueueLine, QueuePolicy, TokenView } from './queue-token';
import type { TokenSigner } from './token-signer';

export interface JoinDeps {
  line: QueueLine;
  rooms: RoomStore;
  signer: TokenSigner;
  policy: QueuePolicy;
}

/** Which line to join: a room by id, the room of a concert, or (neither) the default room. */
export interface JoinRequest {
  userId: number;
  roomId?: string;
  concertId?: number;
}

/** The pre-queue draw's range, below the line's FIFO scores (2^48): crypto.randomInt's widest. */
const DRAW_RANGE = 2 ** 48 - 1;

/**
 * The room a join goes to, and the concert it guards (named in the JWT). A concert without a room of its own is
 * guarded by the default room.
 */
async function roomFor(rooms: RoomStore, request: JoinRequest): Promise<{ roomId: string; concertId: number | null }> {
  if (request.roomId !== undefined) {
    const concertId = await rooms.concertOfRoom(request.roomId);
    if (concertId === undefined) throw notFound(`Waiting room with id: ${request.roomId} doesn't exist.`);
    if (request.concertId !== undefined && request.concertId !== (concertId ?? undefined)) {
      throw validationFailed('The room does not guard that concert.', [
        {
          location: 'body',
          param: 'concertId',
          value: request.concertId,
          error: 'Mismatch',
          msg: `Room ${request.roomId} is the room of ${concertId === null ? 'no concert' : `concert ${concertId}`}.`,
        },
      ]);
    }
    return { roomId: request.roomId, concertId };
  }
  if (request.concertId !== undefined) {
    const roomId = await rooms.roomOfConcert(request.concertId);
    if (roomId) return { roomId, concertId: request.concertId };
  }
  return { roomId: DEFAULT_ROOM, concertId: null };
}

/** A full line turns newcomers away for a while: about the time one place takes to free up, 5 s to 5 min. */
function retryAfterFull(observedPerMinute: number | null): number {
  if (!observedPerMinute) return 30;
  return Math.min(300, Math.max(5, Math.ceil(60 / observedPerMinute)));
}

/**
 * Puts the caller in a room's line. The token is the caller's own: asking for another user's is refused. A caller
 * who already holds a live token in that room (WAITING or ACTIVE) gets that one back and keeps their place.
 */
export async function joinQueue(
  deps: JoinDeps,
  callerId: number,
  request: JoinRequest,
  nowMs = Date.now(),
): Promise<{ created: boolean; token: TokenView }> {
  if (request.userId !== callerId) {
    throw forbidden('A queue token can only be issued to yourself.', [
      {
        location: 'body',
        param: 'userId',
        value: request.userId,
        error: 'NotYours',
        msg: 'Must be the id of the USER-TOKEN holder.',
      },
    ]);
  }
  const { roomId, concertId } = await roomFor(deps.rooms, request);
  const tokenId = randomUUID();
  // whole seconds: the JWT's exp is in seconds, and the line must agree with it exactly
  const tokenExpiresAtMs = Math.floor((nowMs + deps.policy.tokenLifetimeMs) / 1000) * 1000;
  const jwt = await deps.signer.sign({
    tokenId,
    userId: callerId,
    roomId,
    concertId,
    issuedAtMs: nowMs,
    expiresAtMs: tokenExpiresAtMs,
  });
  const joined = await deps.line.join({
    tokenId,
    userId: callerId,
    roomId,
    jwt,
    tokenExpiresAtMs,
    randomScore: randomInt(0, DRAW_RANGE),
    nowMs,
  });
  switch (joined.outcome) {
    case 'CREATED':
    case 'EXISTING':
      return { created: joined.outcome === 'CREATED', token: joined.token };
    case 'NO_ROOM':
      throw notFound(`Waiting room with id: ${roomId} doesn't exist.`);
    case 'NOT_OPEN':
      throw conflict('ROOM_NOT_OPEN', 'This waiting room is not open yet.');
    case 'CLOSED':
      throw conflict('ROOM_CLOSED', 'This waiting room is closed: the sale is over.');
    case 'FULL': {
      const seconds = retryAfterFull(joined.observedPerMinute);
      throw new AppError(
        429,
        'QUEUE_FULL',
        `The waiting line is full (${joined.waiting} waiting); try again in ${seconds} s.`,
        [],
        { retryAfterSeconds: seconds },
      );
    }
  }
}
