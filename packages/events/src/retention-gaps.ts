import type { Admin } from 'kafkajs';
import type pg from 'pg';
import type { EventMetrics } from './event-metrics';
import { backoff } from './failures';
import { isStateTopic, type EventBus } from './kafka';

/** The owner's current state, for a replica whose topic no longer holds every event (retention deleted some). */
export interface ReplicaSnapshot {
  /** Names where it comes from in logs, e.g. `item service`. */
  source: string;
  /** Applies the owner's current state of every entity to the replica, revision-guarded; returns how many. */
  load(): Promise<number>;
}

/** A partition whose events between `from` and `earliest` were deleted by retention before the group read them. */
export interface RetentionGap {
  topic: string;
  partition: number;
  /** Where the group would start: its committed offset, or 0 when it has none (a new group). */
  from: number;
  /** The earliest offset the broker still holds. */
  earliest: number;
}

/**
 * The partitions on which a consumer group would start below the earliest offset the broker still holds: what lay in
 * between is gone, so a replica built from the topic alone would silently lack it.
 */
export async function findRetentionGaps(admin: Admin, groupId: string, topics: string[]): Promise<RetentionGap[]> {
  const gaps: RetentionGap[] = [];
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const { partition, low } of offsets) {
      const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const from = Math.max(0, at);
      if (Number(low) > from) gaps.push({ topic, partition, from, earliest: Number(low) });
    }
  }
  return gaps;
}

/**
 * One consumer's check, each time it connects, that its topics still hold everything it has not read (decision 27).
 * When they do not: with a snapshot, the snapshot is loaded (retried until it succeeds) and `missing` stays true
 * until then; without one, `missing` stays true, so the consumer never records itself caught up. Logs and metrics
 * say which (`events_consumer_missed_messages`, `events_consumer_rebuilds_total`).
 */
export class RetentionWatch {
  /** Retention deleted events before this consumer read them, and no snapshot has made up for them yet. */
  missing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      /** The consumer's name in its database (consumer_sync). */
      name: string;
      groupId: string;
      bus: EventBus;
      pool: pg.Pool;
      metrics: EventMetrics;
      /** Its topics, unprefixed. */
      topics(): string[];
      snapshot(): ReplicaSnapshot | undefined;
      stopped(): boolean;
    },
  ) {}

  /** Checks the (prefixed) topics; true when the consumer, caught up before, must forget it (consumer_sync row gone). */
  async check(topics: string[], caughtUp: boolean): Promise<boolean> {
    const { bus, groupId, metrics } = this.options;
    const admin = bus.kafka.admin();
    await admin.connect();
    let gaps: RetentionGap[];
    try {
      gaps = await findRetentionGaps(admin, bus.topic(groupId), topics);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const topicOf = new Map(this.options.topics().map((topic) => [bus.topic(topic), topic]));
    for (const topic of topics) {
      const lost = gaps.filter((gap) => gap.topic === topic).reduce((sum, gap) => sum + gap.earliest - gap.from, 0);
      metrics.missed(groupId, topicOf.get(topic) ?? topic, lost);
    }
    if (gaps.length === 0) {
      if (!caughtUp && !this.missing) {
        const source = topics.every((topic) => isStateTopic(bus, topic)) ? 'compacted-topic' : 'topic';
        metrics.rebuilt(groupId, source);
        bus.logger.info({ groupId, source }, `event consumer: building its replica from the ${source}`);
      }
      return false;
    }
    if (caughtUp) await this.options.pool.query('DELETE FROM consumer_sync WHERE consumer = $1', [this.options.name]);
    if (this.missing) return caughtUp; // a snapshot is already on its way
    this.missing = true;
    const snapshot = this.options.snapshot();
    if (!snapshot) {
      metrics.rebuilt(groupId, 'incomplete');
      bus.logger.error(
        { groupId, gaps },
        'event consumer: retention deleted events before this consumer read them and it has no snapshot to rebuild from; its replica stays incomplete (not caught up)',
      );
      return caughtUp;
    }
    bus.logger.warn(
      { groupId, gaps, source: snapshot.source },
      `event consumer: retention deleted events before this consumer read them; rebuilding from a snapshot of the ${snapshot.source}`,
    );
    this.load(snapshot, 0);
    return caughtUp;
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private load(snapshot: ReplicaSnapshot, attempt: number): void {
    const { bus, groupId, metrics } = this.options;
    this.timer = setTimeout(
      () =>
        void snapshot.load().then(
          (rows) => {
            this.missing = false;
            for (const topic of this.options.topics()) metrics.missed(groupId, topic, 0);
            metrics.rebuilt(groupId, 'snapshot');
            // the consumer's lag check, running since its start, now records it caught up once the topic is read
            bus.logger.info(
              { groupId, rows, source: snapshot.source },
              'event consumer: replica rebuilt from a snapshot',
            );
          },
          (error: unknown) => {
            if (this.options.stopped()) return;
            bus.logger.warn({ err: error, groupId, attempt }, 'event consumer: snapshot failed; retrying');
            this.load(snapshot, attempt + 1);
          },
        ),
      attempt === 0 ? 0 : backoff(attempt, 500),
    );
  }
}
