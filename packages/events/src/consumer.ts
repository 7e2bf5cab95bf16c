import type { Static, TSchema } from '@sinclair/typebox';
import type { Consumer } from 'kafkajs';
import type pg from 'pg';
import type { EventContract, EventEnvelope } from '@boxoffice/contracts';
import { Delivery, type Subscription } from './delivery';
import { NO_METRICS, type EventMetrics } from './event-metrics';
import { backoff } from './failures';
import { ensureTopics, type EventBus } from './kafka';
import { RetentionWatch, type ReplicaSnapshot } from './retention-gaps';
import type { EventVerifier } from './signing';

/** Handles one event whose payload was checked against its contract, in the inbox transaction `db`. */
export type EventHandler<P = unknown> = (event: EventEnvelope<P>, db: pg.PoolClient) => Promise<void>;

/**
 * Handles several events of one contract (in partition order, each payload checked, none seen before) in one
 * inbox transaction `db`: for a replica, one statement instead of one per event.
 */
export type BatchHandler<P = unknown> = (events: EventEnvelope<P>[], db: pg.PoolClient) => Promise<void>;

export interface EventConsumerOptions {
  bus: EventBus;
  pool: pg.Pool;
  /** Consumer group: all instances of one service share it, so each event is handled once per service. */
  groupId: string;
  /** The public keys of the owners of its topics: an event not signed by its topic's owner is dead-lettered. */
  verifier: EventVerifier;
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
  /** The consumer of a start under way, and that start: stop() ends both before it returns. */
  private starting: Consumer | undefined;
  private connecting: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private connected = false;
  private caughtUp = false;
  private snapshot: ReplicaSnapshot | undefined;
  private readonly retention: RetentionWatch;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly name: string;
  private readonly metrics: EventMetrics;
  private readonly delivery: Delivery;

  constructor(private readonly options: EventConsumerOptions) {
    this.name = options.groupId;
    this.metrics = options.metrics ?? NO_METRICS;
    this.delivery = new Delivery({
      name: this.name,
      pool: options.pool,
      logger: options.bus.logger,
      subscriptions: this.subscriptions,
      verifier: options.verifier,
      maxAttempts: options.maxAttempts ?? 5,
      retryBackoffMs: options.retryBackoffMs ?? 200,
      metrics: this.metrics,
      stopping: () => this.stopped,
    });
    this.retention = new RetentionWatch({
      name: this.name,
      groupId: options.groupId,
      bus: options.bus,
      pool: options.pool,
      metrics: this.metrics,
      topics: () => this.topics(),
      snapshot: () => this.snapshot,
      stopped: () => this.stopped,
    });
  }

  /** Subscribes to a contract's events: `handler` gets them with their payload checked and typed. */
  on<S extends TSchema>(contract: EventContract<S>, handler: EventHandler<Static<S>>): this {
    if (this.started) throw new Error(`consumer ${this.name}: subscribe before it starts`);
    if (this.subscriptions.has(contract.type)) throw new Error(`consumer ${this.name} handles ${contract.type} twice`);
    this.subscriptions.set(contract.type, { contract, handler: handler as EventHandler<never> });
    return this;
  }

  /**
   * Subscribes to a contract's events a batch at a time: the consumer then reads whole batches of a partition and
   * applies each in one transaction (inbox rows in one statement, consecutive events of a contract given together
   * to its handler). A batch that fails is applied again one event at a time, with the usual retries and dead
   * letters, so a poison event costs only itself. Meant for replicas (partitionsConcurrently).
   */
  onBatch<S extends TSchema>(contract: EventContract<S>, handler: BatchHandler<Static<S>>): this {
    this.on(contract, (event, db) => handler([event], db));
    this.subscriptions.get(contract.type)!.batchHandler = handler as BatchHandler<never>;
    return this;
  }

  /**
   * Where to rebuild from when the topic no longer holds every event: at start, a partition whose earliest offset is
   * above where this group starts (its committed offset, 0 for a new group) has lost events to retention; the
   * consumer then loads this snapshot, and does not count itself caught up before it has.
   */
  fillFrom(snapshot: ReplicaSnapshot): this {
    if (this.started) throw new Error(`consumer ${this.name}: set its snapshot before it starts`);
    this.snapshot = snapshot;
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
    const unverifiable = this.topics().filter((topic) => !this.options.verifier.knows(topic));
    if (unverifiable.length > 0)
      throw new Error(
        `consumer ${this.name}: no public key of the owner of ${unverifiable.join(', ')} (EVENT_VERIFY_KEYS)`,
      );
    this.started = true;
    void this.loadSyncState().finally(() => this.connect(0));
    this.scheduleReplay();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.lagTimer);
    clearTimeout(this.replayTimer);
    this.retention.stop();
    // a start still under way would otherwise finish (and disconnect) after its caller has moved on: end it first
    await this.starting?.disconnect().catch(() => undefined);
    await this.connecting?.catch(() => undefined);
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

  private connect(attempt: number): Promise<void> {
    this.connecting = this.tryConnect(attempt);
    return this.connecting;
  }

  private async tryConnect(attempt: number): Promise<void> {
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
    this.starting = consumer;
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
      if (await this.retention.check(prefixed, this.caughtUp)) this.caughtUp = false;
      await consumer.connect();
      await consumer.subscribe({ topics: prefixed, fromBeginning: true });
      const batched = [...this.subscriptions.values()].some((subscription) => subscription.batchHandler);
      await consumer.run({
        partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
        ...(batched
          ? { eachBatchAutoResolve: false, eachBatch: (batch) => this.delivery.handleBatch(batch) }
          : { eachMessage: (message) => this.delivery.handle(message) }),
      });
      this.consumer = consumer;
      this.starting = undefined;
      if (this.stopped) await consumer.disconnect();
      else if (!this.caughtUp) this.scheduleLagCheck(0);
    } catch (error) {
      this.starting = undefined;
      if (!this.stopped) bus.logger.warn({ err: error, groupId, attempt }, 'event consumer could not start; retrying');
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
      if (!behind && !this.retention.missing) {
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

  private scheduleReplay(): void {
    if (this.stopped) return;
    this.replayTimer = setTimeout(() => {
      void this.delivery.replayMarked().finally(() => this.scheduleReplay());
    }, this.options.replayPollMs ?? 2_000);
    this.replayTimer.unref();
  }
}
