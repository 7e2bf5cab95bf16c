import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '@boxoffice/contracts';
import type { Pool } from '@boxoffice/db';
import {
  EventConsumer,
  EventSigner,
  EventVerifier,
  applyToReplica,
  newEnvelope,
  type EventBus,
} from '@boxoffice/events';
import { waitFor } from '@boxoffice/testing';
import { WidgetChanged, appendWidget, eventsTestBed, testSigner, testVerifier, type TestBed } from './support/test-bed';

/**
 * Only the owner of a topic (`test` for `test.*`) can make a consumer apply an event on it: its relay signs each
 * envelope with its Ed25519 key, and the consumer checks it with the owner's public key. Anything else that reaches
 * the topic (unsigned, another key claiming to be the owner, another service signing as itself, a genuine event
 * altered) is dead-lettered with its reason and never applied; the partition moves on. Real PostgreSQL and Kafka.
 */
describe('signed events: a consumer applies only what the owner of the topic signed', () => {
  let bed: TestBed;
  let pool: Pool;
  let bus: EventBus;
  let stopFlow: () => Promise<void>;
  const applied: string[] = [];

  const widget = async (id: string) =>
    (await pool.query('SELECT name FROM widgets_replica WHERE id = $1', [id])).rows[0] as { name: string } | undefined;
  const envelope = (id: string, name: string, source = 'test') =>
    newEnvelope(source, WidgetChanged, { aggregateId: id, aggregateVersion: 1, payload: { id, name } });
  /** Straight to the owner's topic, as anyone with access to the broker can. */
  const produce = (key: string, value: object) => bed.produce([{ key, value: JSON.stringify(value) }]);
  const deadLetter = async (eventId: string) =>
    (await pool.query('SELECT reason, error, state FROM dead_letters WHERE event_id = $1', [eventId])).rows;

  beforeAll(async () => {
    bed = await eventsTestBed('fixtures');
    ({ pool, bus } = bed);
    stopFlow = await bed.startFlow({
      relay: { name: 'signed' },
      consumer: { groupId: 'signed-widgets', replayPollMs: 200 },
      subscribe: (consumer) =>
        consumer.on(WidgetChanged, async (event, db) => {
          applied.push(event.payload.id);
          await applyToReplica(db, 'widgets_replica', 'id', event.payload, event.aggregateVersion);
        }),
    });
  });

  afterAll(() => stopFlow());

  it('when the owner publishes through its outbox, then its signed events apply (the signature survives jsonb reordering the keys)', async () => {
    await appendWidget(pool, 's1', 'genuine');
    await waitFor('the genuine event applied', () => widget('s1'));
    expect(await widget('s1')).toEqual({ name: 'genuine' });
    // and what travelled is signed: read it back from the outbox's published row, signed again, it verifies
    const { rows } = await pool.query<{ payload: EventEnvelope }>(
      `SELECT payload FROM outbox WHERE aggregate_id = 's1'`,
    );
    expect(testVerifier.problem(testSigner.sign(rows[0]!.payload), WidgetChanged.topic)).toBeUndefined();
  });

  it.each([
    ['unsigned', 'unsigned', (e: EventEnvelope) => e, /without a signature/],
    [
      'signed by another key claiming to be the owner',
      'forged',
      (e: EventEnvelope) => new EventSigner(randomBytes(32).toString('hex')).sign(e),
      /not test's key/,
    ],
    [
      'whose payload was altered after the owner signed it',
      'forged',
      (e: EventEnvelope) => ({ ...testSigner.sign(e), payload: { ...(e.payload as object), name: 'altered' } }),
      /not test's key/,
    ],
  ])(
    'when an event %s reaches the topic, then it is dead-lettered as %s, never applied, and the next event applies',
    async (what, reason, forge, error) => {
      const id = `f-${what.length}-${String(reason)}`;
      const forged = envelope(id, 'forged');
      await produce(id, forge(forged));
      await appendWidget(pool, `${id}-next`, 'after the forged one', 1, id); // same key: same partition, behind it
      await waitFor('the genuine event behind the forged one', () => widget(`${id}-next`));
      expect(await widget(id)).toBeUndefined();
      expect(applied).not.toContain(id);
      expect(await deadLetter(forged.id)).toEqual([{ reason, error: expect.stringMatching(error), state: 'dead' }]);
    },
  );

  it('when another service signs an event on a topic it does not own with its own real key, then it is refused as not-owner', async () => {
    const intruder = new EventSigner(randomBytes(32).toString('hex'));
    const forged = intruder.sign(envelope('f-intruder', 'forged', 'ticket'));
    await produce('f-intruder', forged);
    await appendWidget(pool, 'f-intruder-next', 'after', 1, 'f-intruder');
    await waitFor('the genuine event behind it', () => widget('f-intruder-next'));
    expect(await widget('f-intruder')).toBeUndefined();
    expect(await deadLetter(forged.id)).toEqual([
      {
        reason: 'not-owner',
        error: expect.stringMatching(/from "ticket": only test publishes on test\.widgets/),
        state: 'dead',
      },
    ]);
  });

  it('when an operator replays a forged dead letter, then it is refused again and stays dead, never applied', async () => {
    const forged = envelope('f-replayed', 'forged');
    await produce('f-replayed', new EventSigner(randomBytes(32).toString('hex')).sign(forged));
    await waitFor('the forged event dead-lettered', async () => (await deadLetter(forged.id)).length === 1);
    await pool.query(`UPDATE dead_letters SET state = 'replay' WHERE event_id = $1`, [forged.id]);
    await waitFor('the replay tried', async () => (await deadLetter(forged.id))[0]?.state === 'dead');
    expect(await widget('f-replayed')).toBeUndefined();
    expect(applied).not.toContain('f-replayed');
  });

  it('when a consumer has no public key of the owner of a topic it reads, then it refuses to start', () => {
    const blind = new EventConsumer({
      bus,
      pool,
      groupId: 'blind',
      verifier: new EventVerifier({ other: [testSigner.publicKey] }),
    }).on(WidgetChanged, async () => undefined);
    expect(() => blind.start()).toThrow(/no public key of the owner of test\.widgets \(EVENT_VERIFY_KEYS\)/);
  });

  it('when 2,000 envelopes are signed and verified, then every one verifies (the cost per event is printed)', () => {
    const events = Array.from({ length: 2_000 }, (_, i) => envelope(`perf-${i}`, 'x'));
    const started = process.hrtime.bigint();
    const signed = events.map((e) => testSigner.sign(e));
    const signedAt = process.hrtime.bigint();
    signed.forEach((e) => testVerifier.problem(e, WidgetChanged.topic));
    const verifiedAt = process.hrtime.bigint();
    const perEvent = (from: bigint, to: bigint) => Number(to - from) / 1e3 / events.length;
    console.log(
      `Ed25519: sign ${perEvent(started, signedAt).toFixed(1)} µs, verify ${perEvent(signedAt, verifiedAt).toFixed(1)} µs per event`,
    );
    expect(signed.every((e) => testVerifier.problem(e, WidgetChanged.topic) === undefined)).toBe(true);
  });
});
