import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineEvent } from '@boxoffice/contracts';
import { createPool, ensureDatabase, migrate, withTransaction, type Pool } from '@boxoffice/db';
import {
  EVENTS_MIGRATIONS,
  EventSigner,
  EventConsumer,
  OutboxRelay,
  ensureTopics,
  type EventConsumerOptions,
  type OutboxRelayOptions,
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
  /**
   * Starts the bed's event flow: the widgets topic, an outbox relay signing as `test`, and a consumer trusting only
   * `test`, with the handlers `subscribe` adds. The answer stops both and closes the bed (for `afterAll`).
   */
  startFlow(options: {
    relay: Omit<OutboxRelayOptions, 'bus' | 'pool' | 'databaseUrl' | 'signer'>;
    consumer: Omit<EventConsumerOptions, 'bus' | 'pool' | 'verifier'>;
    subscribe: (consumer: EventConsumer) => EventConsumer;
  }): Promise<() => Promise<void>>;
  /** Sends messages straight to the widgets topic, past any outbox, as anyone with access to the broker can. */
  produce(messages: { key: string; value: string }[]): Promise<void>;
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
  const bed: TestBed = {
    env,
    databaseUrl,
    pool,
    bus,
    async startFlow(options) {
      await ensureTopics(bus, [bus.topic(WidgetChanged.topic)]);
      const relay = new OutboxRelay({ bus, pool, databaseUrl, signer: testSigner, ...options.relay });
      const consumer = options.subscribe(new EventConsumer({ bus, pool, verifier: testVerifier, ...options.consumer }));
      relay.start();
      consumer.start();
      return async () => {
        await Promise.all([relay.stop(), consumer.stop()]);
        await bed.close();
      };
    },
    async produce(messages) {
      const producer = bus.kafka.producer();
      await producer.connect();
      await producer.send({ topic: bus.topic(WidgetChanged.topic), messages });
      await producer.disconnect();
    },
    async close() {
      await pool.end();
      await dropDatabase(databaseUrl);
    },
  };
  return bed;
}

/** A widget's change, committed with its event in the outbox (keyed by `aggregateId`, the widget's id by default). */
export const appendWidget = (pool: Pool, id: string, name: string, revision = 1, aggregateId = id) =>
  withTransaction(pool, (tx) =>
    appendEvent(tx, 'test', WidgetChanged, { aggregateId, aggregateVersion: revision, payload: { id, name } }),
  );
