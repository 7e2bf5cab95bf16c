import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import type { Queryable } from '@boxoffice/db';
import { traceCarrier } from '@boxoffice/tracing';

export const OUTBOX_CHANNEL = 'boxoffice_outbox';

export interface NewEvent<S extends TSchema> {
  aggregateId: string | number;
  aggregateVersion: number;
  payload: Static<S>;
}

/** The envelope an owner publishes a change in: a fresh id, the contract's names, the aggregate's revision. */
export function newEnvelope<S extends TSchema>(
  source: string,
  contract: EventContract<S>,
  event: NewEvent<S>,
): EventEnvelope<Static<S>> {
  return {
    id: randomUUID(),
    type: contract.type,
    version: contract.version,
    occurredAt: new Date().toISOString(),
    source,
    aggregateType: contract.aggregateType,
    aggregateId: String(event.aggregateId),
    aggregateVersion: event.aggregateVersion,
    payload: event.payload,
  };
}

/**
 * Writes an event to the outbox. Call it with the transaction that makes the change, so both commit or
 * neither does; the relay publishes it after the commit, woken by the NOTIFY (also transactional). The active
 * trace context, when tracing is on, goes with the row: the relay publishes the event in the same trace.
 */
export async function appendEvent<S extends TSchema>(
  db: Queryable,
  source: string,
  contract: EventContract<S>,
  event: NewEvent<S>,
): Promise<EventEnvelope<Static<S>>> {
  const envelope = newEnvelope(source, contract, event);
  // One round trip for the row and its wake-up call: a hold or a payment appends several events per transaction.
  await db.query(
    `WITH appended AS (
       INSERT INTO outbox (id, topic, type, aggregate_id, payload, trace_context) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING seq
     )
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM appended`,
    [envelope.id, contract.topic, contract.type, envelope.aggregateId, envelope, traceCarrier()],
  );
  return envelope;
}

/**
 * Writes several events of one contract to the outbox in one statement (and one wake-up call), in the given
 * order: for a writer that records many changes in one transaction (a batch), instead of a round trip each.
 */
export async function appendEvents<S extends TSchema>(
  db: Queryable,
  source: string,
  contract: EventContract<S>,
  events: NewEvent<S>[],
): Promise<EventEnvelope<Static<S>>[]> {
  if (events.length === 0) return [];
  const envelopes = events.map((event) => newEnvelope(source, contract, event));
  // WITH ORDINALITY keeps the given order in seq, which is the order the relay publishes in
  await db.query(
    `WITH appended AS (
       INSERT INTO outbox (id, topic, type, aggregate_id, payload, trace_context)
       SELECT id, $2, $3, aggregate_id, payload, $6::jsonb
         FROM unnest($1::uuid[], $4::text[], $5::jsonb[]) WITH ORDINALITY AS e(id, aggregate_id, payload, n)
        ORDER BY n
       RETURNING seq
     )
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT 1 FROM appended LIMIT 1) AS any_appended`,
    [
      envelopes.map((envelope) => envelope.id),
      contract.topic,
      contract.type,
      envelopes.map((envelope) => envelope.aggregateId),
      envelopes.map((envelope) => JSON.stringify(envelope)),
      traceCarrier(), // one transaction: one trace context for all of them
    ],
  );
  return envelopes;
}

/** Rows not yet published: what "the outbox is drained" checks. */
export async function pendingOutboxCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM outbox WHERE state = 'pending'`,
  );
  return rows[0]!.count;
}
