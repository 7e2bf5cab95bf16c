import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import { TOPICS, UserChanged, type EventContract, type EventEnvelope } from '@boxoffice/contracts';
import { developmentEventKey } from '@boxoffice/config';
import { EventSigner, createEventBus, ensureTopics, newEnvelope, topicOwner, type EventBus } from '@boxoffice/events';
import { testInfra } from './infra';
import { waitFor } from './wait';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A user as the user service announces it. `token` is its USER-TOKEN: only the SHA-256 of it is published. */
export interface AnnouncedUser {
  id: number;
  name: string;
  role: 'user' | 'admin';
  token: string;
}

/** A connection to a database that keeps a users replica: a service's pool, or a client of its own. */
export interface UsersReplica {
  query(text: string, values: unknown[]): Promise<pg.QueryResult>;
}

/**
 * Plays the peers of a service under test on the real broker: events sent as their owner publishes them, and users
 * announced as the user service does. Every service that keeps a users replica gets its test users this way (real
 * user.changed events, no user service and no mock), so the kits share this one copy of it.
 */
export class PeerPublisher {
  private readonly bus: EventBus;
  private readonly topics: string[];
  private producer: Producer | undefined;
  private nextUserId: number;

  constructor(options: {
    topicPrefix: string;
    /** Created on connect(); default: the users topic. */
    topics?: string[];
    brokers?: string;
    clientId?: string;
    /** The id of the first user announced; default: a random one, so that ids tell nothing. */
    firstUserId?: number;
  }) {
    this.bus = createEventBus({
      brokers: options.brokers ?? testInfra.kafkaBrokers,
      clientId: options.clientId ?? 'test-peer',
      topicPrefix: options.topicPrefix,
      logger: quiet,
    });
    this.topics = options.topics ?? [TOPICS.users];
    this.nextUserId = options.firstUserId ?? Math.floor(Math.random() * 1_000_000) + 1_000;
  }

  /**
   * Creates the topics and connects. Call it before the service under test starts when its consumers create the
   * same topics: two clients creating one topic at once can race in Kafka.
   */
  async connect(): Promise<Producer> {
    if (!this.producer) {
      await ensureTopics(
        this.bus,
        this.topics.map((topic) => this.bus.topic(topic)),
      );
      this.producer = this.bus.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    return this.producer;
  }

  /**
   * Sends events as their owner would: envelopes on the prefixed topic, keyed by aggregate id, signed with the
   * owner's development key (the key a service under test trusts by default).
   */
  async publish<P>(
    contract: EventContract,
    events: { aggregateId: string | number; aggregateVersion: number; payload: P }[],
    source = topicOwner(contract.topic),
    /** A test that forges events signs with another key than the source's. */
    signingKey = developmentEventKey(source),
  ): Promise<EventEnvelope<P>[]> {
    const producer = await this.connect();
    await ensureTopics(this.bus, [this.bus.topic(contract.topic)]); // once per topic: ensureTopics remembers
    const signer = new EventSigner(signingKey);
    const envelopes = events.map((event) => signer.sign(newEnvelope(source, contract, event)));
    const messages = envelopes.map((envelope) => ({ key: envelope.aggregateId, value: JSON.stringify(envelope) }));
    // in slices: thousands of users in one request would pass the broker's request size limit
    for (let i = 0; i < messages.length; i += 500)
      await producer.send({ topic: this.bus.topic(contract.topic), acks: -1, messages: messages.slice(i, i + 500) });
    return envelopes as EventEnvelope<P>[];
  }

  /**
   * Announces `count` new users (user.changed, each with a fresh id and USER-TOKEN) as the user service would, then
   * waits until every given replica knows them.
   */
  async announceUsers(
    count: number,
    options: {
      role?: 'user' | 'admin';
      replicas: UsersReplica[];
      /** Where the ids start; default: after the last user announced. */
      firstId?: number;
      timeoutMs?: number;
      intervalMs?: number;
    },
  ): Promise<AnnouncedUser[]> {
    const { role = 'user', replicas, firstId, ...wait } = options;
    if (firstId !== undefined) this.nextUserId = firstId;
    const users: AnnouncedUser[] = Array.from({ length: count }, () => {
      const id = this.nextUserId++;
      return { id, name: `${role}${id}`, role, token: randomUUID() };
    });
    await this.publish(
      UserChanged,
      users.map((user) => ({
        aggregateId: user.id,
        aggregateVersion: 1,
        payload: {
          id: user.id,
          name: user.name,
          role: user.role,
          accessTokenSha256: createHash('sha256').update(user.token).digest('hex'),
          deleted: false,
        },
      })),
      'user',
    );
    const ids = users.map((user) => user.id);
    for (const replica of replicas) {
      await waitFor(
        `${ids.length} users in the users replica`,
        async () =>
          (await replica.query('SELECT count(*)::int AS n FROM users_replica WHERE id = ANY($1)', [ids])).rows[0].n ===
          ids.length,
        { timeoutMs: 30_000, ...wait },
      );
    }
    return users;
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
