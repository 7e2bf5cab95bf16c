import type { Queryable } from '@boxoffice/db';
import { forbidden, unavailable } from '@boxoffice/errors';
import type { ResilientClient } from '@boxoffice/resilience';
import type { QueueTokenHolder } from './token-check';
import { roomsReplica } from './token-replica';
import { DEFAULT_ROOM } from './token-verifier';

/** A room as GET /rooms on the queue service lists it (rooms that are not CLOSED). */
interface ListedRoom {
  id: string;
  concertId: number | null;
  status: string;
}

/**
 * Which waiting room guards a concert: its own room while that is not CLOSED, else the default room. Read from the
 * local replica (queue_rooms_replica, fed by queue.room.changed); until that replica has caught up once (a cold
 * start), from the queue service's room list through its breaker, since an absent row proves nothing then. Answers
 * are reused for `cacheMs`, so a new room guards its concert at most that long after its event arrives.
 */
export class ConcertRooms {
  private readonly known = new Map<number, { roomId: string; until: number }>();

  constructor(
    private readonly options: {
      db: Queryable;
      queueService: ResilientClient;
      replicaComplete: () => boolean;
      cacheMs: number;
    },
  ) {}

  async roomOf(concertId: number, now = Date.now()): Promise<string> {
    const cached = this.known.get(concertId);
    if (cached && cached.until > now) return cached.roomId;
    const roomId = this.options.replicaComplete()
      ? await this.fromReplica(concertId)
      : await this.fromQueueService(concertId);
    if (this.known.size >= 10_000) this.known.clear(); // a crude bound; the replica answers again
    this.known.set(concertId, { roomId, until: now + this.options.cacheMs });
    return roomId;
  }

  private async fromReplica(concertId: number): Promise<string> {
    const rooms = await roomsReplica.select(this.options.db, { concertId });
    return rooms.find((room) => room.state !== 'CLOSED')?.roomId ?? DEFAULT_ROOM;
  }

  private async fromQueueService(concertId: number): Promise<string> {
    const answer = await this.options.queueService.get<ListedRoom[]>('/rooms', { cacheKey: 'rooms' });
    if (answer.status !== 200 || !Array.isArray(answer.body))
      throw unavailable('The waiting rooms cannot be told apart right now; try again shortly.');
    return answer.body.find((room) => room.concertId === concertId && room.status !== 'CLOSED')?.id ?? DEFAULT_ROOM;
  }
}

/**
 * A token admits to a concert's routes only if it is of the room that guards that concert: a concert room's token
 * to its own concert, a default-room token to the concerts without a room of their own. 403 otherwise, naming
 * the room to join.
 */
export async function assertAdmits(
  holder: Pick<QueueTokenHolder, 'roomId' | 'concertId'>,
  concertId: number,
  rooms: ConcertRooms,
): Promise<void> {
  if (holder.concertId !== null && holder.concertId === concertId) return;
  const guarding = holder.concertId === null ? await rooms.roomOf(concertId) : undefined;
  if (guarding === holder.roomId) return;
  throw forbidden(`This queue token is for another waiting room; concert ${concertId} has its own line.`, [
    {
      location: 'header',
      param: 'authorization',
      error: 'WrongRoom',
      msg: 'Join the waiting room of this concert (POST /tokens with its concertId) and use that token.',
      tokenRoomId: holder.roomId,
      concertId,
      ...(guarding ? { roomId: guarding } : {}),
    },
  ]);
}
