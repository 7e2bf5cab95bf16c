import { Type } from '@sinclair/typebox';
import { Id4, Uuid } from '@boxoffice/http';

export const LockBody = Type.Object(
  {
    orderId: Uuid({ description: "the order's id; one lock per order id, ever" }),
    items: Type.Array(
      Type.Object(
        {
          productId: Id4(),
          quantity: Id4(),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export const InternalTokenHeaders = Type.Object({
  'x-internal-token': Type.Optional(
    Type.String({ maxLength: 500, description: 'service-to-service token (INTERNAL_API_TOKEN)' }),
  ),
});

export const Locked = Type.Object({
  code: Type.Literal(200),
  message: Type.String(),
  locked: Type.Literal(true),
});

/** The seed's failure body and the SPEC §0 error body in one: `{code, message, locked: false, errors}`. */
export const NotLocked = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  locked: Type.Literal(false),
  errors: Type.Object({
    code: Type.String(),
    message: Type.String(),
    detail: Type.Array(Type.Object({}, { additionalProperties: true })),
  }),
});
