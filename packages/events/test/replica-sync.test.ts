import { Type } from '@sinclair/typebox';
import { defineEvent } from '@boxoffice/contracts';
import { withTransaction, type Pool } from '@boxoffice/db';
import {
  EventConsumer,
  OutboxRelay,
  appendEvent,
  applyToReplica,
  pendingOutboxCount,
  type EventBus,
} from '@boxoffice/events';
import { waitFor } from '@boxoffice/testing';
import { eventsTestBed, testSigner, testVerifier, type TestBed } from './support/test-bed';

const PairChanged = defineEvent(
  'pair.changed',
  'test.pairs',
  'pair',
  Type.Object({ left: Type.Integer(), right: Type.Integer(), label: Type.String() }),
);

describe('replicas keyed by several columns, and knowing when a replica is complete', () => {
  let bed: TestBed;
  let pool: Pool;
  let bus: EventBus;
  let relay: OutboxRelay;
  const consumers: EventConsumer[] = [];

  const newConsumer = () => {
    const consumer = new EventConsumer({ bus, pool, groupId: 'pairs-replica', verifier: testVerifier }).on(
      PairChanged,
      async (event, db) => {
        const { left, right, label } = event.payload;
        await applyToReplica(
          db,
          'pairs_replica',
          ['left_id', 'right_id'],
          { left_id: left, right_id: right, label },
          event.aggregateVersion,
        );
      },
    );
    consumers.push(consumer);
    return consumer;
  };

  const publish = (left: number, right: number, label: string, revision: number) =>
    withTransaction(pool, (tx) =>
      appendEvent(tx, 'test', PairChanged, {
        aggregateId: `${left}:${right}`,
        aggregateVersion: revision,
        payload: { left, right, label },
      }),
    );

  beforeAll(async () => {
    bed = await eventsTestBed('fixtures-sync');
    ({ pool, bus } = bed);
    relay = new OutboxRelay({ bus, pool, databaseUrl: bed.databaseUrl, name: 'sync-test', signer: testSigner });
    relay.start();
  });

  afterAll(async () => {
    await Promise.all([relay.stop(), ...consumers.map((consumer) => consumer.stop())]);
    await bed.close();
  });

  it('when events were published before the consumer started, then it reports caught up only after reading them all', async () => {
    for (let i = 1; i <= 20; i++) await publish(i, i + 1, `pair ${i}`, 1);
    await publish(1, 2, 'pair 1 renamed', 2);
    await publish(1, 2, 'pair 1 late and old', 1);
    // "complete" means: holds everything that is on the topic, so the events must be there first
    await waitFor('the outbox to drain', async () => (await pendingOutboxCount(pool)) === 0);

    const consumer = newConsumer();
    expect(consumer.hasCaughtUp).toBe(false);
    consumer.start();
    await waitFor('the consumer to catch up', () => consumer.hasCaughtUp, { timeoutMs: 30_000 });

    // caught up means every event was already applied, not merely received
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM pairs_replica');
    expect(rows[0].n).toBe(20);
    const pair = await pool.query('SELECT label, revision FROM pairs_replica WHERE left_id = 1 AND right_id = 2');
    expect(pair.rows[0]).toEqual({ label: 'pair 1 renamed', revision: 2 });
    expect((await pool.query('SELECT 1 FROM consumer_sync WHERE consumer = $1', ['pairs-replica'])).rowCount).toBe(1);
    await consumer.stop();
  });

  it('when a consumer of the same group starts again in the same database, then it is complete at once', async () => {
    const again = newConsumer();
    again.start();
    await waitFor('the recorded sync state to load', () => again.hasCaughtUp, { timeoutMs: 5_000 });
    await again.stop();
  });
});
