import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { literals } from './literals';
import { TOPICS } from './topics';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * The state of a waiting-room token after a change (issued, admitted, expired). `aggregateVersion` is the
 * token's revision, so a replica ignores a state older than the one it holds. Services guarding concert
 * routes keep a replica of these to tell ACTIVE tokens from WAITING ones without asking the queue service.
 */
export const QueueTokenChangedPayload = Type.Object({
  tokenId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  /** The waiting room the token is for (`default`, or a concert's room); absent in events from before rooms. */
  roomId: Type.Optional(Type.String()),
  status: Type.Union(literals('WAITING', 'ACTIVE', 'EXPIRED')),
  /** Why it ended: its ACTIVE time ran out, its user paid, its user stopped polling while waiting, its room closed. */
  reason: Type.Union([...literals('ttl', 'paid', 'abandoned', 'closed'), Type.Null()]),
  issuedAt: Type.String({ format: 'date-time' }),
  activatedAt: Nullable(Type.String({ format: 'date-time' })),
  /** When an ACTIVE token stops being ACTIVE unless it ends earlier. */
  activeExpiresAt: Nullable(Type.String({ format: 'date-time' })),
  expiredAt: Nullable(Type.String({ format: 'date-time' })),
  /** The JWT's own `exp`. */
  tokenExpiresAt: Type.String({ format: 'date-time' }),
});
export type QueueTokenChangedPayload = Static<typeof QueueTokenChangedPayload>;

export const QueueTokenChanged = defineEvent(
  'queue.token.changed',
  TOPICS.queueTokens,
  'queue-token',
  QueueTokenChangedPayload,
);

/**
 * A waiting room after a change (created, settings changed, opened, suspended, closed). `aggregateVersion` is the
 * room's revision. A room guards one concert's routes while it is not CLOSED: services guarding concert routes
 * keep a replica of these to refuse a token of another room (the default room guards concerts without a room).
 */
export const QueueRoomChangedPayload = Type.Object({
  roomId: Type.String(),
  name: Type.String(),
  /** The concert the room guards; null for the default room. */
  concertId: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.Union(literals('CREATED', 'OPEN', 'SUSPENDED', 'CLOSED')),
  maxActive: Type.Integer(),
  admissionRatePerMinute: Type.Union([Type.Integer(), Type.Null()]),
  sessionSeconds: Type.Integer(),
  queueingMethod: Type.Union(literals('fifo', 'random')),
  saleStartsAt: Nullable(Type.String({ format: 'date-time' })),
  maxWaiting: Type.Union([Type.Integer(), Type.Null()]),
  abandonSeconds: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type QueueRoomChangedPayload = Static<typeof QueueRoomChangedPayload>;

export const QueueRoomChanged = defineEvent(
  'queue.room.changed',
  TOPICS.queueRooms,
  'queue-room',
  QueueRoomChangedPayload,
);
