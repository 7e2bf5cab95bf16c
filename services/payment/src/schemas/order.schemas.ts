import { Type } from '@sinclair/typebox';
import { BodyUserId, CountedList, ErrorBody, Id4, Int4, Int8, StringEnum, Text, Uuid } from '@boxoffice/http';

const OrderLine = Type.Object(
  {
    productId: Type.Union([
      Id4(),
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$',
        description: 'a product code (seed 003\'s "P001")',
      }),
    ]),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
  },
  { additionalProperties: false },
);

/** Amounts are whole won (KRW has no minor unit): 100.0 is 100, 100.50 is refused as no whole amount. */
const Amount = (description: string) => Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

export const CreateOrderBody = Type.Object(
  {
    userId: BodyUserId(),
    orderAmount: Amount('Must equal Σ price × quantity, in whole won (a decimal with a zero fraction is accepted)'),
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
    userId: BodyUserId(),
    paymentAmount: Type.Optional(Amount("optional (seed 003): must equal the order's amount")),
    paymentMethod: StringEnum(['points', 'card', 'credit_card', 'paypal'] as const, {
      description: 'credit_card is the card method; paypal is refused with 422 PAYMENT_METHOD_UNSUPPORTED',
    }),
    paymentDetails: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: true, description: 'card: {cardNumber, expiryDate: "MM/YY", cvv}; points: omit or {}' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A refused payment: the SPEC §0 error with seed 003's `paymentStatus: "failed"` beside it. */
export const PaymentFailed = Type.Object({
  errors: ErrorBody.properties.errors,
  paymentStatus: Type.Literal('failed'),
});

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
