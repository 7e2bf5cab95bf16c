import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A string enum as plain JSON Schema `enum`: one clear "must be one of" error and a tidy OpenAPI entry. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** The SPEC §0 error body, for response schemas and the OpenAPI document. */
export const ErrorBody = Type.Object(
  {
    errors: Type.Object({
      code: Type.String(),
      message: Type.String(),
      detail: Type.Array(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { $id: 'ErrorBody', description: 'The error body every service returns (SPEC §0).' },
);

/** The optional Idempotency-Key header of a write (SPEC §0); see replyIdempotently. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Same key + same body replays the first answer' }),
  ),
});

/** `{count, payload}` list envelope used by the shopping services. */
export const CountedList = <T extends TSchema>(item: T) =>
  Type.Object({ count: Type.Integer(), payload: Type.Array(item) });

/** ISO-8601 with an explicit offset, as SPEC §0 asks: 2047-10-21T09:00:00+00:00. */
export function isoWithOffset(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return date.toISOString().replace(/Z$/, '+00:00');
}
