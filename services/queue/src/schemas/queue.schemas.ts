import { Type } from '@sinclair/typebox';
import { Id4, StringEnum } from '@boxoffice/http';
import { ROOM_ID_PATTERN } from '../domain/room';

export const RoomId = (description: string) => Type.String({ pattern: ROOM_ID_PATTERN, maxLength: 36, description });

export const JoinBody = Type.Object(
  {
    userId: Id4({ description: 'Your own user id (the USER-TOKEN holder).' }),
    roomId: Type.Optional(RoomId('The waiting room to join (GET /rooms lists them).')),
    concertId: Type.Optional(
      Id4({ description: "Join this concert's room; a concert without a room of its own is in the default room." }),
    ),
  },
  { additionalProperties: false },
);

const status = StringEnum(['WAITING', 'ACTIVE', 'EXPIRED'] as const);
const waitingNo = Type.Integer({
  minimum: 0,
  description:
    'Users ahead of you in the line; 0 once ACTIVE. In a random pre-queue, before the draw: everyone else in it.',
});
const expiresAt = Type.String({
  format: 'date-time',
  description: 'ACTIVE: when it stops being ACTIVE. WAITING: when the token itself expires. EXPIRED: when it ended.',
});
export const RoomStatusSchema = StringEnum(['CREATED', 'PRE_QUEUE', 'OPEN', 'SUSPENDED', 'CLOSED'] as const, {
  description: 'PRE_QUEUE: open, the sale has not started (the line is drawn at its start in a random room).',
});

export const IssuedToken = Type.Object({
  token: Type.String({
    description: 'The JWT to send as Authorization: Bearer <jwt> (or QUEUE-TOKEN) to concert routes.',
  }),
  uuid: Type.String({ format: 'uuid' }),
  waitingNo,
  status,
  expiresAt,
  roomId: Type.String({ description: 'The room this token is for (also the JWT claim `room`).' }),
});

export const TokenStatusBody = Type.Object({
  uuid: Type.String({ format: 'uuid' }),
  waitingNo,
  status,
  estimatedWaitSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'From the pace the line has moved at lately; null while that is not known yet (see waitEstimate).',
  }),
  waitEstimate: StringEnum(['OBSERVED', 'NOT_KNOWN_YET', 'NO_WAIT'] as const),
  expiresAt,
  roomId: Type.String(),
  roomStatus: RoomStatusSchema,
  concertId: Type.Union([Type.Integer(), Type.Null()], { description: 'The concert the room guards; null: default.' }),
  saleStartsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const StreamQuery = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        maxLength: 4096,
        description: 'The JWT, for clients that cannot set headers (EventSource); never logged.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object(
      { kid: Type.Optional(Type.String()), kty: Type.Optional(Type.String()), alg: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
  ),
});
