import { withTransaction, type Pool } from '@boxoffice/db';
import { appendEvents, applyManyToReplica, newEnvelope } from '@boxoffice/events';
import { waitFor } from '@boxoffice/testing';
import type { EventEnvelope } from '@boxoffice/contracts';
import { WidgetChanged, eventsTestBed, testSigner, type TestBed } from './support/test-bed';

describe('batches: many events in one outbox statement, a consumer applying whole batches, against real PostgreSQL and Kafka', () => {
  const batchSizes: number[] = [];
  const calls = new Map<string, number>(); // handler calls per widget id (one per try of a batch holding it)
  let bed: TestBed;
  let pool: Pool;
  let stopFlow: () => Promise<void>;

  const widgets = async (prefix: string) =>
    (
      await pool.query<{ id: string; name: string; revision: number }>(
        'SELECT id, name, revision FROM widgets_replica WHERE id LIKE $1 ORDER BY id',
        [`${prefix}%`],
      )
    ).rows;
  const inboxCount = async (prefix: string) =>
    Number(
      (
        await pool.query(
          `SELECT count(*) AS n FROM inbox i JOIN outbox o ON o.id = i.event_id WHERE o.aggregate_id LIKE $1`,
          [`${prefix}%`],
        )
      ).rows[0].n,
    );
  /** A widget's change as its owner would publish it; `aggregateId` picks its partition. */
  const widgetEvent = (id: string, name: string, aggregateId = id, revision = 1) =>
    newEnvelope('test', WidgetChanged, { aggregateId, aggregateVersion: revision, payload: { id, name } });
  /** Signed as the owner signs them: what the test breaks is the payload or the handler, not the signature. */
  const produce = (messages: { key: string; value: EventEnvelope }[]) =>
    bed.produce(messages.map(({ key, value }) => ({ key, value: JSON.stringify(testSigner.sign(value)) })));

  beforeAll(async () => {
    bed = await eventsTestBed('fixtures');
    pool = bed.pool;
    stopFlow = await bed.startFlow({
      relay: { name: 'batches' },
      consumer: { groupId: 'widgets-batched', partitionsConcurrently: 3, maxAttempts: 2, retryBackoffMs: 50 },
      subscribe: (consumer) =>
        consumer.onBatch(WidgetChanged, async (events, db) => {
          batchSizes.push(events.length);
          for (const { payload } of events) calls.set(payload.id, (calls.get(payload.id) ?? 0) + 1);
          await applyManyToReplica(
            db,
            'widgets_replica',
            'id',
            events.map((event) => ({
              row: { id: event.payload.id, name: event.payload.name },
              revision: event.aggregateVersion,
            })),
          );
          if (events.some((event) => event.payload.name === 'explodes'))
            throw new TypeError('cannot take a widget named explodes');
        }),
    });
  });

  afterAll(() => stopFlow());

  it('when 3,000 changes of 1,000 widgets are appended in one statement, then the outbox keeps their order, and the replica ends at each newest state, taken in batches, each event once', async () => {
    const changes = [1, 2, 3].flatMap((revision) =>
      Array.from({ length: 1_000 }, (_, i) => {
        const id = `b1-${String(i).padStart(4, '0')}`;
        return { aggregateId: id, aggregateVersion: revision, payload: { id, name: `${id} r${revision}` } };
      }),
    );
    const envelopes = await withTransaction(pool, (tx) => appendEvents(tx, 'test', WidgetChanged, changes));
    const stored = await pool.query<{ id: string }>(
      "SELECT id FROM outbox WHERE aggregate_id LIKE 'b1-%' ORDER BY seq",
    );
    expect(stored.rows.map((row) => row.id)).toEqual(envelopes.map((envelope) => envelope.id));

    await waitFor('all 3,000 events in the inbox', async () => (await inboxCount('b1-')) === 3_000, {
      timeoutMs: 60_000,
    });
    const replica = await widgets('b1-');
    expect(replica).toHaveLength(1_000);
    expect(replica.every((row) => row.revision === 3 && row.name === `${row.id} r3`)).toBe(true);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('when the same event comes twice in a batch and again later, then it is applied once', async () => {
    const event = widgetEvent('b2-1', 'twice');
    const later = widgetEvent('b2-1', 'after', 'b2-1', 2);
    const value = event;
    await produce([
      { key: 'b2-1', value },
      { key: 'b2-1', value },
    ]);
    await produce([
      { key: 'b2-1', value },
      { key: 'b2-1', value: later },
    ]);
    await waitFor('the later event applied', async () => (await widgets('b2-'))[0]?.name === 'after');
    expect(calls.get('b2-1')).toBe(2); // the first event once, the later once
    const inbox = await pool.query('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [event.id]);
    expect(inbox.rows[0].n).toBe(1);
  });

  it('when a batch holds an invalid payload and a handler failure, then each is dead-lettered alone and every other event of the batch is applied', async () => {
    const invalid = widgetEvent('b3-invalid', 'x', 'b3');
    const poison = widgetEvent('b3-poison', 'explodes', 'b3');
    const good = Array.from({ length: 20 }, (_, i) =>
      widgetEvent(`b3-good-${String(i).padStart(2, '0')}`, 'fine', 'b3'),
    );
    // one key: one partition, so all of them come in the same batches, in this order
    await produce(
      [...good.slice(0, 10), { ...invalid, payload: { id: 'b3-invalid', name: 42 } }, poison, ...good.slice(10)].map(
        (envelope) => ({ key: 'b3', value: envelope }),
      ),
    );
    await waitFor('the good events behind the poison', async () => (await widgets('b3-good-')).length === 20, {
      timeoutMs: 30_000,
    });
    expect(await widgets('b3-poison')).toEqual([]); // every try rolled back
    expect(await widgets('b3-invalid')).toEqual([]);
    const letters = await pool.query<{ event_id: string; reason: string }>(
      'SELECT event_id, reason FROM dead_letters WHERE event_id = ANY($1::uuid[]) ORDER BY reason',
      [[invalid.id, poison.id]],
    );
    expect(letters.rows).toEqual([
      { event_id: poison.id, reason: 'handler-failed' },
      { event_id: invalid.id, reason: 'invalid-payload' },
    ]);
  });
});
