import { Type, type TLiteral } from '@sinclair/typebox';

/** One `Type.Literal` per value, in order: `Type.Union(literals('a', 'b'))` is the schema of `'a' | 'b'`. */
export const literals = <const T extends string[]>(...values: T) =>
  values.map((value) => Type.Literal(value)) as { [K in keyof T]: TLiteral<T[K]> };
