import type { Static, TSchema } from '@sinclair/typebox';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type pg from 'pg';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import { withTransaction } from '@boxoffice/db';
import { payloadProblem, readEnvelope } from './contract-check';
import {
  claimForReplay,
  insertDeadLetter,
  markDeadAgain,
  markedForReplay,
  markReplayed,
  type DeadLetter,
  type ReceivedMessage,
} from './dead-letters';
import { NO_METRICS, type EventMetrics } from './event-metrics';
import { backoff, describeError, isTransient } from './failures';
import { ensureTopics, type EventBus } from './kafka';

/** Handles one event whose payload was checked against its contract, in the inbox transaction `db`. */
export type EventHandler<P = unknown> = (event: EventEnvelope<P>, db: pg.PoolClient) => Promise<void>;

export interface EventConsumerOptions {
  bus: EventBus;
  pool: pg.Pool;
  /** Consumer group: all instances of one service share it, so each event is handled once per service. */
  groupId: string;
  sessionTimeoutMs?: number;
  /**
   * How many partitions one instance handles at once (default 1). Events are keyed by aggregate, so one
   * aggregate's events stay in order whatever this is; raise it only for handlers that touch nothing but their
   * own aggregate's rows (a replica), never for ones that lock rows shared across aggregates (stock, wallets).
   */
  partitionsConcurrently?: number;
  /** Tries of a failing handler before its message is dead-lettered; outages do not count (default 5). */
  maxAttempts?: number;
  /** Wait before the second try; it doubles up to 5 s (default 200 ms). */
  retryBackoffMs?: number;
  /** How often dead letters marked for replay are looked for (default 2 s). */
  replayPollMs?: number;
  metrics?: EventMetrics;
}

interface Subscription {
  contract: EventContract;
  handler: EventHandler<never>;
}

class Stopping extends Error {}
class Refused extends Error {}

/**
 * Consumes events at least once and applies each exactly once: the event id goes into the inbox in the same
 * transaction as the handler's changes, so a redelivered event finds its id and changes nothing. Each payload is
 * checked against its contract before its handler runs. A message that cannot be applied (not an envelope, a
 * payload its contract rejects, a handler that failed `maxAttempts` times while the database answered) goes to
 * `dead_letters` and the partition moves on; while a dependency is unreachable the message is retried, never
 * dead-lettered. Start-up does not wait for Kafka: while it is unreachable the consumer retries in the background.
 */
export class EventConsumer {
  private readonly subscriptions = new Map<string, Subscription>();
  private consumer: Consumer | undefined;
  private started = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private connected = false;
  private caughtUp = false;
  private lagTimer: NodeJS.Timeout | undefined;
  private lastOutageWarning = 0;
  private readonly name: string;
  private readonly metrics: EventMetrics;

  constructor(private readonly options: EventConsumerOptions) {
    this.name = options.groupId;
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** Subscribes to a contract's events: `handler` gets them with their payload checked and typed. */
  on<S extends TSchema>(contract: EventContract<S>, handler: EventHandler<Static<S>>): this {
    if (this.started) throw new Error(`consumer ${this.name}: subscribe before it starts`);
    if (this.subscriptions.has(contract.type)) throw new Error(`consumer ${this.name} handles ${contract.type} twice`);
    this.subscriptions.set(contract.type, { contract, handler: handler as EventHandler<never> });
    return this;
  }

  get groupId(): string {
    return this.name;
  }

  /** The contracts it handles; its topics are theirs. */
  get contracts(): EventContract[] {
    return [...this.subscriptions.values()].map((subscription) => subscription.contract);
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
    if (this.subscriptions.size === 0) throw new Error(`consumer ${this.name} subscribes to nothing`);
    this.started = true;
    void this.loadSyncState().finally(() => this.connect(0));
    this.scheduleReplay();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.lagTimer);
    clearTimeout(this.replayTimer);
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.connected = false;
  }

  private topics(): string[] {
    return [...new Set(this.contracts.map((contract) => contract.topic))];
  }

