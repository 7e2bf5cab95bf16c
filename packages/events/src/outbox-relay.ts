import pg from 'pg';
import type { Producer } from 'kafkajs';
import { NO_METRICS, type EventMetrics } from './event-metrics';
import { backoff, describeError, rejectedByBroker } from './failures';
import { OUTBOX_CHANNEL } from './outbox';
import { ensureTopics, type EventBus } from './kafka';

export interface OutboxRelayOptions {
  bus: EventBus;
  databaseUrl: string;
  pool: pg.Pool;
  /** Distinguishes relays of different services that share a database server. */
  name: string;
  batchSize?: number;
  idlePollMs?: number;
  maxBackoffMs?: number;
  /** Published rows older than this are deleted; pending rows never are. */
  retentionHours?: number;
  /** Refusals by the broker (never outages) after which a row is set aside as `dead` (default 5). */
  maxAttempts?: number;
  /** Wait before a refused row is tried again; it doubles up to maxBackoffMs (default 200 ms). */
  retryBackoffMs?: number;
  metrics?: EventMetrics;
  /** The event types the service declares it publishes; a row of another type is published, and logged once. */
  declared?: string[];
}

interface OutboxRow {
  seq: number;
  type: string;
  topic: string;
  aggregate_id: string;
  payload: unknown;
  failed_attempts: number;
}

/**
 * Publishes outbox rows to Kafka in commit order, at least once, retrying forever with backoff while Kafka is
 * down. One relay per service publishes at a time: it holds a PostgreSQL advisory lock on its own connection,
 * so events of one aggregate are never reordered by two instances racing, and when the holder dies its
 * connection closes, the lock is released and a standby instance takes over.
 *
 * A row the broker refuses for good (too large, an invalid topic) is a poison row: it is retried with its own
 * backoff while the rows of other aggregates go on (later rows of its own aggregate wait behind it, keeping their
 * order), and after `maxAttempts` refusals it is set aside as `dead` with its error (`npm run ops -- republish`).
 */
