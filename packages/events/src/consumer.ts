import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type pg from 'pg';
import { EventEnvelope } from '@boxoffice/contracts';
import { withTransaction } from '@boxoffice/db';
import { ensureTopics, type EventBus } from './kafka';

export type EventHandler = (event: EventEnvelope, db: pg.PoolClient) => Promise<void>;

export interface EventConsumerOptions {
  bus: EventBus;
  pool: pg.Pool;
  /** Consumer group: all instances of one service share it, so each event is handled once per service. */
  groupId: string;
  /** Unprefixed topic names. */
  topics: string[];
  /** Handlers by event type; events of other types on these topics are acknowledged and skipped. */
  handlers: Record<string, EventHandler>;
  sessionTimeoutMs?: number;
  /**
   * How many partitions one instance handles at once (default 1). Events are keyed by aggregate, so one
   * aggregate's events stay in order whatever this is; raise it only for handlers that touch nothing but their
   * own aggregate's rows (a replica), never for ones that lock rows shared across aggregates (stock, wallets).
   */
  partitionsConcurrently?: number;
}

const envelopeCheck = TypeCompiler.Compile(EventEnvelope);

/**
 * Consumes events at least once and applies each exactly once: the event id goes into the inbox in the same
 * transaction as the handler's changes, so a redelivered event finds its id and changes nothing. Start-up does
 * not wait for Kafka: while it is unreachable the consumer keeps retrying in the background.
 */
export class EventConsumer {
  private consumer: Consumer | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private connected = false;
  private caughtUp = false;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly inboxName: string;

  constructor(private readonly options: EventConsumerOptions) {
    this.inboxName = options.groupId;
  }

  /** True while it is a member of its group and reading: a replica it feeds is receiving changes. */
  get isRunning(): boolean {
    return this.connected;
  }

  /**
   * True once this consumer (in this database) has read everything that was on its topics at some point: its
   * replica is complete as of then. False on a cold start, while readers cannot trust an absent row.
   */
  get hasCaughtUp(): boolean {
    return this.caughtUp;
  }

  start(): void {
    void this.loadSyncState().finally(() => this.connect(0));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.lagTimer);
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.connected = false;
  }

  private scheduleReconnect(attempt: number): void {
    if (this.stopped) return;
    const delay = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
    this.retryTimer = setTimeout(() => void this.connect(attempt + 1), delay);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const { bus, groupId, topics } = this.options;
    const consumer = bus.kafka.consumer({
      groupId: bus.topic(groupId),
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.connected = false;
      if (!payload.restart) {
        bus.logger.warn({ err: payload.error, groupId }, 'event consumer crashed; reconnecting');
        void consumer.disconnect().catch(() => undefined);
        this.scheduleReconnect(0);
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.connected = true;
    });
    try {
      const prefixed = topics.map((topic) => bus.topic(topic));
      await ensureTopics(bus, prefixed);
      await consumer.connect();
      await consumer.subscribe({ topics: prefixed, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
        eachMessage: (message) => this.handle(message),
      });
      this.consumer = consumer;
      if (this.stopped) await consumer.disconnect();
      else if (!this.caughtUp) this.scheduleLagCheck(0);
    } catch (error) {
      bus.logger.warn({ err: error, groupId, attempt }, 'event consumer could not start; retrying');
      await consumer.disconnect().catch(() => undefined);
      this.scheduleReconnect(attempt);
    }
  }

  private async loadSyncState(): Promise<void> {
    try {
      const { rowCount } = await this.options.pool.query('SELECT 1 FROM consumer_sync WHERE consumer = $1', [
        this.inboxName,
      ]);
      if (rowCount) this.caughtUp = true;
    } catch (error) {
      this.options.bus.logger.warn(
        { err: error, groupId: this.options.groupId },
        'event consumer: sync state unreadable',
      );
    }
  }

  private scheduleLagCheck(attempt: number): void {
    if (this.stopped || this.caughtUp) return;
    this.lagTimer = setTimeout(() => void this.checkLag(attempt), attempt === 0 ? 0 : 250);
  }

  /** Compares the group's committed offsets with the topics' ends until they meet once; then records it. */
  private async checkLag(attempt: number): Promise<void> {
    const { bus, topics, groupId, pool } = this.options;
    const admin = bus.kafka.admin();
    try {
      await admin.connect();
      let behind = false;
      for (const topic of topics.map((name) => bus.topic(name))) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: bus.topic(groupId), topics: [topic] });
        for (const end of ends) {
          if (Number(end.high) === Number(end.low)) continue; // nothing to read in this partition
          const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          if (Number(at) < Number(end.high)) behind = true;
        }
      }
      if (!behind) {
        await pool.query('INSERT INTO consumer_sync (consumer) VALUES ($1) ON CONFLICT DO NOTHING', [this.inboxName]);
        this.caughtUp = true;
        bus.logger.info({ groupId }, 'event consumer caught up: its replica is complete');
      }
    } catch (error) {
      bus.logger.debug({ err: error, groupId }, 'event consumer: lag check failed; will retry');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.scheduleLagCheck(attempt + 1);
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const { pool, handlers, bus } = this.options;
    const raw = message.value?.toString('utf8') ?? '';
    let event: unknown;
    try {
      event = JSON.parse(raw);
    } catch {
      event = undefined;
    }
    if (!envelopeCheck.Check(event)) {
      bus.logger.error(
        { topic, partition, offset: message.offset },
        'event consumer: unreadable message, dead-lettered',
      );
      await pool.query(
        'INSERT INTO dead_letters (consumer, topic, partition, "offset", raw, reason) VALUES ($1, $2, $3, $4, $5, $6)',
        [this.inboxName, topic, partition, message.offset, raw.slice(0, 10_000), 'not an event envelope'],
      );
      return;
    }
    const handler = handlers[event.type];
    if (!handler) return;
    await withTransaction(pool, async (client) => {
      const first = await client.query(
        'INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [this.inboxName, event.id, event.type],
      );
      if (first.rowCount === 0) return; // seen before: at-least-once delivery, applied once
      await handler(event, client);
    });
  }
}
