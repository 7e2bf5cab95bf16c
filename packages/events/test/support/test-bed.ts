import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineEvent } from '@boxoffice/contracts';
import { createPool, ensureDatabase, migrate, withTransaction, type Pool } from '@boxoffice/db';
import {
  EVENTS_MIGRATIONS,
  EventSigner,
  ensureTopics,
  type EventConsumer,
  type OutboxRelay,
  EventVerifier,
  appendEvent,
  createEventBus,
  type EventBus,
  type Logger,
} from '@boxoffice/events';
import { dropDatabase, testEnv } from '@boxoffice/testing';

/** The widgets of the fixtures' widgets_replica. */
export const WidgetChanged = defineEvent(
  'widget.changed',
  'test.widgets',
  'widget',
  Type.Object({ id: Type.String(), name: Type.String() }),
);

/** The key of service `test`, owner of the `test.*` topics, and a verifier that trusts only it. */
export const testSigner = new EventSigner(randomBytes(32).toString('hex'));
export const testVerifier = new EventVerifier({ test: [testSigner.publicKey] });

export const quiet: Logger = process.env.DEBUG_EVENTS
  ? { debug: console.log, info: console.log, warn: console.log, error: console.log }
  : { debug() {}, info() {}, warn() {}, error() {} };

export interface TestBed {
  env: Record<string, string>;
  databaseUrl: string;
  pool: Pool;
  bus: EventBus;
  close(): Promise<void>;
}

/** A fresh database with the events tables and the tables of `fixtures/` (a folder beside the tests), and a bus. */
export async function eventsTestBed(fixtures: string, logger: Logger = quiet): Promise<TestBed> {
  const env = testEnv('events');
  const databaseUrl = env.DATABASE_URL!;
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl);
  await migrate(pool, [EVENTS_MIGRATIONS, { namespace: 'test', directory: path.join(__dirname, '..', fixtures) }]);
  const bus = createEventBus({
    brokers: env.KAFKA_BROKERS!,
    clientId: fixtures,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    logger,
  });
  return {
    env,
    databaseUrl,
    pool,
    bus,
    async close() {
      await pool.end();
      await dropDatabase(databaseUrl);
    },
  };
}

/** A widget's change, committed with its event in the outbox (keyed by `aggregateId`, the widget's id by default). */
export const appendWidget = (pool: Pool, id: string, name: string, revision = 1, aggregateId = id) =>
  withTransaction(pool, (tx) =>
    appendEvent(tx, 'test', WidgetChanged, { aggregateId, aggregateVersion: revision, payload: { id, name } }),
  );

/**
 * Creates the widgets topic, then starts the bed's outbox relay and consumer; the answer stops both and closes the
 * bed (for `afterAll`).
 */
export async function startWidgetFlow(
  bed: TestBed,
  relay: OutboxRelay,
  consumer: EventConsumer,
): Promise<() => Promise<void>> {
  await ensureTopics(bed.bus, [bed.bus.topic(WidgetChanged.topic)]);
  relay.start();
  consumer.start();
  return async () => {
    await Promise.all([relay.stop(), consumer.stop()]);
    await bed.close();
  };
}

/** Sends messages straight to the widgets topic, past any outbox, as anyone with access to the broker can. */
export async function produceWidgetMessages(bus: EventBus, messages: { key: string; value: string }[]): Promise<void> {
  const producer = bus.kafka.producer();
  await producer.connect();
  await producer.send({ topic: bus.topic(WidgetChanged.topic), messages });
  await producer.disconnect();
}
