import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';

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

/** Creates the topics that are missing and waits for their leaders; auto-creation is off on our brokers. */
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
          topics: toCreate.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
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
    missing.forEach((topic) => known.add(topic));
  } finally {
    await admin.disconnect();
  }
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
