import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
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
  status: Type.Union([Type.Literal('WAITING'), Type.Literal('ACTIVE'), Type.Literal('EXPIRED')]),
  /** Why it ended: its ACTIVE time ran out, its user paid, or its user stopped polling while waiting. */
  reason: Type.Union([Type.Literal('ttl'), Type.Literal('paid'), Type.Literal('abandoned'), Type.Null()]),
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
