import { Type } from '@sinclair/typebox';
import { CountedList, Id4, Int4, Int8, StringEnum, Text, Uuid } from '@boxoffice/http';

const OrderLine = Type.Object(
  {
    productId: Id4(),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
  },
  { additionalProperties: false },
);

export const CreateOrderBody = Type.Object(
  {
    orderAmount: Int8({ minimum: 0, description: 'Must equal Σ price × quantity' }),
    items: Type.Array(OrderLine, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const OrderCreated = Type.Object({
  code: Type.Literal(201),
  message: Type.String(),
  orderId: Type.String({ format: 'uuid' }),
  status: Type.Literal('pending'),
});

/**
 * Card details are checked by the use-case (Luhn, expiry, CVV) rather than by schema patterns, so a bad card
 * number is never echoed back in a validation error's `value`.
 */
export const PayOrderBody = Type.Object(
  {
    orderId: Uuid(),
    paymentMethod: StringEnum(['points', 'card'] as const),
    paymentDetails: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: true, description: 'card: {cardNumber, expiryDate: "MM/YY", cvv}; points: omit or {}' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PaymentProcessed = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  orderId: Type.String({ format: 'uuid' }),
  paymentStatus: StringEnum(['completed', 'processing'] as const),
  transactionId: Type.String({ format: 'uuid' }),
});

export const OrderParams = Type.Object({ orderId: Uuid() }, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrderSummary = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  userId: Type.Integer(),
  status: StringEnum(['pending', 'stock_locked', 'rejected', 'paid', 'payment_failed', 'cancelled'] as const),
  amount: Type.Integer(),
  items: Type.Array(Type.Object({ productId: Type.Integer(), quantity: Type.Integer() })),
  paymentMethod: Type.Union([StringEnum(['points', 'card'] as const), Type.Null()]),
  paymentStatus: Type.Union([
    StringEnum(['processing', 'completed', 'failed', 'refunded', 'voided'] as const, {
      description: 'processing: held until the stock lock or card settlement; refunded / voided: given back',
    }),
    Type.Null(),
  ]),
  reason: Nullable(Type.String()),
  stockStatus: Nullable(Type.String()),
  expiresAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const OrderView = Type.Object({
  ...OrderSummary.properties,
  card: Type.Union([
    Type.Object({ last4: Type.String(), status: Type.String(), declineCode: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  history: Type.Array(Type.Object({ status: Type.String(), reason: Nullable(Type.String()), at: Type.String() })),
});

export const OrderListQuery = Type.Object(
  {
    offset: Type.Optional(Int4({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);

export const OrderList = CountedList(OrderSummary);

export const GatewayCallbackBody = Type.Object(
  {
    authorizationId: Uuid(),
    reference: Uuid(),
    status: StringEnum(['approved', 'declined'] as const),
    declineCode: Type.Union([Text({ maxLength: 100 }), Type.Null()]),
    amount: Int8({ minimum: 0 }),
  },
  { additionalProperties: false },
);