  private scheduleReconnect(attempt: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.connect(attempt + 1), backoff(attempt + 1, 250));
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const { bus, groupId } = this.options;
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
      this.metrics.forgetLag(groupId);
    });
    const topicOf = new Map(this.topics().map((topic) => [bus.topic(topic), topic]));
    const lag = (topic: string, partition: number, messages: string | number) =>
      this.metrics.lag(groupId, topicOf.get(topic) ?? topic, partition, Number(messages));
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload: batch }) =>
      lag(batch.topic, batch.partition, Number(batch.offsetLagLow) + 1),
    );
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload: batch }) =>
      lag(batch.topic, batch.partition, batch.offsetLag),
    );
    try {
      const prefixed = [...topicOf.keys()];
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
        this.name,
      ]);
      if (rowCount) this.caughtUp = true;
    } catch (error) {
      this.options.bus.logger.warn({ err: error, groupId: this.name }, 'event consumer: sync state unreadable');
    }
  }

  private scheduleLagCheck(attempt: number): void {
    if (this.stopped || this.caughtUp) return;
    this.lagTimer = setTimeout(() => void this.checkLag(attempt), attempt === 0 ? 0 : 250);
  }

  /** Compares the group's committed offsets with the topics' ends until they meet once; then records it. */
  private async checkLag(attempt: number): Promise<void> {
    const { bus, groupId, pool } = this.options;
    const admin = bus.kafka.admin();
    try {
      await admin.connect();
      let behind = false;
      for (const topic of this.topics().map((name) => bus.topic(name))) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: bus.topic(groupId), topics: [topic] });
        for (const end of ends) {
          if (Number(end.high) === Number(end.low)) continue; // nothing to read in this partition
          const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          if (Number(at) < Number(end.high)) behind = true;
        }
      }
      if (!behind) {
        await pool.query('INSERT INTO consumer_sync (consumer) VALUES ($1) ON CONFLICT DO NOTHING', [this.name]);
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

  /** What to do with a message: apply it with a subscription, skip it (not a type handled here), or dead-letter it. */
  private verdict(raw: string): { event: EventEnvelope; subscription: Subscription } | DeadLetter | 'skip' {
    const event = readEnvelope(raw);
    if (!event) return { reason: 'unreadable', error: 'not an event envelope' };
    const subscription = this.subscriptions.get(event.type);
    if (!subscription) return 'skip';
    const problem = payloadProblem(subscription.contract, event.payload);
    if (problem) return { reason: 'invalid-payload', error: problem, event };
    return { event, subscription };
  }

  private async applyIn(db: pg.PoolClient, event: EventEnvelope, subscription: Subscription): Promise<void> {
    const first = await db.query(
      'INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [this.name, event.id, event.type],
    );
    if (first.rowCount === 0) return; // seen before: at-least-once delivery, applied once
    await subscription.handler(event as never, db);
  }

  private async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const received: ReceivedMessage = {
      topic,
      partition,
      offset: message.offset,
      raw: message.value?.toString() ?? '',
    };
    const verdict = this.verdict(received.raw);
    if (verdict === 'skip') return;
    if ('reason' in verdict) return this.deadLetter(received, verdict, heartbeat);
    const { event, subscription } = verdict;
    const { maxAttempts = 5, retryBackoffMs = 200 } = this.options;
    for (let attempt = 1, outages = 0; ;) {
      try {
        await withTransaction(this.options.pool, (db) => this.applyIn(db, event, subscription));
        return;
      } catch (error) {
        if (this.stopped) throw error; // not applied, not acknowledged: redelivered after the restart
        if (await this.isOutage(error)) {
          this.warnOutage(error, event);
          await this.pause(backoff(++outages, 250), heartbeat);
          continue;
        }
        const failure = { attempts: attempt, error: describeError(error), event };
        if (attempt >= maxAttempts)
          return this.deadLetter(received, { reason: 'handler-failed', ...failure }, heartbeat);
        this.options.bus.logger.warn({ err: error, groupId: this.name, eventId: event.id, attempt }, 'handler failed');
        await this.pause(backoff(attempt++, retryBackoffMs), heartbeat);
      }
    }
  }

  /** An outage is what the error says, or a database that does not answer: PostgreSQL down fails every handler. */
  private async isOutage(error: unknown): Promise<boolean> {
    if (isTransient(error)) return true;
    try {
      await this.options.pool.query('SELECT 1');
      return false;
    } catch {
      return true;
    }
  }

  private warnOutage(error: unknown, event: EventEnvelope): void {
    if (Date.now() - this.lastOutageWarning < 10_000) return;
    this.lastOutageWarning = Date.now();
    this.options.bus.logger.warn(
      { err: error, groupId: this.name, eventId: event.id },
      'event consumer: a dependency is unreachable; retrying the event until it is back (not counted as a failure)',
    );
  }

  /** Kept for an operator, then acknowledged. Until the dead letter is stored the message is not let go. */
  private async deadLetter(received: ReceivedMessage, letter: DeadLetter, heartbeat: () => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertDeadLetter(this.options.pool, this.name, received, letter);
        break;
      } catch (error) {
        if (this.stopped) throw error;
        await this.pause(backoff(attempt, 250), heartbeat);
      }
    }
    this.metrics.deadLettered({ consumer: this.name, reason: letter.reason });
    this.options.bus.logger.error(
      { groupId: this.name, topic: received.topic, partition: received.partition, offset: received.offset, ...letter },
      'event consumer: message dead-lettered; the partition moves on',
    );
  }

  /** Waits between tries, telling the group this member is alive, and gives up at once when the consumer stops. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (this.stopped) throw new Stopping(`consumer ${this.name} is stopping`);
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 500)));
      await heartbeat();
    }
  }

  private scheduleReplay(): void {
    if (this.stopped) return;
    this.replayTimer = setTimeout(() => {
      void this.replayMarked().finally(() => this.scheduleReplay());
    }, this.options.replayPollMs ?? 2_000);
    this.replayTimer.unref();
  }

  /** Puts dead letters an operator marked back through their handler, each in its own inbox transaction. */
  private async replayMarked(): Promise<void> {
    const { pool, bus } = this.options;
    const ids = await markedForReplay(pool, this.name).catch(() => []);
    for (const id of ids) {
      if (this.stopped) return;
      try {
        await withTransaction(pool, async (db) => {
          const message = await claimForReplay(db, id);
          if (!message) return;
          const verdict = this.verdict(message.raw);
          if (verdict === 'skip') throw new Refused(`consumer ${this.name} does not handle this event type`);
          if ('reason' in verdict) throw new Refused(verdict.error);
          await this.applyIn(db, verdict.event, verdict.subscription);
          await markReplayed(db, id);
        });
        bus.logger.info({ groupId: this.name, deadLetter: id }, 'dead letter replayed');
      } catch (error) {
        if (!(error instanceof Refused) && (await this.isOutage(error))) return; // stays marked: next round
        await markDeadAgain(pool, id, describeError(error)).catch(() => undefined);
        bus.logger.warn({ err: error, groupId: this.name, deadLetter: id }, 'dead letter replay failed; dead again');
      }
    }
  }
}
