import pg from 'pg';
import type { Producer } from 'kafkajs';
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
}

interface OutboxRow {
  seq: number;
  topic: string;
  aggregate_id: string;
  payload: unknown;
}

/**
 * Publishes outbox rows to Kafka in commit order, at least once, retrying forever with backoff while Kafka is
 * down. One relay per service publishes at a time: it holds a PostgreSQL advisory lock on its own connection,
 * so events of one aggregate are never reordered by two instances racing, and when the holder dies its
 * connection closes, the lock is released and a standby instance takes over.
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
  private readonly lockKey: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = hashToInt32(`outbox-relay:${options.name}`);
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

  /** Sends the oldest pending rows; returns how many were published. Throws, leaving them pending, on failure. */
  private async publishBatch(): Promise<number> {
    const { pool, bus, batchSize = 200 } = this.options;
    this.woken = false; // this SELECT sees every row committed before now
    const { rows } = await pool.query<OutboxRow>(
      `SELECT seq, topic, aggregate_id, payload FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT $1`,
      [batchSize],
    );
    if (rows.length === 0) return 0;
    const seqs = rows.map((row) => row.seq);
    try {
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
    } catch (error) {
      await pool
        .query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1)', [
          seqs,
          String((error as Error).message ?? error).slice(0, 500),
        ])
        .catch(() => undefined);
      throw error;
    }
    await pool.query(
      `UPDATE outbox SET state = 'published', published_at = now(), attempts = attempts + 1, last_error = NULL
       WHERE seq = ANY($1)`,
      [seqs],
    );
    return rows.length;
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
