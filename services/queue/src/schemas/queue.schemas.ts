import { Type } from '@sinclair/typebox';
import { Id4, StringEnum } from '@boxoffice/http';

export const JoinBody = Type.Object(
  {
    userId: Id4({ description: 'Your own user id (the USER-TOKEN holder).' }),
  },
  { additionalProperties: false },
);

const status = StringEnum(['WAITING', 'ACTIVE', 'EXPIRED'] as const);
const waitingNo = Type.Integer({ minimum: 0, description: 'Users ahead of you in the line; 0 once ACTIVE.' });
const expiresAt = Type.String({
  format: 'date-time',
  description: 'ACTIVE: when it stops being ACTIVE. WAITING: when the token itself expires. EXPIRED: when it ended.',
});

export const IssuedToken = Type.Object({
  token: Type.String({
    description: 'The JWT to send as Authorization: Bearer <jwt> (or QUEUE-TOKEN) to concert routes.',
  }),
  uuid: Type.String({ format: 'uuid' }),
  waitingNo,
  status,
  expiresAt,
});

export const TokenStatusBody = Type.Object({
  uuid: Type.String({ format: 'uuid' }),
  waitingNo,
  status,
  estimatedWaitSeconds: Type.Integer({
    minimum: 0,
    description: 'An upper bound: everyone ahead using their full ACTIVE time.',
  }),
  expiresAt,
});

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object(
      { kid: Type.Optional(Type.String()), kty: Type.Optional(Type.String()), alg: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
  ),
});