export class OutboxRelay {
  private stopped = false;
  private running: Promise<void> | undefined;
  private leaderClient: pg.Client | undefined;
  private producer: Producer | undefined;
  private wake: (() => void) | undefined;
  /** A NOTIFY that came while the relay was busy: the next idle() returns at once instead of waiting a poll. */
  private woken = false;
  private failures = 0;
  private lastCleanup = 0;
  /** Refused rows: not tried again before this time (ms). Lost on restart, which only means an earlier retry. */
  private readonly notBefore = new Map<number, number>();
  private readonly undeclared = new Set<string>();
  private readonly lockKey: number;
  private readonly metrics: EventMetrics;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = hashToInt32(`outbox-relay:${options.name}`);
    this.metrics = options.metrics ?? NO_METRICS;
  }

  get isLeader(): boolean {
    return this.leaderClient !== undefined;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await this.releaseLeadership();
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  private async loop(): Promise<void> {
    const { bus, idlePollMs = 500, maxBackoffMs = 5_000 } = this.options;
    while (!this.stopped) {
      try {
        if (!this.leaderClient && !(await this.tryBecomeLeader())) {
          await this.idle(1_000);
          continue;
        }
        const published = await this.publishBatch();
        this.failures = 0;
        await this.cleanup();
        if (published === 0) await this.idle(idlePollMs);
      } catch (error) {
        this.failures++;
        const backoff = Math.min(maxBackoffMs, 100 * 2 ** Math.min(this.failures, 10));
        bus.logger.warn(
          { err: error, attempt: this.failures, retryInMs: backoff },
          'outbox relay: publishing failed, will retry',
        );
        await this.resetProducer();
        if (this.leaderClient && !(await this.leaderAlive())) await this.releaseLeadership();
        await this.idle(backoff);
      }
    }
  }

  private async tryBecomeLeader(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined); // a lost connection is noticed by the next query
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      this.lockKey,
    ]);
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    client.on('notification', () => {
      this.woken = true;
      this.wake?.();
    });
    this.leaderClient = client;
    this.options.bus.logger.info({ relay: this.options.name }, 'outbox relay: this instance publishes the outbox');
    return true;
  }

  private async leaderAlive(): Promise<boolean> {
    try {
      await this.leaderClient?.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async releaseLeadership(): Promise<void> {
    const client = this.leaderClient;
    this.leaderClient = undefined;
    await client?.end().catch(() => undefined);
  }

  private async idle(ms: number): Promise<void> {
    if (this.stopped) return;
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      // One request in flight keeps each partition in outbox order. Not kafkajs's idempotent mode: it wants
      // endless retries inside send(), which would hide a Kafka outage from the relay; consumers' inboxes
      // already make a re-sent event harmless.
      const producer = this.options.bus.kafka.producer({
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async resetProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  /** Sends the oldest pending rows; returns how many were published. Throws, leaving them pending, on an outage. */
  private async publishBatch(): Promise<number> {
    const { pool, batchSize = 200 } = this.options;
    this.woken = false; // this SELECT sees every row committed before now
    const { rows } = await pool.query<OutboxRow>(
      `SELECT seq, type, topic, aggregate_id, payload, failed_attempts FROM outbox WHERE state = 'pending'
       ORDER BY seq LIMIT $1`,
      [batchSize],
    );
    const ready = this.notWaiting(rows);
    if (ready.length === 0) return 0;
    this.noticeUndeclared(ready);
    try {
      await this.send(ready);
    } catch (error) {
      if (!rejectedByBroker(error)) {
        await this.recordAttempt(ready, error);
        throw error;
      }
      return this.publishOneByOne(ready);
    }
    await this.markPublished(ready);
    return ready.length;
  }

  /** Leaves out refused rows still in their backoff, and the later rows of their aggregates (order per aggregate). */
  private notWaiting(rows: OutboxRow[]): OutboxRow[] {
    const now = Date.now();
    const held = new Set<string>();
    return rows.filter((row) => {
      const aggregate = `${row.topic} ${row.aggregate_id}`;
      if (held.has(aggregate)) return false;
      if ((this.notBefore.get(row.seq) ?? 0) <= now) return true;
      held.add(aggregate);
      return false;
    });
  }

  private noticeUndeclared(rows: OutboxRow[]): void {
    const { declared, bus, name } = this.options;
    if (!declared) return;
    for (const { type } of rows) {
      if (declared.includes(type) || this.undeclared.has(type)) continue;
      this.undeclared.add(type);
      bus.logger.error({ relay: name, type }, `outbox relay: ${type} is published but not in the service's publishes`);
    }
  }

  /** After the broker refused a batch: each row alone, so only the refused one is held back. */
  private async publishOneByOne(rows: OutboxRow[]): Promise<number> {
    const held = new Set<string>();
    let published = 0;
    for (const row of rows) {
      const aggregate = `${row.topic} ${row.aggregate_id}`;
      if (held.has(aggregate)) continue;
      try {
        await this.send([row]);
      } catch (error) {
        if (!rejectedByBroker(error)) {
          await this.recordAttempt([row], error);
          throw error;
        }
        if (!(await this.recordRefusal(row, error))) held.add(aggregate);
        continue;
      }
      await this.markPublished([row]);
      published++;
    }
    return published;
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const { bus } = this.options;
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const row of rows) {
      const topic = bus.topic(row.topic);
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.aggregate_id, value: JSON.stringify(row.payload) });
      byTopic.set(topic, messages);
    }
    await ensureTopics(bus, [...byTopic.keys()]);
    const producer = await this.getProducer();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private async markPublished(rows: OutboxRow[]): Promise<void> {
    rows.forEach((row) => this.notBefore.delete(row.seq));
    await this.options.pool.query(
      `UPDATE outbox SET state = 'published', published_at = now(), attempts = attempts + 1, last_error = NULL
       WHERE seq = ANY($1)`,
      [rows.map((row) => row.seq)],
    );
  }

  /** An outage: the rows stay pending, their tries and the error on record for `npm run ops -- outbox`. */
  private async recordAttempt(rows: OutboxRow[], error: unknown): Promise<void> {
    await this.options.pool
      .query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1)', [
        rows.map((row) => row.seq),
        describeError(error).slice(0, 500),
      ])
      .catch(() => undefined);
  }

  /** The broker refused this row: counted, and dead after maxAttempts. Returns whether it is now dead. */
  private async recordRefusal(row: OutboxRow, error: unknown): Promise<boolean> {
    const { pool, bus, maxAttempts = 5, retryBackoffMs = 200, maxBackoffMs = 5_000 } = this.options;
    const failed = row.failed_attempts + 1;
    const dead = failed >= maxAttempts;
    await pool.query(
      `UPDATE outbox SET attempts = attempts + 1, failed_attempts = $2, last_error = $3,
              state = CASE WHEN $4 THEN 'dead' ELSE state END, dead_at = CASE WHEN $4 THEN now() END
       WHERE seq = $1`,
      [row.seq, failed, describeError(error).slice(0, 500), dead],
    );
    if (dead) {
      this.notBefore.delete(row.seq);
      this.metrics.deadLettered({ source: 'outbox', reason: 'rejected-by-broker' });
      bus.logger.error(
        { err: error, relay: this.options.name, seq: row.seq, topic: row.topic, attempts: failed },
        'outbox relay: the broker refuses this row; set aside as dead, the rows behind it go on',
      );
    } else {
      this.notBefore.set(row.seq, Date.now() + backoff(failed, retryBackoffMs, maxBackoffMs));
      bus.logger.warn({ err: error, relay: this.options.name, seq: row.seq, attempt: failed }, 'broker refused a row');
    }
    return dead;
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await this.options.pool.query(
      `DELETE FROM outbox WHERE state = 'published' AND published_at < now() - make_interval(hours => $1)`,
      [this.options.retentionHours ?? 24],
    );
  }
}

function hashToInt32(text: string): number {
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}
