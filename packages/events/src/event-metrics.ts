import client from 'prom-client';
import type pg from 'pg';

/** What the consumers and the relay report; no-ops when a consumer runs without a registry (a bare test). */
export interface EventMetrics {
  /** A message or an outbox row moved to its dead letters; `reason` is a category, never an error text. */
  deadLettered(labels: { consumer: string; reason: string } | { source: 'outbox'; reason: string }): void;
  /** Messages of one partition not handled yet by this instance. */
  lag(group: string, topic: string, partition: number, messages: number): void;
  /** The group's partitions were (re)assigned: lags of partitions this instance held before are not its to report. */
  forgetLag(group: string): void;
  /** Messages retention deleted before the group read them, per topic; 0 once a snapshot made up for them. */
  missed(group: string, topic: string, messages: number): void;
  /** A replica (re)built: `source` is `topic`, `compacted-topic`, `snapshot`, or `incomplete` (missed, no snapshot). */
  rebuilt(group: string, source: string): void;
}

export const NO_METRICS: EventMetrics = { deadLettered() {}, lag() {}, forgetLag() {}, missed() {}, rebuilt() {} };

interface OutboxFigures {
  pending: number;
  oldestSeconds: number;
  dead: number;
}

/**
 * Registers the events metrics (names agreed for the dashboards): the dead-letter counter and gauge, the outbox's
 * pending rows and age, and consumer lag. The gauges over tables are read when /metrics is scraped: one small
 * query on partial indexes, shared by the gauges of one scrape.
 */
export function registerEventMetrics(registry: client.Registry, pool: pg.Pool): EventMetrics {
  let figures: { at: number; value: Promise<OutboxFigures | undefined> } | undefined;
  const read = (): Promise<OutboxFigures | undefined> => {
    if (!figures || Date.now() - figures.at > 500) {
      figures = {
        at: Date.now(),
        value: pool
          .query<OutboxFigures>(
            `SELECT (SELECT count(*)::int FROM outbox WHERE state = 'pending') AS pending,
                    coalesce((SELECT extract(epoch FROM now() - min(created_at))::float8
                                FROM outbox WHERE state = 'pending'), 0) AS "oldestSeconds",
                    (SELECT count(*)::int FROM outbox WHERE state = 'dead')
                      + (SELECT count(*)::int FROM dead_letters WHERE state <> 'replayed') AS dead`,
          )
          .then((result) => result.rows[0])
          .catch(() => undefined), // the database is down: the gauges keep their last values
      };
    }
    return figures.value;
  };
  const fromTables = (name: string, help: string, pick: (f: OutboxFigures) => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = await read();
        if (value) this.set(pick(value));
      },
    });
  fromTables('events_outbox_pending_rows', 'Outbox rows not published yet', (f) => f.pending);
  fromTables(
    'events_outbox_oldest_pending_seconds',
    'Age of the oldest unpublished outbox row',
    (f) => f.oldestSeconds,
  );
  fromTables('events_dead_letters_rows', 'Dead letters and dead outbox rows waiting for an operator', (f) => f.dead);

  const deadLetters = new client.Counter({
    name: 'events_dead_letters_total',
    help: 'Messages dead-lettered by a consumer, and outbox rows the relay gave up on',
    labelNames: ['consumer', 'source', 'reason'],
    registers: [registry],
  });
  const lags = new Map<string, Map<string, number>>(); // group → "topic partition" → messages
  new client.Gauge({
    name: 'events_consumer_lag_messages',
    help: 'Messages on the topic not yet handled by this instance, per consumer group (from the last fetched batch)',
    labelNames: ['group', 'topic'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [group, partitions] of lags) {
        const byTopic = new Map<string, number>();
        for (const [key, messages] of partitions) {
          const topic = key.slice(0, key.lastIndexOf(' '));
          byTopic.set(topic, (byTopic.get(topic) ?? 0) + messages);
        }
        for (const [topic, messages] of byTopic) this.set({ group, topic }, messages);
      }
    },
  });
  const missed = new client.Gauge({
    name: 'events_consumer_missed_messages',
    help: 'Messages deleted by retention before the consumer group read them, not made up for by a snapshot',
    labelNames: ['group', 'topic'],
    registers: [registry],
  });
  const rebuilds = new client.Counter({
    name: 'events_consumer_rebuilds_total',
    help: 'Replica (re)builds by where they read from: topic, compacted-topic, snapshot, or incomplete',
    labelNames: ['group', 'source'],
    registers: [registry],
  });
  return {
    missed: (group, topic, messages) => missed.set({ group, topic }, messages),
    rebuilt: (group, source) => rebuilds.inc({ group, source }),
    deadLettered: (labels) => deadLetters.inc(labels),
    lag(group, topic, partition, messages) {
      const partitions = lags.get(group) ?? new Map<string, number>();
      partitions.set(`${topic} ${partition}`, Math.max(0, messages));
      lags.set(group, partitions);
    },
    forgetLag: (group) => void lags.delete(group),
  };
}
