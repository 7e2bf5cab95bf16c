import { ConfigResourceTypes, Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import { STATE_TOPICS } from '@boxoffice/contracts';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface KafkaSettings {
  brokers: string;
  clientId: string;
  /** Prepended to every topic: lets tests and parallel environments share one broker. */
  topicPrefix?: string;
  logger: Logger;
}

export interface EventBus {
  kafka: Kafka;
  topic(name: string): string;
  logger: Logger;
}

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export function createEventBus(settings: KafkaSettings): EventBus {
  const { logger } = settings;
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers.split(',').map((broker) => broker.trim()),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
    // kafkajs logs every failed connection at ERROR; while Kafka is down that is expected, so it is a warning.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log, namespace }: LogEntry) => {
        const { message, ...extra } = log;
        const entry = { kafka: namespace, ...extra };
        if (level <= logLevel.WARN) logger.warn(entry, `kafka: ${message}`);
        else logger.debug(entry, `kafka: ${message}`);
      },
  });
  const prefix = settings.topicPrefix ?? '';
  return { kafka, topic: (name) => `${prefix}${name}`, logger };
}

const ensured = new WeakMap<Kafka, Set<string>>();

/**
 * A state topic is compacted, but nothing younger than this is compacted away: a consumer up to a week behind (the
 * broker's former retention) still reads every intermediate state, and beyond that the latest state of each entity
 * is kept instead of nothing (decision 27).
 */
export const COMPACTION_LAG_MS = 7 * 24 * 3_600_000;
const STATE_TOPIC_CONFIG = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(COMPACTION_LAG_MS) };

/** Whether a (prefixed) topic holds only the latest states of its entities, so is log-compacted (STATE_TOPICS). */
export const isStateTopic = (bus: EventBus, topic: string): boolean =>
  STATE_TOPICS.some((name) => bus.topic(name) === topic);

/**
 * Creates the topics that are missing and waits for their leaders; auto-creation is off on our brokers. State
 * topics are created log-compacted, and an existing one still on time-based deletion is switched to compaction
 * (its other settings kept); other topics keep the broker's retention.
 */
export async function ensureTopics(bus: EventBus, topics: string[], numPartitions = 3): Promise<void> {
  const known = ensured.get(bus.kafka) ?? new Set<string>();
  ensured.set(bus.kafka, known);
  const missing = topics.filter((topic) => !known.has(topic));
  if (missing.length === 0) return;
  const admin = bus.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const toCreate = missing.filter((topic) => !existing.has(topic));
    if (toCreate.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: toCreate.map((topic) => ({
            topic,
            numPartitions,
            replicationFactor: 1,
            configEntries: isStateTopic(bus, topic)
              ? Object.entries(STATE_TOPIC_CONFIG).map(([name, value]) => ({ name, value }))
              : [],
          })),
        })
        .catch((error: { type?: string; errors?: { type?: string }[] }) => {
          // another instance (or this service's consumer) created it a moment ago
          const alreadyThere = (e: { type?: string }) => e.type === 'TOPIC_ALREADY_EXISTS';
          if (alreadyThere(error) || (error.errors?.length && error.errors.every(alreadyThere))) return;
          // created, but the broker's metadata cache has not caught up yet (KRaft, a busy broker): wait below
          if (error.type === 'UNKNOWN_TOPIC_OR_PARTITION') return;
          throw error;
        });
      await waitForMetadata(admin, toCreate);
    }
    await compactStateTopics(
      bus,
      admin,
      missing.filter((topic) => existing.has(topic) && isStateTopic(bus, topic)),
    );
    missing.forEach((topic) => known.add(topic));
  } finally {
    await admin.disconnect();
  }
}

/** Switches existing state topics to compaction. AlterConfigs replaces a topic's settings: the others are resent. */
async function compactStateTopics(bus: EventBus, admin: Admin, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const TOPIC_CONFIG_SOURCE = 1; // set on the topic itself (not a broker default)
  const toAlter = resources.filter(
    (resource) =>
      resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue !== 'compact',
  );
  if (toAlter.length === 0) return;
  await admin.alterConfigs({
    validateOnly: false,
    resources: toAlter.map((resource) => {
      const own = Object.fromEntries(
        resource.configEntries
          .filter((entry) => entry.configSource === TOPIC_CONFIG_SOURCE && !entry.isSensitive)
          .map((entry) => [entry.configName, entry.configValue]),
      );
      const configs = { ...own, ...STATE_TOPIC_CONFIG };
      return {
        type: ConfigResourceTypes.TOPIC,
        name: resource.resourceName,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      };
    }),
  });
  for (const resource of toAlter)
    bus.logger.info(
      { topic: resource.resourceName },
      'kafka: a state topic was on time-based deletion; it is now log-compacted',
    );
}

/** Waits until the broker answers metadata for every topic (it may briefly say it does not host one just created). */
async function waitForMetadata(admin: Admin, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.every((topic) => topic.partitions.every((partition) => partition.leader >= 0))) return;
    } catch (error) {
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`Kafka topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
