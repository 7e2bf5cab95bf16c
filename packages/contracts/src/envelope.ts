import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Every event on every topic travels in this envelope. `aggregateVersion` increases with each change of one
 * aggregate, so a replica can ignore an older state that arrives late or twice.
 */
export const EventEnvelope = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  occurredAt: Type.String({ format: 'date-time' }),
  source: Type.String({ minLength: 1 }),
  aggregateType: Type.String({ minLength: 1 }),
  aggregateId: Type.String({ minLength: 1 }),
  aggregateVersion: Type.Integer({ minimum: 0 }),
  payload: Type.Unknown(),
});
export type EventEnvelope<P = unknown> = Omit<Static<typeof EventEnvelope>, 'payload'> & { payload: P };

/** A named, versioned event contract: its type string, version and payload schema. */
export interface EventContract<S extends TSchema = TSchema> {
  type: string;
  version: number;
  topic: string;
  aggregateType: string;
  payload: S;
}

/**
 * `defineEvent(type, topic, aggregateType, payload)`: a contract is version 1 until its payload changes in a way
 * old readers cannot take; then it names its version.
 */
export const defineEvent = <S extends TSchema>(
  type: string,
  topic: string,
  aggregateType: string,
  payload: S,
  version = 1,
): EventContract<S> => ({ type, version, topic, aggregateType, payload });
