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

/*
 * Bounded types: every value a schema accepts is one its PostgreSQL column can hold, so odd input is a 422 from
 * the validator, never a SQL error (createApp maps SQLSTATE class 22 to 422 as well, as a last line). Each bound
 * is plain JSON Schema (pattern, minimum, maximum, maxLength), so the OpenAPI documents them too.
 */

/** Largest value of PostgreSQL's `integer` (int4). */
export const INT4_MAX = 2_147_483_647;
/** Largest integer a JSON number carries exactly; `bigint` (int8) columns are bounded by it on input. */
export const INT8_SAFE_MAX = Number.MAX_SAFE_INTEGER;

type IntegerOptions = { minimum?: number; maximum?: number; description?: string; default?: number };

/** An integer stored in an `integer` column: within int4, whatever bounds the caller adds. */
export const Int4 = (options: IntegerOptions = {}) =>
  Type.Integer({
    ...options,
    minimum: Math.max(options.minimum ?? -INT4_MAX - 1, -INT4_MAX - 1),
    maximum: Math.min(options.maximum ?? INT4_MAX, INT4_MAX),
  });

/** A positive id stored in an `integer`/`serial` column. */
export const Id4 = (options: Omit<IntegerOptions, 'minimum'> = {}) => Int4({ minimum: 1, ...options });

/** An integer stored in a `bigint` column, as far as a JSON number carries it exactly. */
export const Int8 = (options: IntegerOptions = {}) =>
  Type.Integer({
    ...options,
    minimum: Math.max(options.minimum ?? -INT8_SAFE_MAX, -INT8_SAFE_MAX),
    maximum: Math.min(options.maximum ?? INT8_SAFE_MAX, INT8_SAFE_MAX),
  });

/**
 * A uuid in its canonical 8-4-4-4-12 form only: the `uuid` format alone also accepts `urn:uuid:…`, which PostgreSQL
 * refuses. Either letter case (PostgreSQL reads both).
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = (options: { description?: string } = {}) =>
  Type.String({ format: 'uuid', pattern: UUID_PATTERN, ...options });

/** No NUL: PostgreSQL's text cannot hold one. */
export const NO_NUL_PATTERN = '^[^\\x00]*$';
/** Text for a `text` column: bounded length and no NUL character. */
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ pattern: NO_NUL_PATTERN, ...options });

/**
 * An instant PostgreSQL's `timestamptz` stores and JavaScript's Date reads: RFC 3339 with `T`, year 0001-9999,
 * seconds 00-59 (no leap second, which Date refuses), at most microseconds, and `Z` or an offset within ±15:59
 * (PostgreSQL's limit).
 */
export const DATE_TIME_PATTERN =
  '^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:0[0-9]|1[0-5]):[0-5][0-9])$';
export const DateTime = (options: { description?: string } = {}) =>
  Type.String({ format: 'date-time', pattern: DATE_TIME_PATTERN, ...options });

/**
 * The caller's id as seed clients put it in a body (`user_id`, `userId`): optional, a positive int4 or its decimal
 * string. Check it with assertBodyNamesCaller (@boxoffice/errors): the credentials decide who the caller is.
 */
export const BodyUserId = () =>
  Type.Optional(
    Type.Union([Id4(), Type.String({ pattern: '^[1-9][0-9]{0,9}$' })], {
      description: "optional (seed clients): must be the caller's own id, else 403 NOT_YOUR_ACCOUNT",
    }),
  );
