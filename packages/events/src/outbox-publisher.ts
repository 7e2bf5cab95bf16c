import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { EventEnvelope } from '@boxoffice/contracts';
import { publishSpan, untraced, type PublishSpan, type TraceCarrier } from '@boxoffice/tracing';
import type { EventMetrics } from './event-metrics';
import { backoff, describeError, rejectedByBroker } from './failures';
import { ensureTopics, type EventBus } from './kafka';
import type { EventSigner } from './signing';

export interface OutboxPublisherOptions {
  bus: EventBus;
  pool: pg.Pool;
  name: string;
  batchSize?: number;
  maxBackoffMs?: number;
  maxAttempts?: number;
  retryBackoffMs?: number;
  metrics: EventMetrics;
  declared?: string[];
  /** Signs each envelope as it leaves (after the outbox's jsonb, which reorders keys: the signature is over sorted keys). */
  signer: EventSigner;
}

interface Message {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface OutboxRow {
  seq: number;
  type: string;
  topic: string;
  aggregate_id: string;
  payload: EventEnvelope;
  failed_attempts: number;
  trace_context: TraceCarrier | null;
}

/**
 * The relay's publishing step: the oldest pending rows to Kafka in order. A row the broker refuses for good is held
 * back with its own backoff (with the later rows of its aggregate, to keep their order) while the others go on,
 * and set aside as `dead` after maxAttempts refusals. An outage throws, leaving every row pending and uncounted.
 */
export class OutboxPublisher {
  /** Refused rows: not tried again before this time (ms). Lost on restart, which only means an earlier retry. */
  private readonly notBefore = new Map<number, number>();
  private readonly undeclared = new Set<string>();

  constructor(
    private readonly options: OutboxPublisherOptions,
    private readonly producer: () => Promise<Producer>,
  ) {}

  /** Sends the oldest pending rows; returns how many were published. Throws, leaving them pending, on an outage. */
  async publishBatch(): Promise<number> {
    const { pool, batchSize = 200 } = this.options;
    const { rows } = await pool.query<OutboxRow>(
      `SELECT seq, type, topic, aggregate_id, payload, failed_attempts, trace_context FROM outbox
       WHERE state = 'pending' ORDER BY seq LIMIT $1`,
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

  /**
   * One batch to the broker. A row written in a traced transaction is sent as a child of it (its own PRODUCER
   * span, its headers carrying that span); the batch itself is untraced, since one call holds rows of many traces.
   */
  private async send(rows: OutboxRow[]): Promise<void> {
    const { bus } = this.options;
    const byTopic = new Map<string, Message[]>();
    const spans: PublishSpan[] = [];
    for (const row of rows) {
      const topic = bus.topic(row.topic);
      const messages = byTopic.get(topic) ?? [];
      const message: Message = { key: row.aggregate_id, value: JSON.stringify(this.options.signer.sign(row.payload)) };
      if (row.trace_context) {
        const span = publishSpan(row.trace_context, `publish ${topic}`, {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.kafka.message.key': row.aggregate_id,
          'messaging.message.type': row.type,
        });
        message.headers = span.headers;
        spans.push(span);
      }
      messages.push(message);
      byTopic.set(topic, messages);
    }
    try {
      await ensureTopics(bus, [...byTopic.keys()]);
      const producer = await this.producer();
      await untraced(() =>
        producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        }),
      );
    } catch (error) {
      spans.forEach((span) => span.end(error));
      throw error;
    }
    spans.forEach((span) => span.end());
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
      this.options.metrics.deadLettered({ source: 'outbox', reason: 'rejected-by-broker' });
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
}
