import pg from 'pg';
import type { Producer } from 'kafkajs';
import { NO_METRICS, type EventMetrics } from './event-metrics';
import type { EventBus } from './kafka';
import { OUTBOX_CHANNEL } from './outbox';
import { OutboxPublisher } from './outbox-publisher';
import type { EventSigner } from './signing';

export interface OutboxRelayOptions {
  bus: EventBus;
  databaseUrl: string;
  pool: pg.Pool;
  /** Distinguishes relays of different services that share a database server. */
  name: string;
  /** The service's key: every event is signed as it is published (consumers refuse unsigned ones). */
  signer: EventSigner;
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
  private readonly lockKey: number;
  private readonly publisher: OutboxPublisher;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = hashToInt32(`outbox-relay:${options.name}`);
    this.publisher = new OutboxPublisher({ ...options, metrics: options.metrics ?? NO_METRICS }, () =>
      this.getProducer(),
    );
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
        this.woken = false; // the publisher's SELECT sees every row committed before now
        const published = await this.publisher.publishBatch();
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
