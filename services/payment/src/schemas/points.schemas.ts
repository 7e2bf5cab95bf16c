import { Type } from '@sinclair/typebox';
import { BodyUserId, StringEnum } from '@boxoffice/http';

export const MovePointsBody = Type.Object(
  {
    point: Type.Integer({
      minimum: 1,
      maximum: 1_000_000_000,
      description: 'Points to add or take; a positive integer',
    }),
    pointType: StringEnum(['CHARGE', 'USE'] as const),
    // seed 000 names the wallet's owner in the body; either spelling, and both must be the caller
    user_id: BodyUserId(),
    userId: BodyUserId(),
  },
  { additionalProperties: false },
);

export const Balance = Type.Object({ balance: Type.Integer() });

export const PointTransactionView = Type.Object({
  transactionId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  amount: Type.Integer({
    description: 'Always positive; pointType gives the direction (USE takes, CHARGE and REFUND add)',
  }),
  pointType: StringEnum(['CHARGE', 'USE', 'REFUND'] as const),
  createdAt: Type.String(),
  ticketId: Type.Optional(
    Type.String({ format: 'uuid', description: 'On a REFUND of one ticket (cancelled, or its sale refused): which' }),
  ),
});
export const PointHistory = Type.Array(PointTransactionView);
