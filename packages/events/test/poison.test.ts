import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Registry } from 'prom-client';
import { defineEvent } from '@boxoffice/contracts';
import { splitDatabaseUrl, withTransaction, type Pool } from '@boxoffice/db';
import { appendEvent, applyToReplica, newEnvelope, pendingOutboxCount, registerEventMetrics } from '@boxoffice/events';
import { waitFor } from '@boxoffice/testing';
import { WidgetChanged, appendWidget, eventsTestBed, testSigner, type TestBed } from './support/test-bed';

/** A contract whose topic the broker refuses for good: the relay's poison row. */
const Unpublishable = defineEvent('widget.changed', 'test.not a topic!', 'widget', WidgetChanged.payload);

const run = promisify(execFile);
const OPS = path.join(__dirname, '..', '..', '..', 'scripts', 'ops.mjs');

describe('poison events: dead letters, isolation and replay, against real PostgreSQL and Kafka', () => {
  const warnings: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn: (_: object, message?: string) => void warnings.push(message ?? ''),
    error() {},
  };
  const registry = new Registry();
  const calls = new Map<string, number>(); // handler calls per widget id
  let failing = true; // a handler bug the operator fixes before replaying
  let bed: TestBed;
  let databaseUrl: string;
  let pool: Pool;
  let stopFlow: () => Promise<void>;

  const ops = (...args: string[]) =>
    run(process.execPath, [OPS, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });
  const widget = async (id: string) =>
    (await pool.query('SELECT name, revision FROM widgets_replica WHERE id = $1', [id])).rows[0];
  /** Straight to the topic, as a producer that does not keep the contract would. */
  const produce = (key: string, value: string) => bed.produce([{ key, value }]);

  beforeAll(async () => {
    bed = await eventsTestBed('fixtures', logger);
    ({ pool, databaseUrl } = bed);
    const metrics = registerEventMetrics(registry, pool);
    stopFlow = await bed.startFlow({
      relay: { name: 'poison', maxAttempts: 2, retryBackoffMs: 50, metrics },
      consumer: { groupId: 'widgets', maxAttempts: 3, retryBackoffMs: 50, replayPollMs: 200, metrics },
      subscribe: (consumer) =>
        consumer.on(WidgetChanged, async (event, db) => {
          const { id, name } = event.payload;
          calls.set(id, (calls.get(id) ?? 0) + 1);
          await applyToReplica(db, 'widgets_replica', 'id', { id, name }, event.aggregateVersion);
          if (name === 'explodes' && failing) throw new TypeError(`cannot take a widget named ${name}`);
        }),
    });
  });

  afterAll(() => stopFlow());

  it('when a payload breaks its contract, then it is dead-lettered with the reason, never applied, and the next event of its partition is', async () => {
    const invalid = newEnvelope('test', WidgetChanged, {
      aggregateId: 'p1',
      aggregateVersion: 1,
      payload: { id: 'p1', name: 'x' },
    });
    await produce('p1', JSON.stringify(testSigner.sign({ ...invalid, payload: { id: 'p1', name: 42 } })));
    await appendWidget(pool, 'p1-next', 'after the invalid one', 1, 'p1'); // same key: same partition, behind it
    await waitFor('the event behind the invalid one', () => widget('p1-next'));
    const { rows } = await pool.query('SELECT reason, error, event_id, event_type, state FROM dead_letters');
    expect(rows).toEqual([
      {
        reason: 'invalid-payload',
        error: expect.stringMatching(/^not a widget\.changed v1 payload: \/name /),
        event_id: invalid.id,
        event_type: 'widget.changed',
        state: 'dead',
      },
    ]);
    expect(await widget('p1')).toBeUndefined();
    expect(calls.get('p1')).toBeUndefined(); // the handler never saw it
    const inbox = await pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [invalid.id]);
    expect(inbox.rowCount).toBe(0);
  });

  it('when a handler keeps throwing, then after maxAttempts its message is dead-lettered with the error and the partition moves on; no try is half-applied', async () => {
    const poison = await appendWidget(pool, 'p2', 'explodes');
    await appendWidget(pool, 'p2-next', 'after the poison', 1, 'p2');
    await waitFor('the event behind the poison', () => widget('p2-next'));
    expect(calls.get('p2')).toBe(3);
    expect(await widget('p2')).toBeUndefined(); // each try rolled back what it wrote before throwing
    const { rows } = await pool.query('SELECT reason, error, attempts FROM dead_letters WHERE event_id = $1', [
      poison.id,
    ]);
    expect(rows).toEqual([
      { reason: 'handler-failed', error: 'TypeError: cannot take a widget named explodes', attempts: 3 },
    ]);
  });

  it('when an operator replays dead letters after fixing the cause, then they go through the handler once; a still invalid one stays dead', async () => {
    failing = false;
    const listed = await ops('dead-letters', 'events');
    expect(listed.stdout).toMatch(
      /handler-failed after 3 attempt\(s\): TypeError: cannot take a widget named explodes/,
    );
    expect(listed.stdout).toMatch(/invalid-payload/);
    const marked = await ops('replay', 'events', 'all');
    expect(marked.stdout).toMatch(/2 dead letter\(s\) marked for replay/);
    await waitFor('the replayed poison in the replica', () => widget('p2'));
    expect(calls.get('p2')).toBe(4);
    await waitFor('both replays done', async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM dead_letters WHERE state = 'replay'`);
      return rows[0].n === 0;
    });
    const { rows } = await pool.query('SELECT reason, state FROM dead_letters ORDER BY id');
    expect(rows).toEqual([
      { reason: 'invalid-payload', state: 'dead' }, // its payload still breaks the contract
      { reason: 'handler-failed', state: 'replayed' },
    ]);
    // asked again: the invalid one fails again; the replayed one, put back by hand, finds its id in the inbox
    await pool.query(`UPDATE dead_letters SET state = 'replay' WHERE reason = 'handler-failed'`);
    await ops('replay', 'events', 'all');
    await waitFor('the second replays done', async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM dead_letters WHERE state = 'replay'`);
      return rows[0].n === 0;
    });
    const again = await pool.query('SELECT reason, state, attempts FROM dead_letters ORDER BY id');
    expect(again.rows).toEqual([
      { reason: 'invalid-payload', state: 'dead', attempts: 2 },
      { reason: 'handler-failed', state: 'replayed', attempts: 3 },
    ]);
    expect(calls.get('p2')).toBe(4); // applied once
  });

  it('when the broker refuses an outbox row for good, then the rows behind it are published, and it is set aside as dead after maxAttempts', async () => {
    await withTransaction(pool, (tx) =>
      appendEvent(tx, 'test', Unpublishable, {
        aggregateId: 'p3',
        aggregateVersion: 1,
        payload: { id: 'p3', name: 'unpublishable' },
      }),
    );
    await appendWidget(pool, 'p4', 'behind the poison row');
    await waitFor('the row behind the poison row', () => widget('p4'));
    const dead = await waitFor('the poison row dead', async () => {
      const { rows } = await pool.query(
        `SELECT seq, state, failed_attempts, last_error FROM outbox WHERE aggregate_id = 'p3'`,
      );
      return rows[0]?.state === 'dead' ? rows[0] : undefined;
    });
    expect(dead).toMatchObject({ failed_attempts: 2, last_error: expect.stringMatching(/invalid topic/) });

    // the operator fixes the row, then puts it back: it is published in its turn
    await pool.query(`UPDATE outbox SET topic = $1 WHERE seq = $2`, [WidgetChanged.topic, dead.seq]);
    const republished = await ops('republish', 'events', String(dead.seq));
    expect(republished.stdout).toMatch(/1 outbox row\(s\) back to pending/);
    await waitFor('the republished row consumed', () => widget('p3'));
    await waitFor('the outbox drained', async () => (await pendingOutboxCount(pool)) === 0);
  });

  it('then /metrics shows the dead letters, the outbox and the consumer lag', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/events_dead_letters_total\{consumer="widgets",reason="invalid-payload"\} 1/);
    expect(text).toMatch(/events_dead_letters_total\{consumer="widgets",reason="handler-failed"\} 1/);
    expect(text).toMatch(/events_dead_letters_total\{source="outbox",reason="rejected-by-broker"\} 1/);
    expect(text).toMatch(/events_dead_letters_rows 1\n/); // the invalid payload, still dead
    expect(text).toMatch(/events_outbox_pending_rows 0\n/);
    expect(text).toMatch(/events_outbox_oldest_pending_seconds 0\n/);
    expect(text).toMatch(/events_consumer_lag_messages\{group="widgets",topic="test.widgets"\} 0\n/);
  });

  it('when PostgreSQL itself is unreachable, then a failing message is retried until it is back, never dead-lettered', async () => {
    const { database, serverUrl } = splitDatabaseUrl(databaseUrl);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      const during = newEnvelope('test', WidgetChanged, {
        aggregateId: 'p5',
        aggregateVersion: 1,
        payload: { id: 'p5', name: 'sent while the database is down' },
      });
      warnings.length = 0;
      await produce('p5', JSON.stringify(testSigner.sign(during)));
      // far longer than maxAttempts (3) tries with a 50 ms backoff would take to dead-letter it
      await waitFor('the consumer to meet the outage', () =>
        warnings.some((warning) => /a dependency is unreachable/.test(warning)),
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor('the event applied once the database is back', () => widget('p5'), { timeoutMs: 30_000 });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM dead_letters WHERE reason = 'handler-failed'`);
    expect(rows[0].n).toBe(1); // only the poison of the earlier test
  });
});
