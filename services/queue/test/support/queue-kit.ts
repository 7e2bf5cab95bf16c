import { randomUUID } from 'node:crypto';
import { PaymentCompleted } from '@boxoffice/contracts';
import type { App } from '@boxoffice/http';
import { PeerPublisher, dropDatabase, testEnv, waitFor } from '@boxoffice/testing';
import { buildApp } from '../../src/app';
import { readConfig } from '../../src/config';

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
  private readonly peers: PeerPublisher;

  constructor(overrides: Record<string, string> = {}) {
    this.env = testEnv('queue', {
      USER_SERVICE_URL: 'http://127.0.0.1:9',
      QUEUE_ADMITTER_INTERVAL_MS: '50',
      ...overrides,
    });
    this.peers = new PeerPublisher({
      brokers: this.env.KAFKA_BROKERS!,
      topicPrefix: this.env.KAFKA_TOPIC_PREFIX!,
      clientId: 'queue-test',
      firstUserId: 1,
    });
  }

  async start(): Promise<this> {
    this.app = await buildApp(readConfig(this.env));
    await this.app.ready();
    return this;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.peers.stop();
    await dropDatabase(this.env.DATABASE_URL!);
  }

  /**
   * Users as the user service announces them (user.changed), waited for until the in-process queue's replica has
   * them all (unless told not to: a queue run as a process waits on its own).
   */
  async users(count: number, options: { waitForReplica?: boolean } = {}): Promise<TestUser[]> {
    const users = await this.peers.announceUsers(count, {
      replicas: options.waitForReplica === false ? [] : [this.app.pg],
    });
    return users.map((user) => ({ id: user.id, accessToken: user.token }));
  }

  /** payment.completed as the payment service will publish it. */
  async paymentCompleted(userId: number, paidAt = new Date()): Promise<void> {
    const paymentId = randomUUID();
    await this.peers.publish(PaymentCompleted, [
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

  async status(jwt: string): Promise<{
    uuid: string;
    waitingNo: number;
    status: string;
    estimatedWaitSeconds: number | null;
    waitEstimate: string;
    expiresAt: string;
    roomId: string;
    roomStatus: string;
  }> {
    return (await this.poll(jwt)).json();
  }

  /** Until the journal is recorded in PostgreSQL and the outbox published. */
  async recorded(): Promise<void> {
    await waitFor('journal recorded', async () => (await this.app.queue.line.journalLength()) === 0, {
      timeoutMs: 30_000,
    });
  }
}
