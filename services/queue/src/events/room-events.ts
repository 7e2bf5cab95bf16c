import { QueueRoomChanged } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { appendEvent } from '@boxoffice/events';
import { isoWithOffset } from '@boxoffice/http';
import type { Room } from '../domain/room';

/** A room's new state, published through the outbox; call it in the transaction that records the state. */
export function publishRoomChanged(db: Queryable, room: Room) {
  return appendEvent(db, 'queue', QueueRoomChanged, {
    aggregateId: room.id,
    aggregateVersion: room.revision,
    payload: {
      roomId: room.id,
      name: room.name,
      concertId: room.concertId,
      state: room.state,
      maxActive: room.maxActive,
      admissionRatePerMinute: room.admissionRatePerMinute,
      sessionSeconds: room.sessionSeconds,
      queueingMethod: room.queueingMethod,
      saleStartsAt: room.saleStartsAtMs === null ? null : isoWithOffset(new Date(room.saleStartsAtMs)),
      maxWaiting: room.maxWaiting,
      abandonSeconds: room.abandonSeconds,
      updatedAt: isoWithOffset(new Date(room.updatedAtMs)),
    },
  });
}
