import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { PaymentCompleted, UserChanged, type EventContract, type EventEnvelope } from '@boxoffice/contracts';
import { createEventBus, ensureTopics, type EventBus } from '@boxoffice/events';
import type { App } from '@boxoffice/http';
import { dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface TestUser {
  id: number;
  accessToken: string;
}

/**
 * A queue service under test (its own database, topics and Redis keys), plus a producer that publishes to its
 * topics what the user and payment services would: real events through the real broker, no mocks.
 */
export class QueueKit {
  readonly env: Record<string, string>;
  app!: App;
  private bus: EventBus;
  private producer: Producer | undefined;
  private nextUserId = 1;

  constructor(overrides: Record<string, string> = {}) {
    this.env = testEnv('queue', {
      USER_SERVICE_URL: 'http://127.0.0.1:9',
      QUEUE_ADMITTER_INTERVAL_MS: '50',
      ...overrides,
    });
    this.bus = createEventBus({
      brokers: this.env.KAFKA_BROKERS!,
      clientId: 'queue-test',
      topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
      logger: quiet,
    });
  }

  async start(): Promise<this> {
    this.app = await buildApp(readConfig(this.env));
    await this.app.ready();
    return this;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.producer?.disconnect();
    await dropDatabase(this.env.DATABASE_URL!);
  }

  private async publish(
    contract: EventContract,
    events: { aggregateId: string; aggregateVersion: number; payload: unknown }[],
  ): Promise<void> {
    const topic = this.bus.topic(contract.topic);
    if (!this.producer) {
      await ensureTopics(this.bus, [topic]);
      this.producer = this.bus.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await ensureTopics(this.bus, [topic]);
    const messages = events.map((event) => {
      const envelope: EventEnvelope = {
        id: randomUUID(),
        type: contract.type,
        version: contract.version,
        occurredAt: new Date().toISOString(),
        source: 'test',
        aggregateType: contract.aggregateType,
        aggregateId: event.aggregateId,
        aggregateVersion: event.aggregateVersion,
        payload: event.payload,
      };
      return { key: event.aggregateId, value: JSON.stringify(envelope) };
    });
    for (let i = 0; i < messages.length; i += 500)
      await this.producer.send({ topic, messages: messages.slice(i, i + 500) });
  }

  /**
   * Users as the user service announces them (user.changed), waited for until the in-process queue's replica has
   * them all (unless told not to: a queue run as a process waits on its own).
   */
  async users(count: number, options: { waitForReplica?: boolean } = {}): Promise<TestUser[]> {
    const users = Array.from({ length: count }, () => ({ id: this.nextUserId++, accessToken: randomUUID() }));
    await this.publish(
      UserChanged,
      users.map((user) => ({
        aggregateId: String(user.id),
        aggregateVersion: 1,
        payload: {
          id: user.id,
          name: `user ${user.id}`,
          role: 'user',
          accessTokenSha256: createHash('sha256').update(user.accessToken).digest('hex'),
          deleted: false,
        },
      })),
    );
    if (options.waitForReplica === false) return users;
    const ids = users.map((user) => user.id);
    await waitFor(
      `${count} users in the queue's replica`,
      async () =>
        (
          await this.app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM users_replica WHERE id = ANY($1)', [
            ids,
          ])
        ).rows[0]!.n === count,
      { timeoutMs: 30_000 },
    );
    return users;
  }

  /** payment.completed as the payment service will publish it. */
  async paymentCompleted(userId: number, paidAt = new Date()): Promise<void> {
    const paymentId = randomUUID();
    await this.publish(PaymentCompleted, [
      {
        aggregateId: paymentId,
        aggregateVersion: 1,
        payload: { paymentId, userId, ticketId: randomUUID(), amount: 120_000, paidAt: paidAt.toISOString() },
      },
    ]);
  }

  join(user: TestUser, userId = user.id) {
    return this.app.inject({
      method: 'POST',
      url: '/tokens',
      headers: { 'user-token': user.accessToken },
      payload: { userId },
    });
  }

  async joined(
    user: TestUser,
  ): Promise<{ token: string; uuid: string; waitingNo: number; status: string; expiresAt: string }> {
    const response = await this.join(user);
    if (response.statusCode !== 201) throw new Error(`join failed: ${response.statusCode} ${response.body}`);
    return response.json();
  }

  poll(jwt: string) {
    return this.app.inject({ method: 'GET', url: '/tokens', headers: { authorization: `Bearer ${jwt}` } });
  }

  async status(
    jwt: string,
  ): Promise<{ uuid: string; waitingNo: number; status: string; estimatedWaitSeconds: number; expiresAt: string }> {
    return (await this.poll(jwt)).json();
  }

  /** Until the journal is recorded in PostgreSQL and the outbox published. */
  async recorded(): Promise<void> {
    await waitFor('journal recorded', async () => (await this.app.queue.line.journalLength()) === 0, {
      timeoutMs: 30_000,
    });
  }
}
