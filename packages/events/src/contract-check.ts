import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EventEnvelope, type EventContract } from '@boxoffice/contracts';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
const checkerOf = (schema: TSchema): TypeCheck<TSchema> => {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker;
};

/** The message as an event envelope, or undefined when it is not JSON or not an envelope. */
export function readEnvelope(raw: string): EventEnvelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return checkerOf(EventEnvelope).Check(value) ? (value as EventEnvelope) : undefined;
}

/**
 * Why a payload does not fit its contract (the first few mismatches, by JSON pointer), or undefined when it does.
 * Extra fields are allowed: a producer may add fields before its consumers know them (contracts are additive).
 */
export function payloadProblem(contract: EventContract, payload: unknown): string | undefined {
  const checker = checkerOf(contract.payload);
  if (checker.Check(payload)) return undefined;
  const problems = [...checker.Errors(payload)].slice(0, 5).map((error) => `${error.path || '/'} ${error.message}`);
  return `not a ${contract.type} v${contract.version} payload: ${problems.join('; ')}`;
}

/** The envelope typed by its contract when its type is the contract's and its payload fits; else undefined. */
export function asEventOf<S extends TSchema>(
  contract: EventContract<S>,
  event: EventEnvelope,
): EventEnvelope<Static<S>> | undefined {
  if (event.type !== contract.type || payloadProblem(contract, event.payload)) return undefined;
  return event as EventEnvelope<Static<S>>;
}
