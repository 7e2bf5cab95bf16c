import { withTransaction, type Pool } from '@boxoffice/db';
import {
  EventConsumer,
  OutboxRelay,
  appendEvent,
  applyToReplica,
  ensureTopics,
  pendingOutboxCount,
  type EventBus,
} from '@boxoffice/events';
import { EventRecorder, waitFor } from '@boxoffice/testing';
import { WidgetChanged, appendWidget, eventsTestBed, testSigner, testVerifier, type TestBed } from './support/test-bed';

describe('outbox relay, consumer inbox and replica against real PostgreSQL and Kafka', () => {
  let bed: TestBed;
  let pool: Pool;
  let bus: EventBus;
  let relay: OutboxRelay;
  let consumer: EventConsumer;

  beforeAll(async () => {
    bed = await eventsTestBed('fixtures');
    ({ pool, bus } = bed);
    relay = new OutboxRelay({ bus, pool, databaseUrl: bed.databaseUrl, name: 'events-test', signer: testSigner });
    relay.start();
    consumer = new EventConsumer({ bus, pool, groupId: 'widgets-replica', verifier: testVerifier }).on(
      WidgetChanged,
      async (event, db) => {
        await applyToReplica(db, 'widgets_replica', 'id', event.payload, event.aggregateVersion);
        // counts how often a handler really changed something, to prove redelivery is applied once
        await db.query('UPDATE widgets_replica SET applied_count = applied_count + 1 WHERE id = $1', [
          event.payload.id,
        ]);
      },
    );
    consumer.start();
  });

  afterAll(async () => {
    await Promise.all([relay.stop(), consumer.stop()]);
    await bed.close();
  });

  it('when kafkajs produces to the broker, then a consumer reads the same message back', async () => {
    const topic = bus.topic('test.raw');
    await ensureTopics(bus, [topic]);
    const producer = bus.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello broker' }] });
    await producer.disconnect();
    const received: string[] = [];
    const reader = bus.kafka.consumer({ groupId: `raw-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void received.push(message.value!.toString()) });
    await waitFor('the raw message', () => received.includes('hello broker'));
    await reader.disconnect();
  });

  it('when a change commits with its event, then the relay publishes it and the replica applies it', async () => {
    await appendWidget(pool, 'w1', 'first');
    const row = await waitFor(
      'w1 in the replica',
      async () => (await pool.query('SELECT * FROM widgets_replica WHERE id = $1', ['w1'])).rows[0],
    );
    expect(row).toMatchObject({ name: 'first', revision: 1 });
    await waitFor('the outbox to drain', async () => (await pendingOutboxCount(pool)) === 0);
  });

  it('when the transaction rolls back, then no event is published', async () => {
    await expect(
      withTransaction(pool, async (tx) => {
        await appendEvent(tx, 'test', WidgetChanged, {
          aggregateId: 'ghost',
          aggregateVersion: 1,
          payload: { id: 'ghost', name: 'never' },
        });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = 'ghost'`);
    expect(rows[0].n).toBe(0);
  });

  it('when the same event is delivered again, then the inbox makes it a no-op', async () => {
    const event = await appendWidget(pool, 'w2', 'once');
    await waitFor(
      'w2 in the replica',
      async () => (await pool.query('SELECT 1 FROM widgets_replica WHERE id = $1', ['w2'])).rowCount,
    );
    // redeliver the identical envelope straight to the topic, as Kafka may after a consumer restart
    const producer = bus.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: bus.topic(WidgetChanged.topic),
      messages: [{ key: 'w2', value: JSON.stringify(testSigner.sign(event)) }],
    });
    await producer.disconnect();
    // a marker event behind it on the same partition proves the duplicate was consumed before we look
    await appendWidget(pool, 'w2', 'twice', 2);
    const row = await waitFor(
      'w2 revision 2',
      async () => (await pool.query('SELECT * FROM widgets_replica WHERE id = $1 AND revision = 2', ['w2'])).rows[0],
    );
    // 1 on insert, +1 by the handler for revision 1, +1 for revision 2: a re-applied duplicate would make it 4
    expect(row.applied_count).toBe(3);
    const inbox = await pool.query('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [event.id]);
    expect(inbox.rows[0].n).toBe(1);
  });

  it('when an older state arrives after a newer one, then the replica keeps the newer', async () => {
    await withTransaction(pool, async (tx) => {
      await appendEvent(tx, 'test', WidgetChanged, {
        aggregateId: 'w3',
        aggregateVersion: 5,
        payload: { id: 'w3', name: 'newer' },
      });
      await appendEvent(tx, 'test', WidgetChanged, {
        aggregateId: 'w3',
        aggregateVersion: 4,
        payload: { id: 'w3', name: 'older' },
      });
    });
    const recorder = await new EventRecorder(bus.topic(''), [WidgetChanged.topic]).start();
    await recorder.waitFor('the older w3 event', (event) => event.aggregateId === 'w3' && event.aggregateVersion === 4);
    await recorder.stop();
    await waitFor('both w3 events in the inbox', async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM inbox i JOIN outbox o ON o.id = i.event_id WHERE o.aggregate_id = 'w3'`,
      );
      return rows[0].n === 2;
    });
    const { rows } = await pool.query('SELECT name, revision FROM widgets_replica WHERE id = $1', ['w3']);
    expect(rows[0]).toEqual({ name: 'newer', revision: 5 });
  });

  it('when a message is not an event at all, then it is dead-lettered and the partition keeps moving', async () => {
    const producer = bus.kafka.producer();
    await producer.connect();
    await producer.send({ topic: bus.topic(WidgetChanged.topic), messages: [{ key: 'w4', value: '{not json' }] });
    await producer.disconnect();
    await appendWidget(pool, 'w4', 'after poison');
    await waitFor(
      'w4 after the poison message',
      async () => (await pool.query('SELECT 1 FROM widgets_replica WHERE id = $1', ['w4'])).rowCount,
    );
    const { rows } = await pool.query('SELECT raw, reason, error FROM dead_letters');
    expect(rows).toEqual([{ raw: '{not json', reason: 'unreadable', error: 'not an event envelope' }]);
  });
});
